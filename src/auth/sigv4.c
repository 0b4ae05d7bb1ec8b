// SPDX-License-Identifier: Apache-2.0
// AWS Signature Version 4 verification (see sigv4.h). It implements AWS's "Create a canonical
// request", "Create a string to sign", "Calculate the signature" and "Authenticating Requests:
// Using Query Parameters" documents from the server's side: the canonical request is rebuilt from
// the raw bytes received, the way Debian's botocore 1.29.27 signer (botocore/auth.py) builds it
// on the client's side, so that every request the real CLI and SDK send verifies:
//   - path, non-S3: dot segments removed and slashes merged (botocore's remove_dot_segments), then
//     every byte outside A-Z a-z 0-9 - _ . ~ / percent-encoded again ("double encoding");
//   - path, S3: as sent, with escapes only normalized (uppercase hex, unreserved bytes decoded);
//   - query: each key and value decoded then re-encoded per RFC 3986 (a raw '+' is a plus sign),
//     sorted by encoded key then encoded value; X-Amz-Signature left out of presigned URLs;
//   - headers: the signed names in order, values trimmed with inner blank runs collapsed, repeated
//     headers joined with ',';
//   - payload: SHA-256 of the body (S3: x-amz-content-sha256 as sent, checked against the body;
//     UNSIGNED-PAYLOAD for presigned S3 URLs and when the client declares it).
// The failure messages are AWS's own wordings as its services return them (sources cited where
// each is produced); sigv4_failure_to_awserr maps them to each protocol's code and HTTP status.
#include "auth/sigv4.h"
#include "core/isotime.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALGORITHM      "AWS4-HMAC-SHA256"
#define ALGORITHM_LEN  (sizeof(ALGORITHM) - 1)
#define TERMINATOR     "aws4_request"
#define UNSIGNED       "UNSIGNED-PAYLOAD"
#define SHA256_LEN     32
#define SHA256_HEX_LEN 64

// AWS's wording for a wrong signature ("Troubleshooting Signature Version 4 errors"; the same
// sentence in every Query and JSON service's SignatureDoesNotMatch/InvalidSignatureException).
#define MSG_MISMATCH                                                                               \
    "The request signature we calculated does not match the signature you provided. Check your "   \
    "AWS Secret Access Key and signing method. Consult the service documentation for details."

// ---------------------------------------------------------------------------------------------
// OpenSSL handles. Fetched once (OpenSSL 3.0 takes a global lock on every implicit fetch, see
// openssl#17064 and docs/c-stack.md 1.4) and read-only afterwards, so every thread may use them.

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;        // SHA-256, fetched once
static pthread_key_t md_ctx_key; // each thread's reusable digest context (freed at thread exit)

static void crypto_abort(const char *what)
{
    fprintf(stderr, "sagebox: OpenSSL %s failed\n", what);
    abort();
}

static void free_md_ctx(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void crypto_init(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256_md == NULL || pthread_key_create(&md_ctx_key, free_md_ctx) != 0) {
        crypto_abort("fetch of SHA256");
    }
}

// The calling thread's digest context, created on first use: EVP_Digest and EVP_MAC allocate
// and free contexts on every call, which cost more than hashing a request.
static EVP_MD_CTX *thread_md_ctx(void)
{
    pthread_once(&crypto_once, crypto_init);
    EVP_MD_CTX *ctx = pthread_getspecific(md_ctx_key);
    if (ctx == NULL) {
        ctx = EVP_MD_CTX_new();
        if (ctx == NULL || pthread_setspecific(md_ctx_key, ctx) != 0) {
            crypto_abort("digest context");
        }
    }
    return ctx;
}

// SHA-256 of parts[0..n) concatenated.
static void sha256_parts(const void *const *parts, const size_t *lens, size_t n,
                         unsigned char out[SHA256_LEN])
{
    EVP_MD_CTX *ctx = thread_md_ctx();
    unsigned int out_len = 0;
    if (!EVP_DigestInit_ex(ctx, sha256_md, NULL)) {
        crypto_abort("SHA-256");
    }
    for (size_t i = 0; i < n; i++) {
        if (!EVP_DigestUpdate(ctx, parts[i], lens[i])) {
            crypto_abort("SHA-256");
        }
    }
    if (!EVP_DigestFinal_ex(ctx, out, &out_len) || out_len != SHA256_LEN) {
        crypto_abort("SHA-256");
    }
}

static void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
    const void *parts[] = {data};
    size_t lens[] = {len};
    sha256_parts(parts, lens, 1, out);
}

// HMAC-SHA256 as RFC 2104 defines it: H((K ^ opad) || H((K ^ ipad) || msg)), with K the key
// zero-padded to the 64-byte block (hashed first when longer). Checked against OpenSSL's HMAC
// by the botocore vectors of tests/unit/test_auth_sigv4.c.
static void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                        unsigned char out[SHA256_LEN])
{
    enum { BLOCK = 64 };
    unsigned char k[BLOCK] = {0};
    if (key_len > BLOCK) {
        sha256(key, key_len, k);
    } else {
        memcpy(k, key, key_len);
    }
    unsigned char ipad[BLOCK];
    unsigned char opad[BLOCK];
    for (size_t i = 0; i < BLOCK; i++) {
        ipad[i] = (unsigned char)(k[i] ^ 0x36);
        opad[i] = (unsigned char)(k[i] ^ 0x5c);
    }
    unsigned char inner[SHA256_LEN];
    const void *in_parts[] = {ipad, msg};
    size_t in_lens[] = {BLOCK, msg_len};
    sha256_parts(in_parts, in_lens, 2, inner);
    const void *out_parts[] = {opad, inner};
    size_t out_lens[] = {BLOCK, SHA256_LEN};
    sha256_parts(out_parts, out_lens, 2, out);
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(ipad, sizeof(ipad));
    OPENSSL_cleanse(opad, sizeof(opad));
}

static void hex_lower(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
}

// ---------------------------------------------------------------------------------------------
// Messages: a bounded text builder over the caller's buffer (msg may be NULL), truncating.

struct text {
    char *p;
    size_t cap;
    size_t len;
};

static struct text text_start(char *msg, size_t cap)
{
    struct text t = {.p = msg, .cap = msg == NULL ? 0 : cap, .len = 0};
    if (t.cap > 0) {
        t.p[0] = '\0';
    }
    return t;
}

