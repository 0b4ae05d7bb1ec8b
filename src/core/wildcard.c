// SPDX-License-Identifier: Apache-2.0
// IAM wildcard matching ('*' and '?'); see wildcard.h. The algorithm is the classic single
// backtrack point one: on a mismatch after a '*', retry with the star absorbing one more byte.
// That is correct for patterns of '*' and '?' and never worse than O(pattern * text).
#include "core/wildcard.h"

static inline unsigned char fold(unsigned char c, bool fold_case)
{
    if (fold_case && c >= 'A' && c <= 'Z') {
        return (unsigned char)(c + ('a' - 'A'));
    }
    return c;
}

// Returns the length of the UTF-8 character starting at text[t]: IAM's '?' and '*' count
// characters, not bytes. Malformed sequences count one byte at a time.
static size_t char_len(const char *text, size_t text_len, size_t t)
{
    size_t n = 1;
    while (t + n < text_len && ((unsigned char)text[t + n] & 0xC0) == 0x80) {
        n++;
    }
    return n;
}

// Matches with the algorithm described above; see wildcard.h for the contract.
bool wildcard_match(const char *pattern, size_t pat_len, const char *text, size_t text_len,
                    bool fold_case)
{
    size_t p = 0;
    size_t t = 0;
    size_t star_p = (size_t)-1; // pattern index just after the last '*'
    size_t star_t = 0;          // text index the last '*' is currently absorbing up to

    while (t < text_len) {
        if (p < pat_len) {
            unsigned char pc = (unsigned char)pattern[p];
            if (pc == '*') {
                star_p = ++p;
                star_t = t;
                continue;
            }
            if (pc == '?') {
                p++;
                t += char_len(text, text_len, t);
                continue;
            }
            size_t step = 1;
            if (pc == (unsigned char)WILDCARD_LITERAL && p + 1 < pat_len) {
                pc = (unsigned char)pattern[p + 1];
                step = 2;
            }
            if (fold(pc, fold_case) == fold((unsigned char)text[t], fold_case)) {
                p += step;
                t++;
                continue;
            }
        }
        if (star_p == (size_t)-1) {
            return false;
        }
        p = star_p;
        star_t += char_len(text, text_len, star_t);
        t = star_t;
    }
    while (p < pat_len && pattern[p] == '*') {
        p++;
    }
    return p == pat_len;
}

// Reports whether s[0..len) contains a wildcard character.
bool wildcard_has_wild(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' || s[i] == '?') {
            return true;
        }
    }
    return false;
}
