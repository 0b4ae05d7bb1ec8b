// SPDX-License-Identifier: Apache-2.0
// The typed request/response tree and its validation against the service model.
//
// Every protocol decodes a request into the same jansson tree, and handlers build responses the
// same way (the conventions are documented in proto.h): structures and maps are objects keyed by
// the model's member names (maps by their keys), lists are arrays, strings are strings,
// integers and longs are integers, floats and doubles are reals, booleans are true/false,
// timestamps are reals of epoch seconds (decoded with millisecond precision), blobs are their
// base64 text.
//
// shape_validate then checks a decoded tree against the input shape the way AWS's request
// validation does: required members, string/blob/list/map lengths, numeric ranges, patterns and
// enums, and reports every violation in one message in the style AWS's services use
// ("2 validation errors detected: Value 'x' at 'userName' failed to satisfy constraint: Member
// must satisfy regular expression pattern: [\w+=,.@-]+; ..."), or, for EC2, the first violation
// as EC2 words it.
#ifndef SAGEBOX_SHAPE_H
#define SAGEBOX_SHAPE_H

#include "core/awserr.h"
#include "core/buf.h"
#include "proto/model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Validates tree against shape (a structure) of svc's model. Returns 0 when every constraint
// holds; otherwise fills err with the service's validation error (Query: 400 ValidationError;
// JSON: 400 ValidationException; EC2: 400 MissingParameter or InvalidParameterValue) and
// returns -1. Patterns the matcher cannot evaluate (jregex.h) are not checked.
int shape_validate(const struct proto_service *svc, const struct model_shape *shape,
                   const json_t *tree, struct awserr *err);

// Reports whether s[0..len) is strict base64 (RFC 4648 section 4: the standard alphabet, length
// a multiple of four, '=' padding only at the end, zero pad bits); stores the decoded length in
// *decoded_len when it is.
bool shape_base64_check(const char *s, size_t len, size_t *decoded_len);

// Reports whether s[0..len) is valid UTF-8 (no overlong forms, surrogates or values beyond
// U+10FFFF).
bool shape_utf8_valid(const char *s, size_t len);

// Returns the number of UTF-16 code units of the valid UTF-8 text s[0..len): the length Java's
// String.length() and so AWS's length constraints count.
size_t shape_utf16_length(const char *s, size_t len);

// Reads a timestamp of an output tree: an integer or real of epoch seconds, or a string in ISO
// 8601 or epoch seconds. Stores milliseconds since the epoch in *ms and returns 0, or returns -1
// for anything else.
int shape_timestamp_ms(const json_t *v, int64_t *ms);

// Reports whether d is a whole number strictly between -limit and limit (limit at most 2^63),
// without libm.
bool shape_double_is_whole(double d, double limit);

// Returns secs (finite, |secs| <= 1e14) as milliseconds, rounded half away from zero.
int64_t shape_seconds_to_ms(double secs);

// Formats ms as ISO 8601 with milliseconds, "2024-05-01T12:00:00.000Z", into out (at least 32
// bytes). Returns the length.
size_t shape_format_iso8601(int64_t ms, char *out, size_t cap);

// Formats ms as JSON epoch seconds: an integer when whole, else up to three decimals
// ("1714564800", "1714564800.123"). Returns the length.
size_t shape_format_epoch(int64_t ms, char *out, size_t cap);

// Formats d as the shortest decimal text that reads back as the same double ("0.5", "1e+100").
// Returns the length.
size_t shape_format_double(double d, char *out, size_t cap);

// Returns the wire name of member m of a structure under protocol: EC2 input uses queryName,
// else the locationName with its first letter upper-cased, else the member name; every other
// case uses locationName, else the member name. Writes into out (at least 128 bytes) when it
// must build the name; returns a pointer to the name either way.
const char *shape_wire_name(const struct model_member *m, enum model_protocol protocol, bool input,
                            char *out, size_t cap);

#endif
