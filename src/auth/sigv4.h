// SPDX-License-Identifier: Apache-2.0
// AWS Signature Version 4 verification, for both the Authorization header form and the
// query-string (presigned URL) form, as AWS documents them ("Signature Version 4 signing process",
// "Authenticating Requests: Using Query Parameters"). The module is pure: it reads the request
// exactly as received (raw request-target bytes, headers in order, body) and never touches a
// socket, the store or a global other than OpenSSL's algorithm handles (fetched once, then
// read-only). Scratch memory comes from a caller's arena; the derived signing keys live in a
// small cache the caller owns.
//
// A server verifies in four steps, in AWS's own order of checks:
//   1. sigv4_parse: which form, the claimed credential (access key id, scope), signed headers,
//      signature, request time and session token; malformed claims fail here.
//   2. sigv4_precheck: the clock (15 minutes of skew, X-Amz-Expires), 'host' signed, the scope
//      (terminator, date, and optionally the expected region and service).
//   3. the caller looks up the secret of claim.access_key_id (and checks the session token);
//      unknown keys and bad tokens are reported with SIGV4_UNKNOWN_KEY / SIGV4_INVALID_TOKEN /
//      SIGV4_EXPIRED_TOKEN through sigv4_failure_to_awserr.
//   4. sigv4_verify: the canonical request, the string to sign, the signature, compared in
//      constant time.
#ifndef SAGEBOX_SIGV4_H
#define SAGEBOX_SIGV4_H

#include "core/arena.h"
#include "core/awserr.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

// The largest clock difference AWS accepts between a signed request and the server (15 minutes).
#define SIGV4_MAX_SKEW_SECONDS 900
// The longest validity a presigned URL may claim in X-Amz-Expires (7 days).
#define SIGV4_MAX_EXPIRES_SECONDS 604800

// One header line as received; names repeat when the client sent a header more than once.
struct sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

// The request exactly as it came off the wire. Nothing is owned; everything must outlive the
// claim parsed from it.
struct sigv4_request {
    const char *method;    // NUL-terminated, as received ("POST")
    const char *raw_path;  // the request-target's path, not percent-decoded
    size_t raw_path_len;   // 0 is read as "/"
    const char *raw_query; // the part after '?', not decoded; NULL or "" for none
    size_t raw_query_len;
    const struct sigv4_header *headers;
    size_t header_count;
    const void *body; // the complete body (may be NULL when body_len is 0)
    size_t body_len;
    bool s3_rules;              // S3: path used as sent (no normalization, single encoding)
    const char *expect_region;  // NUL-terminated region the scope must name, or NULL for any
    const char *expect_service; // NUL-terminated service the scope must name, or NULL for any
};

// A length-carrying view; not NUL-terminated unless said so.
struct sigv4_str {
    const char *ptr;
    size_t len;
};

// What a request claims. The views point into the request (header form) or into the arena given
// to sigv4_parse (decoded presigned parameters), so the claim lives as long as both.
struct sigv4_claim {
    bool presigned;                  // query-string form
    struct sigv4_str algorithm;      // "AWS4-HMAC-SHA256"
    struct sigv4_str credential;     // "AKID/20260101/us-east-1/iam/aws4_request"
    struct sigv4_str access_key_id;  // "AKID"
    struct sigv4_str scope;          // "20260101/us-east-1/iam/aws4_request"
    struct sigv4_str scope_date;     // "20260101"
    struct sigv4_str region;         // "us-east-1"
    struct sigv4_str service;        // "iam"
    struct sigv4_str terminator;     // "aws4_request"
    struct sigv4_str signed_headers; // "content-type;host;x-amz-date"
    struct sigv4_str signature;      // 64 hex digits when well formed
    struct sigv4_str security_token; // x-amz-security-token / X-Amz-Security-Token; len 0 if none
    char amz_date[17];               // request time, "YYYYMMDDTHHMMSSZ", NUL-terminated
    time_t request_time;             // the same instant, seconds since the epoch
    bool has_expires;                // presigned with X-Amz-Expires
    long expires;                    // X-Amz-Expires in seconds when has_expires
};

// Why a request failed authentication; each maps to an AWS error per protocol.
enum sigv4_failure {
    SIGV4_OK = 0,
    SIGV4_MISSING_AUTH,            // no Authorization header and no X-Amz-Algorithm parameter
    SIGV4_INCOMPLETE,              // malformed header, parameters, credential, date, algorithm
    SIGV4_INVALID_SCOPE,           // scope/date mismatch, 'host' unsigned, both forms at once
    SIGV4_SKEW,                    // request time outside the 15-minute window
    SIGV4_PRESIGN_EXPIRED,         // presigned URL used after X-Amz-Date + X-Amz-Expires
    SIGV4_SIGNATURE_MISMATCH,      // the signature is not the one we computed
    SIGV4_UNKNOWN_KEY,             // (caller) no such access key id
    SIGV4_INVALID_TOKEN,           // (caller) session token missing, unknown or not the key's
    SIGV4_EXPIRED_TOKEN,           // (caller) temporary credentials past their expiration
    SIGV4_CONTENT_SHA256_MISMATCH, // (S3 rules) x-amz-content-sha256 is not the body's hash
};

// The wire protocol whose error codes a failure is reported in.
enum sigv4_protocol {
    SIGV4_PROTO_QUERY, // IAM, STS, CloudFormation: <ErrorResponse>, e.g. SignatureDoesNotMatch
    SIGV4_PROTO_JSON,  // KMS, Logs, SSM, SageMaker: __type, e.g. InvalidSignatureException
    SIGV4_PROTO_EC2,   // EC2: <Response><Errors>, e.g. AuthFailure
};