static void text_add(struct text *t, const char *s, size_t n)
{
    if (n == 0 || t->cap == 0 || t->len + 1 >= t->cap) {
        return;
    }
    size_t room = t->cap - 1 - t->len;
    size_t take = n < room ? n : room;
    memcpy(t->p + t->len, s, take);
    t->len += take;
    t->p[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

static void text_str(struct text *t, struct sigv4_str s)
{
    text_add(t, s.ptr, s.len);
}

static int fail(enum sigv4_failure *why, enum sigv4_failure f)
{
    if (why != NULL) {
        *why = f;
    }
    return -1;
}

// Fills msg with a fixed text and fails with f.
static int fail_msg(enum sigv4_failure *why, enum sigv4_failure f, char *msg, size_t cap,
                    const char *text)
{
    struct text t = text_start(msg, cap);
    text_puts(&t, text);
    return fail(why, f);
}

// ---------------------------------------------------------------------------------------------
// Small string helpers.

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static char lower(char c)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
    if (c >= 'A' && c <= 'Z') {
        return letters[c - 'A'];
    }
    return c;
}

static bool str_is(struct sigv4_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static bool str_ieq(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len) {
        return false;
    }
    for (size_t i = 0; i < a_len; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

static struct sigv4_str trim(const char *s, size_t n)
{
    while (n > 0 && is_blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1])) {
        n--;
    }
    return (struct sigv4_str){.ptr = s, .len = n};
}

// Walks a list of items separated by one character ("host;x-amz-date"). An empty list has no
// items; "a;;b" has an empty middle item.
struct splitter {
    const char *s;
    size_t len;
    size_t at;
    bool done;
};

static struct splitter split_start(struct sigv4_str list)
{
    return (struct splitter){.s = list.ptr, .len = list.len, .at = 0, .done = list.len == 0};
}

static bool split_next(struct splitter *sp, char sep, struct sigv4_str *item)
{
    if (sp->done) {
        return false;
    }
    size_t i = sp->at;
    while (i < sp->len && sp->s[i] != sep) {
        i++;
    }
    *item = (struct sigv4_str){.ptr = sp->s + sp->at, .len = i - sp->at};
    if (i >= sp->len) {
        sp->done = true;
    } else {
        sp->at = i + 1;
    }
    return true;
}

// The first header of that name (lname is lowercase), or NULL.
static const struct sigv4_header *find_header(const struct sigv4_request *rq, const char *lname)
{
    size_t n = strlen(lname);
    for (size_t i = 0; i < rq->header_count; i++) {
        const struct sigv4_header *h = &rq->headers[i];
        if (str_ieq(h->name, h->name_len, lname, n)) {
            return h;
        }
    }
    return NULL;
}

// Percent-decodes s into out (at least n bytes); '+' stays '+' and a '%' that does not start a
// valid escape is kept as a literal '%'. Returns the decoded length.
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n) {
            int hi = hex_value(s[i + 1]);
            int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out[o++] = (char)(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out[o++] = s[i];
    }
    return o;
}

// Percent-encodes s per RFC 3986 (unreserved bytes kept, '/' kept when keep_slash) into out (at
// least 3n bytes), uppercase hex. Returns the encoded length.
static size_t pct_encode(const char *s, size_t n, char *out, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = digits[c >> 4];
            out[o++] = digits[c & 15];
        }
    }
    return o;
}

