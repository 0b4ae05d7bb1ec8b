// SPDX-License-Identifier: Apache-2.0
// Random identifiers; see ids.h. Characters are drawn without modulo bias by rejecting bytes at
// or above the largest multiple of the alphabet size.
#include "core/ids.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

// Fills buf from the kernel's CSPRNG, retrying after signals.
static void kernel_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "sagebox: getrandom failed\n");
            abort();
        }
        p += n;
        len -= (size_t)n;
    }
}

// Each thread keeps a pool of kernel randomness so that small draws (a request id on every
// request) cost no system call; bytes handed out are wiped from the pool.
#define POOL_BYTES 1024
static _Thread_local unsigned char rand_pool[POOL_BYTES];
static _Thread_local size_t pool_left; // unused bytes at the end of pool

// Fills buf with bytes from getrandom(2), through the thread's pool for small draws; see ids.h.
void ids_random_bytes(void *buf, size_t len)
{
    if (len > POOL_BYTES / 4) {
        kernel_random(buf, len);
        return;
    }
    if (pool_left < len) {
        kernel_random(rand_pool, POOL_BYTES);
        pool_left = POOL_BYTES;
    }
    unsigned char *from = rand_pool + POOL_BYTES - pool_left;
    memcpy(buf, from, len);
    explicit_bzero(from, len);
    pool_left -= len;
}

// Writes n characters drawn uniformly from alphabet into out.
static void draw(const char *alphabet, size_t alen, char *out, size_t n)
{
    unsigned char pool[64];
    size_t used = sizeof(pool);
    unsigned limit = (unsigned)(256 - 256 % alen);
    for (size_t i = 0; i < n;) {
        if (used == sizeof(pool)) {
            ids_random_bytes(pool, sizeof(pool));
            used = 0;
        }
        unsigned b = pool[used++];
        if (b < limit) {
            out[i++] = alphabet[b % alen];
        }
    }
}

// A random UUID v4; see ids.h.
void ids_uuid4(char *out)
{
    unsigned char b[16];
    ids_random_bytes(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); // version 4
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0F];
    }
    out[o] = '\0';
}

// Prefix plus n characters of [A-Z2-7]; see ids.h.
void ids_aws_unique(const char *prefix, size_t n, char *out, size_t cap)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    if (cap == 0) {
        return;
    }
    size_t p = strlen(prefix);
    if (p >= cap) {
        p = cap - 1;
    }
    memcpy(out, prefix, p);
    if (n > cap - 1 - p) {
        n = cap - 1 - p;
    }
    draw(alphabet, sizeof(alphabet) - 1, out + p, n);
    out[p + n] = '\0';
}

// A 40-character secret key; see ids.h.
void ids_secret_key(char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    draw(alphabet, sizeof(alphabet) - 1, out, 40);
    out[40] = '\0';
}

// prefix-<17 hex>; see ids.h.
void ids_hex17(const char *prefix, char *out, size_t cap)
{
    char digits[18];
    draw("0123456789abcdef", 16, digits, 17);
    digits[17] = '\0';
    snprintf(out, cap, "%s-%s", prefix, digits);
}