// The canonical request and the string to sign computed for a request, NUL-terminated, in the
// arena given to sigv4_canonical.
struct sigv4_strings {
    const char *canonical_request;
    size_t canonical_request_len;
    const char *string_to_sign;
    size_t string_to_sign_len;
};

// Derived signing keys by (secret, date, region, service); safe to share between threads.
struct sigv4_key_cache;

// Creates an empty key cache. Aborts on allocation failure; never returns NULL.
struct sigv4_key_cache *sigv4_key_cache_new(void);

// Wipes and frees a cache; NULL does nothing. No other thread may be using it.
void sigv4_key_cache_free(struct sigv4_key_cache *cache);

// Parses the SigV4 claim of rq: the Authorization header form, or the query-string form when the
// query has an X-Amz-Algorithm parameter. Checks, in AWS's order, that exactly one form is used,
// that the header's tokens are key=value pairs with Credential, SignedHeaders and Signature and a
// date header (or that the five required X-Amz-* parameters are there), the date format
// (X-Amz-Date in ISO 8601 basic format, or an HTTP Date header), X-Amz-Expires (0..604800), the
// algorithm (AWS4-HMAC-SHA256) and the credential's five slash-separated parts. Decoded presigned
// parameters are copied into scratch (not NULL); the claim points into scratch and into rq.
// Returns 0 with *out filled and *why = SIGV4_OK. On failure returns -1, leaves *out unchanged,
// sets *why to SIGV4_MISSING_AUTH, SIGV4_INCOMPLETE or SIGV4_INVALID_SCOPE and writes AWS's
// message for it into msg (NUL-terminated, truncated to msg_cap; msg may be NULL). why may be NULL.
int sigv4_parse(const struct sigv4_request *rq, struct arena *scratch, struct sigv4_claim *out,
                enum sigv4_failure *why, char *msg, size_t msg_cap);

// Checks what can be checked without the secret, in AWS's order: the request time against now
// (more than 15 minutes in the past or future: SIGV4_SKEW; a presigned URL with X-Amz-Expires is
// instead refused after X-Amz-Date + X-Amz-Expires: SIGV4_PRESIGN_EXPIRED), 'host' among the
// signed headers, then the scope: rq->expect_region and rq->expect_service when set, the
// terminator aws4_request and the scope date equal to the request date (SIGV4_INVALID_SCOPE, all
// scope problems in one message). Call it before looking up the secret, so that a request is
// judged as AWS judges it (a malformed scope is reported before an unknown key).
// Returns 0 and *why = SIGV4_OK, or -1 with *why and msg set as for sigv4_parse.
int sigv4_precheck(const struct sigv4_request *rq, const struct sigv4_claim *c, time_t now,
                   enum sigv4_failure *why, char *msg, size_t msg_cap);

// Builds the canonical request and the string to sign of rq as claimed by c (see sigv4.c for the
// rules), in scratch; *out points to them. Returns 0, or -1 with *why =
// SIGV4_CONTENT_SHA256_MISMATCH (S3 rules only: x-amz-content-sha256 names another body) and msg
// set; *out is then unchanged.
int sigv4_canonical(const struct sigv4_request *rq, const struct sigv4_claim *c,
                    struct arena *scratch, struct sigv4_strings *out, enum sigv4_failure *why,
                    char *msg, size_t msg_cap);

// Verifies the claim c of rq with the secret access key secret[0..secret_len): runs
// sigv4_precheck with now, builds the canonical request and the string to sign in scratch,
// derives the signing key (from cache when it holds it, else stored there; cache may be NULL) and
// compares the signature in constant time. Returns 0 when the signature is the right one.
// Otherwise returns -1 with *why set (a precheck failure, SIGV4_CONTENT_SHA256_MISMATCH or
// SIGV4_SIGNATURE_MISMATCH) and AWS's message in msg; for a mismatch that is the message the Query
// and JSON services send, with the canonical request and the string to sign they expected.
int sigv4_verify(const struct sigv4_request *rq, const struct sigv4_claim *c, const char *secret,
                 size_t secret_len, time_t now, struct sigv4_key_cache *cache,
                 struct arena *scratch, enum sigv4_failure *why, char *msg, size_t msg_cap);

// Fills *err with the HTTP status, code and message that AWS's services of protocol proto answer
// for why. msg is the message the sigv4 function returned with why (used where AWS words the
// failure per request; fixed wordings replace it elsewhere). Query (IAM, STS):
// MissingAuthenticationToken 403, IncompleteSignature 400, SignatureDoesNotMatch 403 (scope, skew
// and mismatch), RequestExpired 400, InvalidClientTokenId 403, ExpiredToken 403. JSON (KMS, Logs,
// SSM, SageMaker): MissingAuthenticationTokenException, IncompleteSignatureException,
// InvalidSignatureException, UnrecognizedClientException, ExpiredTokenException, all 400. EC2:
// MissingAuthenticationToken 401, IncompleteSignature 400, SignatureDoesNotMatch 403 (the bare
// sentence), RequestExpired 400 (skew, expiry, expired token), AuthFailure 401.
void sigv4_failure_to_awserr(enum sigv4_failure why, enum sigv4_protocol proto, const char *msg,
                             struct awserr *err);

#endif