// One raw "key=value" segment of a query string.
struct qpair {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

// Steps *pos over the raw query to its next non-empty '&'-separated segment; false at the end.
static bool next_pair(const char **pos, const char *end, struct qpair *out)
{
    const char *p = *pos;
    while (p < end && *p == '&') {
        p++;
    }
    if (p >= end) {
        *pos = p;
        return false;
    }
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *seg_end = amp != NULL ? amp : end;
    const char *eq = memchr(p, '=', (size_t)(seg_end - p));
    out->key = p;
    out->key_len = (size_t)((eq != NULL ? eq : seg_end) - p);
    out->value = eq != NULL ? eq + 1 : seg_end;
    out->value_len = (size_t)(seg_end - out->value);
    *pos = seg_end;
    return true;
}

// Whether a raw query key decodes to lit (the X-Amz-* parameter names are ASCII and short).
static bool key_is(const struct qpair *q, const char *lit)
{
    char buf[64];
    if (q->key_len > sizeof buf) {
        return false;
    }
    size_t n = pct_decode(q->key, q->key_len, buf);
    return n == strlen(lit) && memcmp(buf, lit, n) == 0;
}

static const char *query_end(const struct sigv4_request *rq)
{
    return rq->raw_query == NULL ? NULL : rq->raw_query + rq->raw_query_len;
}

static bool query_has(const struct sigv4_request *rq, const char *lit)
{
    const char *pos = rq->raw_query;
    struct qpair q;
    if (pos == NULL) {
        return false;
    }
    while (next_pair(&pos, query_end(rq), &q)) {
        if (key_is(&q, lit)) {
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Time.

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Checks a calendar date and time of day, then converts it (UTC) to seconds since the epoch.
static bool make_time(int year, int mon, int day, int hour, int min, int sec, time_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || hour > 23 || min > 59 || sec > 59) {
        return false;
    }
    int dim = mdays[mon - 1] + (mon == 2 && is_leap(year) ? 1 : 0);
    if (day > dim) {
        return false;
    }
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    *out = timegm(&tm);
    return true;
}

// Parses SigV4's ISO 8601 basic format, "YYYYMMDDTHHMMSSZ".
static bool parse_basic_time(const char *s, size_t n, time_t *out)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z' || !all_digits(s, 8) || !all_digits(s + 9, 6)) {
        return false;
    }
    return make_time(digits_value(s, 4), digits_value(s + 4, 2), digits_value(s + 6, 2),
                     digits_value(s + 9, 2), digits_value(s + 11, 2), digits_value(s + 13, 2), out);
}

// Parses an HTTP Date header (RFC 7231 IMF-fixdate, "Thu, 01 Jan 2026 00:00:00 GMT"), also with
// the numeric zones "+0000"/"-0000" that Python's email.utils.formatdate (botocore) writes.
static bool parse_http_date(const char *s, size_t n, time_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct sigv4_str v = trim(s, n);
    const char *p = v.ptr;
    const char *end = v.ptr + v.len;
    const char *comma = memchr(p, ',', v.len);
    if (comma != NULL) {
        p = comma + 1;
    }
    while (p < end && *p == ' ') {
        p++;
    }
    // "DD Mon YYYY HH:MM:SS ZONE"
    const char *day = p;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    size_t day_len = (size_t)(p - day);
    if (day_len < 1 || day_len > 2 || end - p < 22 || p[0] != ' ' || p[4] != ' ' || p[9] != ' ' ||
        p[12] != ':' || p[15] != ':' || p[18] != ' ') {
        return false;
    }
    int mon = 0;
    for (size_t m = 0; m < 12; m++) {
        if (memcmp(p + 1, months + 3 * m, 3) == 0) {
            mon = (int)m + 1;
        }
    }
    if (mon == 0 || !all_digits(p + 5, 4) || !all_digits(p + 10, 2) || !all_digits(p + 13, 2) ||
        !all_digits(p + 16, 2)) {
        return false;
    }
    struct sigv4_str zone = {.ptr = p + 19, .len = (size_t)(end - (p + 19))};
    if (!str_is(zone, "GMT") && !str_is(zone, "UTC") && !str_is(zone, "+0000") &&
        !str_is(zone, "-0000") && !str_is(zone, "Z")) {
        return false;
    }
    return make_time(digits_value(p + 5, 4), mon, digits_value(day, day_len),
                     digits_value(p + 10, 2), digits_value(p + 13, 2), digits_value(p + 16, 2),
                     out);
}

// Writes t as "YYYYMMDDTHHMMSSZ" (17 bytes with the NUL).
static void format_basic_time(time_t t, char out[17])
{
    struct isotime_fields f;
    isotime_split((int64_t)t, &f);
    int year = f.year < 0 ? -1 : f.year > 9999 ? 10000 : (int)f.year;
    int fields[] = {(int)f.month, (int)f.day, (int)f.hour, (int)f.minute, (int)f.second};
    if (year < 0 || year > 9999) {
        year = year < 0 ? 0 : 9999;
    }
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    char *o = out + 4;
    for (int i = 0; i < 5; i++) {
        if (i == 2) {
            *o++ = 'T';
        }
        *o++ = (char)('0' + fields[i] / 10);
        *o++ = (char)('0' + fields[i] % 10);
    }
    *o++ = 'Z';
    *o = '\0';
}

// ---------------------------------------------------------------------------------------------
// Parsing the claim.

static const char *const MSG_DATE_FORMAT_1 = "Date must be in ISO-8601 'basic format'. Got '";
static const char *const MSG_DATE_FORMAT_2 = "'. See http://en.wikipedia.org/wiki/ISO_8601";

// The Authorization header form: "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...". The checks and their messages follow AWS's responses as recorded by dynalite
// (mhart/dynalite index.js, which mirrors DynamoDB's Coral front end) and seen in client reports
// (aws/aws-sdk-go#289 for the key=value message): every token after the algorithm must be a
// key=value pair; Credential, Signature and SignedHeaders must be present, and X-Amz-Date or Date.
static int parse_header_form(const struct sigv4_request *rq, const struct sigv4_header *auth,
                             struct sigv4_claim *c, enum sigv4_failure *why, char *msg, size_t cap)
{
    struct sigv4_str hv = trim(auth->value, auth->value_len);
    if (hv.len < 5 || memcmp(hv.ptr, "AWS4-", 5) != 0) {
        // Another scheme (Basic, Bearer, SigV2 "AWS ...") is no SigV4 claim at all (dynalite).
        return fail_msg(why, SIGV4_MISSING_AUTH, msg, cap,
                        "Request is missing Authentication Token");
    }
    const char *p = hv.ptr;
    const char *end = hv.ptr + hv.len;
    while (p < end && *p != ' ' && *p != ',' && *p != '\t') {
        p++;
    }
    c->algorithm = (struct sigv4_str){.ptr = hv.ptr, .len = (size_t)(p - hv.ptr)};
    bool have_cred = false;
    bool have_sh = false;
    bool have_sig = false;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t')) {
            p++;
        }
        const char *tok = p;
        while (p < end && *p != ' ' && *p != ',' && *p != '\t') {
            p++;
        }
        size_t tok_len = (size_t)(p - tok);
        if (tok_len == 0) {
            break;
        }
        const char *eq = memchr(tok, '=', tok_len);
        if (eq == NULL) {
            struct text t = text_start(msg, cap);
            text_puts(&t, "'");
            text_add(&t, tok, tok_len);
            text_puts(&t, "' not a valid key=value pair (missing equal-sign) in Authorization "
                          "header: '");
            text_str(&t, hv);
            text_puts(&t, "'.");
            return fail(why, SIGV4_INCOMPLETE);
        }
        struct sigv4_str key = {.ptr = tok, .len = (size_t)(eq - tok)};
        struct sigv4_str val = {.ptr = eq + 1, .len = (size_t)(p - (eq + 1))};
        if (str_is(key, "Credential")) {
            c->credential = val;
            have_cred = val.len > 0;
        } else if (str_is(key, "SignedHeaders")) {
            c->signed_headers = val;
            have_sh = true;
        } else if (str_is(key, "Signature")) {
            c->signature = val;
            have_sig = val.len > 0;
        }
    }
    const struct sigv4_header *xdate = find_header(rq, "x-amz-date");
    const struct sigv4_header *date = find_header(rq, "date");
    if (!have_cred || !have_sig || !have_sh || (xdate == NULL && date == NULL)) {
        struct text t = text_start(msg, cap);
        if (!have_cred) {
            text_puts(&t, "Authorization header requires 'Credential' parameter. ");
        }
        if (!have_sig) {
            text_puts(&t, "Authorization header requires 'Signature' parameter. ");
        }
        if (!have_sh) {
            text_puts(&t, "Authorization header requires 'SignedHeaders' parameter. ");
        }
        if (xdate == NULL && date == NULL) {
            text_puts(&t, "Authorization header requires existence of either a 'X-Amz-Date' or "
                          "a 'Date' header. ");
        }
        text_puts(&t, "Authorization=");
        text_str(&t, hv);
        return fail(why, SIGV4_INCOMPLETE);
    }
    // X-Amz-Date wins over Date (AWS: "the date from X-Amz-Date, or Date if absent").
    bool ok;
    struct sigv4_str dv;
    if (xdate != NULL) {
        dv = trim(xdate->value, xdate->value_len);
        ok = parse_basic_time(dv.ptr, dv.len, &c->request_time);
    } else {
        dv = trim(date->value, date->value_len);
        ok = parse_http_date(dv.ptr, dv.len, &c->request_time);
    }
    if (!ok) {
        struct text t = text_start(msg, cap);
        text_puts(&t, MSG_DATE_FORMAT_1);
        text_str(&t, dv);
        text_puts(&t, MSG_DATE_FORMAT_2);
        return fail(why, SIGV4_INCOMPLETE);
    }
    const struct sigv4_header *tok = find_header(rq, "x-amz-security-token");
    if (tok != NULL) {
        c->security_token = trim(tok->value, tok->value_len);
    }
    return 0;
}

// Decodes a raw query value into a NUL-terminated arena copy.
static struct sigv4_str decode_value(struct arena *a, const struct qpair *q)
{
    char *buf = arena_alloc(a, q->value_len + 1);
    size_t n = pct_decode(q->value, q->value_len, buf);
    buf[n] = '\0';
    return (struct sigv4_str){.ptr = buf, .len = n};
}

