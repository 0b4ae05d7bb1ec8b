// SPDX-License-Identifier: Apache-2.0
// Dates and times for IAM's Date condition operators. The IAM User Guide ("IAM JSON policy
// elements: Condition operators", Date condition operators) asks for "one of the W3C
// implementations of the ISO 8601 date formats" (https://www.w3.org/TR/NOTE-datetime) "or epoch
// (UNIX) time". We accept the W3C profile from the year-month form upwards (YYYY-MM, YYYY-MM-DD,
// YYYY-MM-DDThh:mm, ...:ss, ...:ss.s), with these leniencies that IAM's own parser shows: a
// lowercase 't'/'z', no zone meaning UTC, a "+hh" offset without minutes, and up to nine fraction
// digits. A bare year ("2020") is read as epoch seconds, as IAM does for any text without '-' or
// 'T'. Conversions use days-from-civil arithmetic (proleptic Gregorian calendar), never the C
// library's time zone or locale.
#include "core/isotime.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

// Days since 1970-01-01 of the civil date y-m-d (m 1..12), for any year; the algorithm of
// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

// The inverse of days_from_civil.
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly n decimal digits at s[*i] into *out.
static bool digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned k = 0; k < n; k++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

// Adds a and b, saturating at the int64_t limits.
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b) {
        return INT64_MAX;
    }
    if (b < 0 && a < INT64_MIN - b) {
        return INT64_MIN;
    }
    return a + b;
}

// Epoch seconds: [+-]digits[.digits]. Sub-millisecond digits are truncated toward zero. Seconds
// beyond the int64_t range are refused (IAM refuses 9223372036854775808); milliseconds that
// overflow saturate.
static int parse_epoch(const char *s, size_t len, int64_t *out_ms)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    size_t start = i;
    uint64_t secs = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (secs > (UINT64_MAX - dgt) / 10) {
            return -1;
        }
        secs = secs * 10 + dgt;
    }
    if (i == start || secs > (uint64_t)INT64_MAX) {
        return -1;
    }
    int64_t frac_ms = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t fstart = i;
        unsigned scale = 100;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            frac_ms += (int64_t)(s[i] - '0') * scale;
            scale /= 10;
        }
        if (i == fstart) {
            return -1;
        }
    }
    if (i != len) {
        return -1;
    }
    int64_t ms;
    if (secs > (uint64_t)(INT64_MAX / 1000)) {
        ms = INT64_MAX;
    } else {
        ms = sat_add((int64_t)secs * 1000, frac_ms);
    }
    *out_ms = neg ? (ms == INT64_MAX ? INT64_MIN : -ms) : ms;
    return 0;
}

// Parses the time and zone that follow the 'T' of an ISO form, from s[*i] to the end: hh:mm,
// optional :ss and .fraction (1 to 9 digits, truncated to milliseconds), then an optional zone
// "Z", "+hh", "+hh:mm" or "+hhmm". Stores the time of day in milliseconds and the zone offset.
static int parse_time(const char *s, size_t len, size_t i, int64_t *tod_ms, int64_t *offset_min)
{
    unsigned hour = 0;
    unsigned min = 0;
    unsigned sec = 0;
    unsigned ms = 0;
    if (!digits(s, len, &i, 2, &hour) || hour > 23 || i >= len || s[i++] != ':' ||
        !digits(s, len, &i, 2, &min) || min > 59) {
        return -1;
    }
    if (i < len && s[i] == ':') {
        i++;
        if (!digits(s, len, &i, 2, &sec) || sec > 59) {
            return -1;
        }
        if (i < len && s[i] == '.') {
            i++;
            size_t fstart = i;
            unsigned scale = 100;
            for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
                ms += (unsigned)(s[i] - '0') * scale;
                scale /= 10;
            }
            if (i == fstart || i - fstart > 9) {
                return -1;
            }
        }
    }
    *offset_min = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        bool neg = s[i++] == '-';
        unsigned oh = 0;
        unsigned om = 0;
        if (!digits(s, len, &i, 2, &oh) || oh > 23) {
            return -1;
        }
        bool colon = i < len && s[i] == ':';
        if (colon) {
            i++;
        }
        if ((colon || i < len) && (!digits(s, len, &i, 2, &om) || om > 59)) {
            return -1;
        }
        *offset_min = (int64_t)(oh * 60 + om) * (neg ? -1 : 1);
    }
    if (i != len) {
        return -1;
    }
    *tod_ms = (((int64_t)hour * 60 + min) * 60 + sec) * 1000 + ms;
    return 0;
}

// The W3C/ISO 8601 forms described at the top of the file: YYYY-MM, YYYY-MM-DD, or a date, 'T'
// and a time (parse_time).
static int parse_iso(const char *s, size_t len, int64_t *out_ms)
{
    size_t i = 0;
    unsigned year = 0;
    unsigned mon = 0;
    unsigned day = 1;
    int64_t tod_ms = 0;
    int64_t offset_min = 0;

    if (!digits(s, len, &i, 4, &year) || i >= len || s[i++] != '-' ||
        !digits(s, len, &i, 2, &mon) || mon < 1 || mon > 12) {
        return -1;
    }
    if (i < len) {
        if (s[i++] != '-' || !digits(s, len, &i, 2, &day) || day < 1 ||
            day > days_in_month(year, mon)) {
            return -1;
        }
        if (i < len) {
            if ((s[i] != 'T' && s[i] != 't') ||
                parse_time(s, len, i + 1, &tod_ms, &offset_min) != 0) {
                return -1;
            }
        }
    }
    int64_t days = days_from_civil(year, mon, day);
    *out_ms = (days * 86400 - offset_min * 60) * 1000 + tod_ms;
    return 0;
}

// Parses an ISO 8601 date-time or epoch seconds; see isotime.h for the contract.
int isotime_parse(const char *s, size_t len, int64_t *out_ms)
{
    if (s == NULL || len == 0) {
        return -1;
    }
    // Four digits and a '-' start every ISO form; anything else must be epoch seconds.
    bool iso = len >= 5 && s[4] == '-';
    return iso ? parse_iso(s, len, out_ms) : parse_epoch(s, len, out_ms);
}

// Formats ms as an ISO 8601 UTC timestamp with whole seconds; see isotime.h.
// Calendar fields of epoch seconds; see isotime.h.
void isotime_split(int64_t secs, struct isotime_fields *out)
{
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int64_t rem = secs - days * 86400;
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (unsigned)(rem / 3600);
    out->minute = (unsigned)(rem % 3600 / 60);
    out->second = (unsigned)(rem % 60);
}

size_t isotime_format(int64_t ms, char *out, size_t cap)
{
    if (cap == 0) {
        return 0;
    }
    int64_t secs = ms / 1000 - (ms % 1000 < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m;
    unsigned d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
                     (unsigned)(rem / 3600), (unsigned)(rem % 3600 / 60), (unsigned)(rem % 60));
    if (n < 0) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n < cap ? (size_t)n : cap - 1;
}
