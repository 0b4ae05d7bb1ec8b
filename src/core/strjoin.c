// SPDX-License-Identifier: Apache-2.0
// Plain string copies and joins; see strjoin.h.
#include "core/strjoin.h"

#include <string.h>

size_t sb_join(char *out, size_t cap, const char *const *parts, size_t n)
{
    if (cap == 0) {
        return 0;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o < cap - 1; i++) {
        size_t len = strlen(parts[i]);
        if (len > cap - 1 - o) {
            len = cap - 1 - o;
        }
        memcpy(out + o, parts[i], len);
        o += len;
    }
    out[o] = '\0';
    return o;
}

size_t sb_copy(char *out, size_t cap, const char *s)
{
    return sb_join(out, cap, &s, 1);
}

size_t sb_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
    return n;
}

size_t sb_i64(char *out, int64_t v)
{
    if (v >= 0) {
        return sb_u64(out, (uint64_t)v);
    }
    out[0] = '-';
    return 1 + sb_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}
