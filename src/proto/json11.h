// SPDX-License-Identifier: Apache-2.0
// The AWS JSON 1.1 protocol (KMS, CloudWatch Logs, SSM, SageMaker): request bodies decoded into
// the typed tree of shape.h, responses and errors encoded as JSON.
//
// Requests (botocore serialize.py JSONSerializer): POST / with X-Amz-Target "<prefix>.<Op>" and
// Content-Type application/x-amz-json-1.1; the body is a JSON object keyed by member names (or
// locationNames), timestamps as epoch seconds, blobs as base64 strings. Unknown members and null
// values are ignored. Responses: the output structure the same way, timestamps as epoch seconds
// (an integer when whole, else with milliseconds). Errors: {"__type":"Code","message":"..."}
// (the service's own casing of "message" where its model declares the error; botocore
// parsers.py reads either), with the request id in the x-amzn-RequestId header.
#ifndef SAGEBOX_JSON11_H
#define SAGEBOX_JSON11_H

#include "core/awserr.h"
#include "core/buf.h"
#include "proto/model.h"

#include <jansson.h>
#include <stddef.h>

// Decodes body[0..len) of op (a JSON operation of svc) into a new tree in *out (caller owns it).
// An empty body is an empty object. Returns 0, or -1 with err filled (400
// SerializationException: not JSON, not an object, or a member of the wrong JSON type) and *out
// NULL. Does not validate constraints (shape_validate does).
int json11_decode(const struct proto_service *svc, const struct proto_op *op, const char *body,
                  size_t len, json_t **out, struct awserr *err);

// Appends op's response body for the output tree out (NULL for none: "{}") to body. Returns 0,
// or -1 when out does not fit the output shape (a handler's bug); body then holds a partial
// document the caller must discard.
int json11_encode_response(const struct proto_service *svc, const struct proto_op *op,
                           const json_t *out, struct buf *body);

// Appends tree encoded as the structure shape sh (a request or a response) to body, the way
// json11_encode_response does. Returns 0, or -1 when tree does not fit the shape.
int json11_encode_structure(const struct model_shape *sh, const json_t *tree, struct buf *body);

// Appends the error body for e to body.
void json11_encode_error(const struct proto_service *svc, const struct awserr *e, struct buf *body);

// Appends s[0..len) to out as a JSON string literal, quotes included (RFC 8259 section 7).
void json11_put_string(struct buf *out, const char *s, size_t len);

#endif