// The query-string form. Missing parameters get AWS's message, in AWS's order (dynalite; the
// same wording in scratchstack-aws-signature's constants).
static int parse_query_form(const struct sigv4_request *rq, struct arena *a, struct sigv4_claim *c,
                            enum sigv4_failure *why, char *msg, size_t cap)
{
    static const char *const names[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                        "X-Amz-SignedHeaders", "X-Amz-Date"};
    struct sigv4_str found[5] = {{0}};
    struct sigv4_str expires = {0};
    bool have_expires = false;
    struct sigv4_str token = {0};
    bool have_token = false;
    const char *pos = rq->raw_query;
    struct qpair q;
    while (next_pair(&pos, query_end(rq), &q)) {
        for (int i = 0; i < 5; i++) {
            if (found[i].ptr == NULL && key_is(&q, names[i])) {
                found[i] = decode_value(a, &q);
            }
        }
        if (!have_expires && key_is(&q, "X-Amz-Expires")) {
            expires = decode_value(a, &q);
            have_expires = true;
        }
        if (!have_token && key_is(&q, "X-Amz-Security-Token")) {
            token = decode_value(a, &q);
            have_token = true;
        }
    }
    struct text t = text_start(msg, cap);
    bool missing = false;
    for (int i = 0; i < 5; i++) {
        if (found[i].len == 0) {
            text_puts(&t, "AWS query-string parameters must include '");
            text_puts(&t, names[i]);
            text_puts(&t, "'. ");
            missing = true;
        }
    }
    if (missing) {
        text_puts(&t, "Re-examine the query-string parameters.");
        return fail(why, SIGV4_INCOMPLETE);
    }
    c->presigned = true;
    c->algorithm = found[0];
    c->credential = found[1];
    c->signature = found[2];
    c->signed_headers = found[3];
    if (!parse_basic_time(found[4].ptr, found[4].len, &c->request_time)) {
        text_puts(&t, MSG_DATE_FORMAT_1);
        text_str(&t, found[4]);
        text_puts(&t, MSG_DATE_FORMAT_2);
        return fail(why, SIGV4_INCOMPLETE);
    }
    if (have_expires) {
        // S3's AuthorizationQueryParametersError wordings (S3 API reference, "Authenticating
        // Requests: Using Query Parameters": 1 to 604800 seconds); other services document none.
        struct sigv4_str e = expires;
        bool negative = e.len > 0 && e.ptr[0] == '-';
        struct sigv4_str digits = {.ptr = e.ptr + (negative ? 1 : 0),
                                   .len = e.len - (negative ? 1 : 0)};
        if (digits.len == 0 || !all_digits(digits.ptr, digits.len)) {
            text_puts(&t, "X-Amz-Expires should be a number");
            return fail(why, SIGV4_INCOMPLETE);
        }
        if (negative) {
            text_puts(&t, "X-Amz-Expires must be non-negative");
            return fail(why, SIGV4_INCOMPLETE);
        }
        long v = 0;
        for (size_t i = 0; i < digits.len && v <= SIGV4_MAX_EXPIRES_SECONDS; i++) {
            v = v * 10 + (digits.ptr[i] - '0');
        }
        if (v > SIGV4_MAX_EXPIRES_SECONDS) {
            text_puts(&t, "X-Amz-Expires must be less than a week (in seconds); that is, the "
                          "given X-Amz-Expires must be less than 604800 seconds");
            return fail(why, SIGV4_INCOMPLETE);
        }
        c->has_expires = true;
        c->expires = v;
    }
    if (have_token) {
        c->security_token = token;
    } else {
        const struct sigv4_header *h = find_header(rq, "x-amz-security-token");
        if (h != NULL) {
            c->security_token = trim(h->value, h->value_len);
        }
    }
    return 0;
}

