// SPDX-License-Identifier: Apache-2.0
// Copying and joining strings into fixed buffers without printf, for the per-request paths (a
// snprintf("%s") costs a few hundred instructions of format parsing for a plain copy).
#ifndef SAGEBOX_STRJOIN_H
#define SAGEBOX_STRJOIN_H

#include <stddef.h>
#include <stdint.h>

// Concatenates the n NUL-terminated parts into out[0..cap), truncating to cap - 1 bytes, and
// always NUL-terminates when cap > 0. Returns the number of bytes written (without the NUL).
size_t sb_join(char *out, size_t cap, const char *const *parts, size_t n);

// sb_join of one string: a truncating strcpy.
size_t sb_copy(char *out, size_t cap, const char *s);

// Writes v in decimal into out, which must hold 21 bytes; returns the length.
size_t sb_u64(char *out, uint64_t v);

// Writes v in decimal (with '-' when negative) into out, which must hold 21 bytes; returns the
// length.
size_t sb_i64(char *out, int64_t v);

#endif
