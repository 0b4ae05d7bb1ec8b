// SPDX-License-Identifier: Apache-2.0
// The CloudWatch Logs filter pattern language ("Filter pattern syntax for metric filters,
// subscription filters, filter log events, and Live Tail", CloudWatch Logs User Guide): a parser
// that compiles a pattern once and a matcher that tests log event messages against it. Pure: no
// I/O, no globals; a compiled pattern is immutable and may be shared by threads.
//
// The four forms a pattern takes:
//   - terms: words and "quoted phrases" that must all occur in the message (case-sensitive
//     substrings); -term excludes, ?term makes an OR group; an empty pattern matches everything.
//     Unquoted terms are letters, digits and '_' only (other characters need quotes).
//   - %regex%: the limited regular expressions CloudWatch Logs supports (no parentheses).
//   - space-delimited: [name, name = value, name != value, name > number, ..., w1 = a* || w1 = b]
//     binding the message's fields (separated by spaces; "..." and [...] are one field each);
//     "..." stands for any number of fields; '*' is a wildcard in string values.
//   - JSON: { $.a.b[0] = "x" && ($.n >= 10 || $.c IS NULL) }, with =, !=, <, >, <=, >=,
//     IS NULL, IS TRUE, IS FALSE, NOT EXISTS, && above ||, parentheses, '*' wildcards in strings.
#ifndef SAGEBOX_FILTER_PATTERN_H
#define SAGEBOX_FILTER_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

// A pattern's longest text (the FilterPattern shape of the service model).
#define FILTER_PATTERN_MAX_LEN 1024

enum filter_pattern_kind {
    FILTER_PATTERN_TERMS,
    FILTER_PATTERN_REGEX,
    FILTER_PATTERN_DELIMITED,
    FILTER_PATTERN_JSON,
};

struct filter_pattern;

// Compiles text[0..len) (any bytes; it need not be NUL-terminated). On success stores a new
// pattern in *out (free it with filter_pattern_free) and returns 0. On a syntax error returns -1,
// leaves *out NULL and, when why is not NULL, writes a short English reason for the log into
// why[0..why_cap) (clients get AWS's fixed "Invalid filter pattern").
int filter_pattern_parse(const char *text, size_t len, struct filter_pattern **out, char *why,
                         size_t why_cap);

// Frees a pattern; filter_pattern_free(NULL) does nothing.
void filter_pattern_free(struct filter_pattern *p);

// Returns the form of a compiled pattern.
enum filter_pattern_kind filter_pattern_kind(const struct filter_pattern *p);

// Returns true when the log event message msg[0..len) matches p. Never fails: a message that is
// not JSON simply does not match a JSON pattern. The work per call is bounded (a pathological
// pattern against a long message stops searching and reports no match).
bool filter_pattern_match(const struct filter_pattern *p, const char *msg, size_t len);

#endif