// Parses the SigV4 claim of a request; see sigv4.h.
int sigv4_parse(const struct sigv4_request *rq, struct arena *scratch, struct sigv4_claim *out,
                enum sigv4_failure *why, char *msg, size_t msg_cap)
{
    struct sigv4_claim c = {.expires = 0};
    struct text t = text_start(msg, msg_cap);
    const struct sigv4_header *auth = find_header(rq, "authorization");
    bool query_form = query_has(rq, "X-Amz-Algorithm");
    if (auth != NULL && query_form) {
        // InvalidSignatureException in DynamoDB's answer (dynalite).
        text_puts(&t, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' "
                      "as HTTP header.");
        return fail(why, SIGV4_INVALID_SCOPE);
    }
    if (auth == NULL && !query_form) {
        text_puts(&t, "Request is missing Authentication Token");
        return fail(why, SIGV4_MISSING_AUTH);
    }
    int rc = auth != NULL ? parse_header_form(rq, auth, &c, why, msg, msg_cap)
                          : parse_query_form(rq, scratch, &c, why, msg, msg_cap);
    if (rc != 0) {
        return rc;
    }
    if (!str_is(c.algorithm, ALGORITHM)) {
        text_puts(&t, "Unsupported AWS 'algorithm': '");
        text_str(&t, c.algorithm);
        text_puts(&t, "' (only AWS4-HMAC-SHA256 for now). ");
        return fail(why, SIGV4_INCOMPLETE);
    }
    // keyid/date/region/service/terminator; trailing slashes are ignored (dynalite).
    struct sigv4_str cred = c.credential;
    while (cred.len > 0 && cred.ptr[cred.len - 1] == '/') {
        cred.len--;
    }
    struct sigv4_str part[5];
    size_t parts = 0;
    const char *p = cred.ptr;
    const char *end = cred.ptr + cred.len;
    while (parts < 6) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash != NULL ? slash : end;
        if (parts < 5) {
            part[parts] = (struct sigv4_str){.ptr = p, .len = (size_t)(stop - p)};
        }
        parts++;
        if (slash == NULL) {
            break;
        }
        p = slash + 1;
    }
    if (parts != 5) {
        text_puts(&t, "Credential must have exactly 5 slash-delimited elements, e.g. "
                      "keyid/date/region/service/term, got '");
        text_str(&t, c.credential);
        text_puts(&t, "'");
        return fail(why, SIGV4_INCOMPLETE);
    }
    c.credential = cred;
    c.access_key_id = part[0];
    c.scope_date = part[1];
    c.region = part[2];
    c.service = part[3];
    c.terminator = part[4];
    c.scope = (struct sigv4_str){.ptr = part[1].ptr, .len = (size_t)(end - part[1].ptr)};
    format_basic_time(c.request_time, c.amz_date);
    *out = c;
    if (why != NULL) {
        *why = SIGV4_OK;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Clock and scope.

static bool signed_has(struct sigv4_str list, const char *lname)
{
    struct splitter sp = split_start(list);
    struct sigv4_str item;
    size_t n = strlen(lname);
    while (split_next(&sp, ';', &item)) {
        if (str_ieq(item.ptr, item.len, lname, n)) {
            return true;
        }
    }
    return false;
}

// Checks the request time, the signed 'host' and the credential scope; see sigv4.h.
int sigv4_precheck(const struct sigv4_request *rq, const struct sigv4_claim *c, time_t now,
                   enum sigv4_failure *why, char *msg, size_t msg_cap)
{
    struct text t = text_start(msg, msg_cap);
    char req_s[17];
    char lim_s[17];
    char now_s[17];
    format_basic_time(c->request_time, req_s);
    format_basic_time(now, now_s);
    // The skew messages are AWS's (e.g. aws/aws-cli#6676 for STS, aws/aws-sdk-js#254 for a JSON
    // service, aws/aws-sdk-go#2194 for "not yet current"). A presigned URL that names its own
    // lifetime is judged by X-Amz-Expires instead of the 15 minutes in the past.
    if ((!c->presigned || !c->has_expires) && c->request_time < now - SIGV4_MAX_SKEW_SECONDS) {
        format_basic_time(now - SIGV4_MAX_SKEW_SECONDS, lim_s);
        text_puts(&t, "Signature expired: ");
        text_puts(&t, req_s);
        text_puts(&t, " is now earlier than ");
        text_puts(&t, lim_s);
        text_puts(&t, " (");
        text_puts(&t, now_s);
        text_puts(&t, " - 15 min.)");
        return fail(why, SIGV4_SKEW);
    }
    if (c->request_time > now + SIGV4_MAX_SKEW_SECONDS) {
        format_basic_time(now + SIGV4_MAX_SKEW_SECONDS, lim_s);
        text_puts(&t, "Signature not yet current: ");
        text_puts(&t, req_s);
        text_puts(&t, " is still later than ");
        text_puts(&t, lim_s);
        text_puts(&t, " (");
        text_puts(&t, now_s);
        text_puts(&t, " + 15 min.)");
        return fail(why, SIGV4_SKEW);
    }
    if (c->presigned && c->has_expires && now > c->request_time + (time_t)c->expires) {
        // RequestExpired: "more than 15 minutes after the request expiration date (such as for
        // pre-signed URLs)" (Common Errors of the IAM, STS and EC2 API references).
        text_puts(&t, "Request has expired.");
        return fail(why, SIGV4_PRESIGN_EXPIRED);
    }
    if (!signed_has(c->signed_headers, "host")) {
        // InvalidSignatureException / SignatureDoesNotMatch (dynalite; scratchstack).
        text_puts(&t, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return fail(why, SIGV4_INVALID_SCOPE);
    }
    // All scope problems in one message, in AWS's order (dynalite records DynamoDB's answer:
    // "Credential should be scoped to a valid region, not 'c'. Credential should be scoped to
    // correct service: 'dynamodb'. Credential should be scoped with a valid terminator:
    // 'aws4_request', not 'e'. Date in Credential scope does not match YYYYMMDD from ISO-8601
    // version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'.").
    bool bad = false;
    if (rq->expect_region != NULL && !str_is(c->region, rq->expect_region)) {
        text_puts(&t, "Credential should be scoped to a valid region, not '");
        text_str(&t, c->region);
        text_puts(&t, "'. ");
        bad = true;
    }
    if (rq->expect_service != NULL && !str_is(c->service, rq->expect_service)) {
        text_puts(&t, "Credential should be scoped to correct service: '");
        text_puts(&t, rq->expect_service);
        text_puts(&t, "'. ");
        bad = true;
    }
    if (!str_is(c->terminator, TERMINATOR)) {
        text_puts(&t, "Credential should be scoped with a valid terminator: 'aws4_request', not '");
        text_str(&t, c->terminator);
        text_puts(&t, "'. ");
        bad = true;
    }
    if (c->scope_date.len != 8 || memcmp(c->scope_date.ptr, c->amz_date, 8) != 0) {
        text_puts(&t, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                      "date from HTTP: '");
        text_str(&t, c->scope_date);
        text_puts(&t, "' != '");
        text_add(&t, c->amz_date, 8);
        text_puts(&t, "', from '");
        text_puts(&t, c->amz_date);
        text_puts(&t, "'.");
        bad = true;
    }
    if (bad) {
        return fail(why, SIGV4_INVALID_SCOPE);
    }
    if (why != NULL) {
        *why = SIGV4_OK;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// The canonical request.

// An arena region being filled. sigv4_canonical sizes it (cap) with an upper bound of what the
// writers below put there; the sanitizers cannot see an overrun inside an arena block, so the
// bound is asserted on every write.
struct out {
    char *p;
    size_t len;
    size_t cap;
};

static void out_add(struct out *o, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    assert(o->len + n <= o->cap);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void out_putc(struct out *o, char c)
{
    assert(o->len < o->cap);
    o->p[o->len++] = c;
}

static void out_encode(struct out *o, const char *s, size_t n, bool keep_slash)
{
    assert(o->len + 3 * n <= o->cap);
    o->len += pct_encode(s, n, o->p + o->len, keep_slash);
}

// Non-S3 path: botocore's remove_dot_segments (RFC 3986 5.2.4, plus merged slashes) on the raw
// bytes, then every byte but unreserved and '/' encoded once more.
static void canon_path_normalized(const char *path, size_t n, struct arena *a, struct out *o)
{
    size_t max_segs = 1;
    for (size_t i = 0; i < n; i++) {
        max_segs += path[i] == '/';
    }
    struct sigv4_str *seg = arena_alloc(a, max_segs * sizeof *seg);
    size_t count = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && path[j] != '/') {
            j++;
        }
        struct sigv4_str s = {.ptr = path + i, .len = j - i};
        if (s.len == 2 && s.ptr[0] == '.' && s.ptr[1] == '.') {
            if (count > 0) {
                count--;
            }
        } else if (s.len > 0 && !(s.len == 1 && s.ptr[0] == '.')) {
            seg[count++] = s;
        }
        i = j + 1;
    }
    if (path[0] == '/') {
        out_putc(o, '/');
    }
    for (size_t k = 0; k < count; k++) {
        if (k > 0) {
            out_putc(o, '/');
        }
        out_encode(o, seg[k].ptr, seg[k].len, false);
    }
    if (path[n - 1] == '/' && count > 0) {
        out_putc(o, '/');
    }
}

// S3 path: as sent, with each escape normalized to uppercase hex (or to the character itself when
// it is unreserved) and any byte that needs an escape given one; an escaped '/' stays escaped.
static void canon_path_s3(const char *path, size_t n, struct out *o)
{
    for (size_t i = 0; i < n; i++) {
        char c = path[i];
        if (c == '%' && i + 2 < n && hex_value(path[i + 1]) >= 0 && hex_value(path[i + 2]) >= 0) {
            char d = (char)(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
            out_encode(o, &d, 1, false);
            i += 2;
        } else {
            out_encode(o, &c, 1, true);
        }
    }
}

// A query parameter, decoded then re-encoded.
struct qparam {
    char *key;
    size_t key_len;
    char *value;
    size_t value_len;
};

static int qparam_cmp(const void *pa, const void *pb)
{
    const struct qparam *a = pa;
    const struct qparam *b = pb;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int r = memcmp(a->key, b->key, n);
    if (r != 0 || a->key_len != b->key_len) {
        return r != 0 ? r : (a->key_len < b->key_len ? -1 : 1);
    }
    n = a->value_len < b->value_len ? a->value_len : b->value_len;
    r = memcmp(a->value, b->value, n);
    if (r != 0 || a->value_len == b->value_len) {
        return r;
    }
    return a->value_len < b->value_len ? -1 : 1;
}

static char *reencode(struct arena *a, const char *s, size_t n, size_t *out_len)
{
    char *tmp = arena_alloc(a, n + 1);
    size_t d = pct_decode(s, n, tmp);
    char *enc = arena_alloc(a, 3 * d + 1);
    *out_len = pct_encode(tmp, d, enc, false);
    return enc;
}

// The canonical query string: every parameter but a presigned URL's X-Amz-Signature, decoded and
// re-encoded, sorted by key then value, "k=v" joined with '&'. Returns its length.
static void canon_query(const struct sigv4_request *rq, bool presigned, struct arena *a,
                        struct out *o)
{
    if (rq->raw_query == NULL || rq->raw_query_len == 0) {
        return;
    }
    size_t max = 1;
    for (size_t i = 0; i < rq->raw_query_len; i++) {
        max += rq->raw_query[i] == '&';
    }
    struct qparam *prm = arena_alloc(a, max * sizeof *prm);
    size_t count = 0;
    const char *pos = rq->raw_query;
    struct qpair q;
    while (next_pair(&pos, query_end(rq), &q)) {
        if (presigned && key_is(&q, "X-Amz-Signature")) {
            continue;
        }
        struct qparam *p = &prm[count++];
        p->key = reencode(a, q.key, q.key_len, &p->key_len);
        p->value = reencode(a, q.value, q.value_len, &p->value_len);
    }
    qsort(prm, count, sizeof *prm, qparam_cmp);
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            out_putc(o, '&');
        }
        out_add(o, prm[i].key, prm[i].key_len);
        out_putc(o, '=');
        out_add(o, prm[i].value, prm[i].value_len);
    }
}

// Appends a header value trimmed, with inner runs of blanks collapsed to one space (AWS's
// Trimall; botocore: ' '.join(value.split())). Returns the bytes written.
static void out_trimall(struct out *o, const char *v, size_t n)
{
    struct sigv4_str s = trim(v, n);
    bool gap = false;
    for (size_t i = 0; i < s.len; i++) {
        if (is_blank(s.ptr[i])) {
            gap = true;
            continue;
        }
        if (gap) {
            out_putc(o, ' ');
            gap = false;
        }
        out_putc(o, s.ptr[i]);
    }
}

// The bytes that canonical header lines can take: for each signed name, the name, ':', '\n' and
// every matching header's value plus a ','.
static size_t headers_bound(const struct sigv4_request *rq, struct sigv4_str list)
{
    struct splitter sp = split_start(list);
    struct sigv4_str name;
    size_t total = 0;
    while (split_next(&sp, ';', &name)) {
        total += name.len + 2;
        for (size_t i = 0; i < rq->header_count; i++) {
            const struct sigv4_header *h = &rq->headers[i];
            if (str_ieq(h->name, h->name_len, name.ptr, name.len)) {
                total += h->value_len + 1;
            }
        }
    }
    return total;
}

// One "name:value\n" line per signed name, in the client's order, lowercased.
static void canon_headers(const struct sigv4_request *rq, struct sigv4_str list, struct out *o)
{
    struct splitter sp = split_start(list);
    struct sigv4_str name;
    while (split_next(&sp, ';', &name)) {
        for (size_t i = 0; i < name.len; i++) {
            out_putc(o, lower(name.ptr[i]));
        }
        out_putc(o, ':');
        bool first = true;
        for (size_t i = 0; i < rq->header_count; i++) {
            const struct sigv4_header *h = &rq->headers[i];
            if (str_ieq(h->name, h->name_len, name.ptr, name.len)) {
                if (!first) {
                    out_putc(o, ',');
                }
                out_trimall(o, h->value, h->value_len);
                first = false;
            }
        }
        out_putc(o, '\n');
    }
}

static bool is_hex64(struct sigv4_str s)
{
    if (s.len != SHA256_HEX_LEN) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (hex_value(s.ptr[i]) < 0) {
            return false;
        }
    }
    return true;
}

// The payload line: see the file comment. On an S3 x-amz-content-sha256 that is a hash but not
// the body's, fails with SIGV4_CONTENT_SHA256_MISMATCH (S3's XAmzContentSHA256Mismatch).
static int canon_payload(const struct sigv4_request *rq, const struct sigv4_claim *c, struct out *o,
                         enum sigv4_failure *why, char *msg, size_t cap)
{
    unsigned char digest[SHA256_LEN];
    char body_hex[SHA256_HEX_LEN];
    sha256(rq->body_len > 0 ? rq->body : "", rq->body_len, digest);
    hex_lower(digest, SHA256_LEN, body_hex);
    const struct sigv4_header *h = find_header(rq, "x-amz-content-sha256");
    struct sigv4_str declared = {0};
    if (h != NULL) {
        declared = trim(h->value, h->value_len);
    }
    if (rq->s3_rules && h != NULL) {
        if (is_hex64(declared)) {
            bool same = true;
            for (size_t i = 0; i < SHA256_HEX_LEN; i++) {
                same = same && lower(declared.ptr[i]) == body_hex[i];
            }
            if (!same) {
                return fail_msg(why, SIGV4_CONTENT_SHA256_MISMATCH, msg, cap,
                                "The provided 'x-amz-content-sha256' header does not match what "
                                "was computed.");
            }
        }
        out_add(o, declared.ptr, declared.len);
        return 0;
    }
    if ((rq->s3_rules && c->presigned) || (h != NULL && str_is(declared, UNSIGNED))) {
        out_add(o, UNSIGNED, sizeof(UNSIGNED) - 1);
        return 0;
    }
    out_add(o, body_hex, SHA256_HEX_LEN);
    return 0;
}

// Builds the canonical request and the string to sign; see sigv4.h.
int sigv4_canonical(const struct sigv4_request *rq, const struct sigv4_claim *c,
                    struct arena *scratch, struct sigv4_strings *out, enum sigv4_failure *why,
                    char *msg, size_t msg_cap)
{
    pthread_once(&crypto_once, crypto_init);
    size_t method_len = strlen(rq->method);
    size_t path_len = rq->raw_path_len;
    const char *path = path_len > 0 ? rq->raw_path : "/";
    path_len = path_len > 0 ? path_len : 1;
    size_t payload_max = SHA256_HEX_LEN;
    const struct sigv4_header *xacs = find_header(rq, "x-amz-content-sha256");
    if (xacs != NULL && xacs->value_len > payload_max) {
        payload_max = xacs->value_len;
    }
    // Each byte of path or query takes at most 3 after encoding; a query segment without '=' gains
    // one, so a query takes at most 4 per raw byte.
    size_t bound = method_len + 1 + 3 * path_len + 1 + 4 * rq->raw_query_len + 1 +
                   headers_bound(rq, c->signed_headers) + 1 + c->signed_headers.len + 1 +
                   payload_max + 1;
    struct out o = {.p = arena_alloc(scratch, bound), .len = 0, .cap = bound};
    out_add(&o, rq->method, method_len);
    out_putc(&o, '\n');
    if (rq->s3_rules) {
        canon_path_s3(path, path_len, &o);
    } else {
        canon_path_normalized(path, path_len, scratch, &o);
    }
    out_putc(&o, '\n');
    canon_query(rq, c->presigned, scratch, &o);
    out_putc(&o, '\n');
    canon_headers(rq, c->signed_headers, &o);
    out_putc(&o, '\n');
    for (size_t i = 0; i < c->signed_headers.len; i++) {
        out_putc(&o, lower(c->signed_headers.ptr[i]));
    }
    out_putc(&o, '\n');
    int rc = canon_payload(rq, c, &o, why, msg, msg_cap);
    if (rc != 0) {
        return rc;
    }
    assert(o.len < o.cap);
    o.p[o.len] = '\0';
    out->canonical_request = o.p;
    out->canonical_request_len = o.len;

    unsigned char digest[SHA256_LEN];
    char digest_hex[SHA256_HEX_LEN];
    sha256(o.p, o.len, digest);
    hex_lower(digest, SHA256_LEN, digest_hex);
    size_t sts_len = ALGORITHM_LEN + 1 + 16 + 1 + c->scope.len + 1 + SHA256_HEX_LEN;
    struct out s = {.p = arena_alloc(scratch, sts_len + 1), .len = 0, .cap = sts_len + 1};
    out_add(&s, ALGORITHM "\n", ALGORITHM_LEN + 1);
    out_add(&s, c->amz_date, 16);
    out_putc(&s, '\n');
    out_add(&s, c->scope.ptr, c->scope.len);
    out_putc(&s, '\n');
    out_add(&s, digest_hex, SHA256_HEX_LEN);
    s.p[s.len] = '\0';
    out->string_to_sign = s.p;
    out->string_to_sign_len = s.len;
    if (why != NULL) {
        *why = SIGV4_OK;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Signing keys and their cache.

#define KC_SLOTS      64  // direct-mapped; a sandbox sees few (secret, day, region, service)
#define KC_SECRET_MAX 128 // longer secrets are derived every time, never cached
#define KC_NAME_MAX   32

struct kc_slot {
    bool used;
    unsigned char secret_len;
    unsigned char region_len;
    unsigned char service_len;
    char date[8];
    char secret[KC_SECRET_MAX];
    char region[KC_NAME_MAX];
    char service[KC_NAME_MAX];
    unsigned char key[SHA256_LEN];
};

struct sigv4_key_cache {
    pthread_mutex_t lock; // held only to compare or copy one slot
    struct kc_slot slot[KC_SLOTS];
};

// Allocates an empty cache; see sigv4.h.
struct sigv4_key_cache *sigv4_key_cache_new(void)
{
    struct sigv4_key_cache *kc = sb_xcalloc(1, sizeof *kc);
    if (pthread_mutex_init(&kc->lock, NULL) != 0) {
        crypto_abort("(pthread) mutex init");
    }
    return kc;
}

// Wipes the secrets and keys, then frees; see sigv4.h.
void sigv4_key_cache_free(struct sigv4_key_cache *cache)
{
    if (cache == NULL) {
        return;
    }
    pthread_mutex_destroy(&cache->lock);
    OPENSSL_cleanse(cache->slot, sizeof cache->slot);
    free(cache);
}

static uint32_t fnv1a(uint32_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static bool slot_matches(const struct kc_slot *s, const char *secret, size_t secret_len,
                         const struct sigv4_claim *c)
{
    return s->used && s->secret_len == secret_len && s->region_len == c->region.len &&
           s->service_len == c->service.len && memcmp(s->date, c->scope_date.ptr, 8) == 0 &&
           memcmp(s->region, c->region.ptr, c->region.len) == 0 &&
           memcmp(s->service, c->service.ptr, c->service.len) == 0 &&
           CRYPTO_memcmp(s->secret, secret, secret_len) == 0;
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
static void derive_key(const char *secret, size_t secret_len, const struct sigv4_claim *c,
                       struct arena *scratch, unsigned char out[SHA256_LEN])
{
    unsigned char *k = arena_alloc(scratch, secret_len + 4); // bytes, not a string
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): an HMAC key is bytes, not a string
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, secret_len);
    unsigned char a[SHA256_LEN];
    unsigned char b[SHA256_LEN];
    hmac_sha256(k, secret_len + 4, c->scope_date.ptr, c->scope_date.len, a);
    OPENSSL_cleanse(k, secret_len + 4);
    hmac_sha256(a, SHA256_LEN, c->region.ptr, c->region.len, b);
    hmac_sha256(b, SHA256_LEN, c->service.ptr, c->service.len, a);
    hmac_sha256(a, SHA256_LEN, c->terminator.ptr, c->terminator.len, out);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
}

static void signing_key(const char *secret, size_t secret_len, const struct sigv4_claim *c,
                        struct sigv4_key_cache *kc, struct arena *scratch,
                        unsigned char out[SHA256_LEN])
{
    bool cacheable = kc != NULL && secret_len <= KC_SECRET_MAX && c->scope_date.len == 8 &&
                     c->region.len <= KC_NAME_MAX && c->service.len <= KC_NAME_MAX &&
                     str_is(c->terminator, TERMINATOR);
    if (!cacheable) {
        derive_key(secret, secret_len, c, scratch, out);
        return;
    }
    uint32_t h = fnv1a(2166136261u, secret, secret_len);
    h = fnv1a(h, c->scope_date.ptr, 8);
    h = fnv1a(h, c->region.ptr, c->region.len);
    h = fnv1a(h, c->service.ptr, c->service.len);
    struct kc_slot *s = &kc->slot[h % KC_SLOTS];
    pthread_mutex_lock(&kc->lock);
    bool hit = slot_matches(s, secret, secret_len, c);
    if (hit) {
        memcpy(out, s->key, SHA256_LEN);
    }
    pthread_mutex_unlock(&kc->lock);
    if (hit) {
        return;
    }
    derive_key(secret, secret_len, c, scratch, out);
    pthread_mutex_lock(&kc->lock);
    s->used = true;
    s->secret_len = (unsigned char)secret_len;
    s->region_len = (unsigned char)c->region.len;
    s->service_len = (unsigned char)c->service.len;
    memcpy(s->date, c->scope_date.ptr, 8);
    memcpy(s->secret, secret, secret_len);
    memcpy(s->region, c->region.ptr, c->region.len);
    memcpy(s->service, c->service.ptr, c->service.len);
    memcpy(s->key, out, SHA256_LEN);
    pthread_mutex_unlock(&kc->lock);
}

// Verifies the signature of a parsed claim; see sigv4.h.
int sigv4_verify(const struct sigv4_request *rq, const struct sigv4_claim *c, const char *secret,
                 size_t secret_len, time_t now, struct sigv4_key_cache *cache,
                 struct arena *scratch, enum sigv4_failure *why, char *msg, size_t msg_cap)
{
    int rc = sigv4_precheck(rq, c, now, why, msg, msg_cap);
    if (rc != 0) {
        return rc;
    }
    struct sigv4_strings s;
    rc = sigv4_canonical(rq, c, scratch, &s, why, msg, msg_cap);
    if (rc != 0) {
        return rc;
    }
    unsigned char key[SHA256_LEN];
    unsigned char mac[SHA256_LEN];
    char mac_hex[SHA256_HEX_LEN];
    signing_key(secret, secret_len, c, cache, scratch, key);
    hmac_sha256(key, SHA256_LEN, s.string_to_sign, s.string_to_sign_len, mac);
    OPENSSL_cleanse(key, sizeof key);
    hex_lower(mac, SHA256_LEN, mac_hex);
    if (c->signature.len != SHA256_HEX_LEN ||
        CRYPTO_memcmp(mac_hex, c->signature.ptr, SHA256_HEX_LEN) != 0) {
        // The Query and JSON services add what they computed (aws/aws-sdk-cpp#17, boto/boto3#756,
        // dynalite's recorded DynamoDB answer).
        struct text t = text_start(msg, msg_cap);
        text_puts(&t, MSG_MISMATCH "\n\nThe Canonical String for this request should have been\n'");
        text_add(&t, s.canonical_request, s.canonical_request_len);
        text_puts(&t, "'\n\nThe String-to-Sign should have been\n'");
        text_add(&t, s.string_to_sign, s.string_to_sign_len);
        text_puts(&t, "'\n");
        return fail(why, SIGV4_SIGNATURE_MISMATCH);
    }
    if (why != NULL) {
        *why = SIGV4_OK;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Client-visible errors.

struct err_row {
    int status;
    const char *code;
    const char *fixed; // the message AWS always sends, or NULL to pass msg through
};

// Maps a failure to the protocol's error; see sigv4.h for the sources of each row.
void sigv4_failure_to_awserr(enum sigv4_failure why, enum sigv4_protocol proto, const char *msg,
                             struct awserr *err)
{
    static const char *const TOKEN_INVALID = "The security token included in the request is "
                                             "invalid.";
    static const char *const TOKEN_EXPIRED = "The security token included in the request is "
                                             "expired";
    static const char *const MISSING = "Request is missing Authentication Token";
    static const char *const EC2_AUTH = "AWS was not able to validate the provided access "
                                        "credentials";
    static const char *const EXPIRED = "Request has expired.";
    struct err_row r = {.status = 403, .code = "AccessDenied", .fixed = NULL};
    switch (proto) {
    case SIGV4_PROTO_QUERY:
        switch (why) {
        case SIGV4_MISSING_AUTH:
            r = (struct err_row){403, "MissingAuthenticationToken", MISSING};
            break;
        case SIGV4_INCOMPLETE:
            r = (struct err_row){400, "IncompleteSignature", NULL};
            break;
        case SIGV4_PRESIGN_EXPIRED:
            r = (struct err_row){400, "RequestExpired", EXPIRED};
            break;
        case SIGV4_INVALID_SCOPE:
        case SIGV4_SKEW:
        case SIGV4_SIGNATURE_MISMATCH:
        case SIGV4_CONTENT_SHA256_MISMATCH:
            r = (struct err_row){403, "SignatureDoesNotMatch", NULL};
            break;
        case SIGV4_UNKNOWN_KEY:
        case SIGV4_INVALID_TOKEN:
            r = (struct err_row){403, "InvalidClientTokenId", TOKEN_INVALID};
            break;
        case SIGV4_EXPIRED_TOKEN:
            r = (struct err_row){403, "ExpiredToken", TOKEN_EXPIRED};
            break;
        case SIGV4_OK:
            break;
        }
        break;
    case SIGV4_PROTO_JSON:
        switch (why) {
        case SIGV4_MISSING_AUTH:
            r = (struct err_row){400, "MissingAuthenticationTokenException", MISSING};
            break;
        case SIGV4_INCOMPLETE:
            r = (struct err_row){400, "IncompleteSignatureException", NULL};
            break;
        case SIGV4_PRESIGN_EXPIRED:
        case SIGV4_INVALID_SCOPE:
        case SIGV4_SKEW:
        case SIGV4_SIGNATURE_MISMATCH:
        case SIGV4_CONTENT_SHA256_MISMATCH:
            r = (struct err_row){400, "InvalidSignatureException", NULL};
            break;
        case SIGV4_UNKNOWN_KEY:
        case SIGV4_INVALID_TOKEN:
            r = (struct err_row){400, "UnrecognizedClientException", TOKEN_INVALID};
            break;
        case SIGV4_EXPIRED_TOKEN:
            r = (struct err_row){400, "ExpiredTokenException", TOKEN_EXPIRED};
            break;
        case SIGV4_OK:
            break;
        }
        break;
    case SIGV4_PROTO_EC2:
        switch (why) {
        case SIGV4_MISSING_AUTH:
            r = (struct err_row){401, "MissingAuthenticationToken", MISSING};
            break;
        case SIGV4_INCOMPLETE:
            r = (struct err_row){400, "IncompleteSignature", NULL};
            break;
        case SIGV4_SKEW:
        case SIGV4_PRESIGN_EXPIRED:
        case SIGV4_EXPIRED_TOKEN:
            r = (struct err_row){400, "RequestExpired", EXPIRED};
            break;
        case SIGV4_INVALID_SCOPE:
            r = (struct err_row){403, "SignatureDoesNotMatch", NULL};
            break;
        case SIGV4_SIGNATURE_MISMATCH:
        case SIGV4_CONTENT_SHA256_MISMATCH:
            r = (struct err_row){403, "SignatureDoesNotMatch", MSG_MISMATCH};
            break;
        case SIGV4_UNKNOWN_KEY:
        case SIGV4_INVALID_TOKEN:
            r = (struct err_row){401, "AuthFailure", EC2_AUTH};
            break;
        case SIGV4_OK:
            break;
        }
        break;
    }
    const char *text = r.fixed != NULL ? r.fixed : (msg != NULL ? msg : "");
    awserr_set(err, r.status, r.code, "%s", text);
}
