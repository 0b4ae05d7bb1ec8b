// SPDX-License-Identifier: Apache-2.0
// IAM's wildcard matching: '*' matches any run of characters (including none, including ':' and
// '/'), '?' matches exactly one character. There is no escape syntax in policy text; values that
// policy variables insert are protected with the WILDCARD_LITERAL marker byte so that a '*' coming
// from ${*} or from a request value is matched literally.
#ifndef SAGEBOX_WILDCARD_H
#define SAGEBOX_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>

// A byte that never appears in valid policy text (policy parsing rejects control characters);
// in a pattern, WILDCARD_LITERAL followed by any byte c matches exactly c.
#define WILDCARD_LITERAL '\x01'

// Returns true when text[0..text_len) matches pattern[0..pat_len). fold_case makes ASCII letters
// compare case-insensitively (actions, StringLike is case-sensitive). Runs in O(pat_len*text_len)
// worst case without recursion.
bool wildcard_match(const char *pattern, size_t pat_len, const char *text, size_t text_len,
                    bool fold_case);

// Returns true when s[0..len) contains '*' or '?'.
bool wildcard_has_wild(const char *s, size_t len);

#endif
