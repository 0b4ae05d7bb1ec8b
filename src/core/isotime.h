// SPDX-License-Identifier: Apache-2.0
// Date and time values as IAM's Date condition operators read them: ISO 8601 dates and times
// (with or without fractional seconds and a time zone offset) and POSIX epoch seconds.
#ifndef SAGEBOX_ISOTIME_H
#define SAGEBOX_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

// Parses s[0..len) into milliseconds since 1970-01-01T00:00:00Z. Accepted forms (AWS's Date
// operators cite the W3C profile of ISO 8601, and take epoch time too):
//   - epoch seconds: digits only, with an optional sign and fraction ("1700000000", "1.5");
//   - ISO 8601: "YYYY-MM", "YYYY-MM-DD", "YYYY-MM-DDThh:mm", "YYYY-MM-DDThh:mm:ss", with an
//     optional fraction of up to nine digits, then an optional "Z" or "+hh", "+hh:mm", "+hhmm"
//     offset (no zone means UTC); 't' and 'z' may be lowercase.
// Returns 0, or -1 when the text is not one of those forms or names an impossible date/time (month
// 13, February 30, hour 25); *out_ms is unchanged on failure.
int isotime_parse(const char *s, size_t len, int64_t *out_ms);

// The UTC calendar fields of epoch seconds, computed arithmetically (gmtime_r takes the C
// library's time zone lock, which every request thread would contend for).
struct isotime_fields {
    int64_t year;
    unsigned month; // 1..12
    unsigned day;   // 1..31
    unsigned hour, minute, second;
};
void isotime_split(int64_t secs, struct isotime_fields *out);

// Formats ms as "YYYY-MM-DDThh:mm:ssZ" (UTC, whole seconds) into out (at least 21 bytes).
// Returns the length written, excluding the NUL.
size_t isotime_format(int64_t ms, char *out, size_t cap);

#endif
