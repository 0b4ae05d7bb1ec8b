// SPDX-License-Identifier: Apache-2.0
// Random identifiers in AWS's formats: request ids (UUID version 4, RFC 4122), IAM unique ids
// and access key ids (a four-letter prefix such as AIDA, AROA, ANPA, AKIA, ASIA followed by
// upper-case letters and digits), secret access keys (40 characters of the base64 alphabet), and
// EC2-style ids (a prefix, '-', 17 lower-case hex digits). All draw from getrandom(2).
#ifndef SAGEBOX_IDS_H
#define SAGEBOX_IDS_H

#include <stddef.h>

#define IDS_UUID_LEN 36

// Writes a random UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case) and a NUL into
// out, which must hold IDS_UUID_LEN + 1 bytes.
void ids_uuid4(char *out);

// Writes prefix followed by n random characters from [A-Z2-7] (the alphabet AWS's unique ids
// use) and a NUL into out[0..cap); truncates to fit.
void ids_aws_unique(const char *prefix, size_t n, char *out, size_t cap);

// Writes a 40-character secret access key (characters from [A-Za-z0-9+/]) and a NUL into out,
// which must hold 41 bytes.
void ids_secret_key(char *out);

// Writes prefix, '-' and 17 random lower-case hex digits (EC2's long ids, e.g. "vpc-...") and a
// NUL into out[0..cap).
void ids_hex17(const char *prefix, char *out, size_t cap);

// Fills buf with len cryptographically random bytes from getrandom(2) (small draws come from a
// per-thread pool of its output, refilled 1 KiB at a time); aborts if the kernel refuses.
void ids_random_bytes(void *buf, size_t len);

#endif
