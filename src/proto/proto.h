// SPDX-License-Identifier: Apache-2.0
// The protocol layer: routes a request to a service and operation of the official AWS service
// models, decodes its parameters into a typed tree that is validated against the model, and
// encodes responses and errors in the service's protocol (AWS JSON 1.1, Query, EC2). The model
// tables are generated from Debian's botocore (tools/gen_models.py), so serving a new operation
// is writing its handler.
//
// The typed tree (jansson; the same for every protocol, requests and responses):
//   structure -> object keyed by the model's member names ("UserName", not wire names)
//   list      -> array              map -> object keyed by the map's keys
//   string    -> string             boolean -> true / false
//   integer, long -> integer        float, double -> real
//   timestamp -> requests: a real of epoch seconds (millisecond precision); responses: an
//                integer or real of epoch seconds, or an ISO 8601 string
//   blob      -> its base64 text (strict RFC 4648), both ways
// Handlers read `json_object_get(in, "UserName")` and build outputs the same way; members absent
// from the request are absent from the tree (null counts as absent); unknown request members
// are dropped. Decoded trees have passed the model's validation: required members are there,
// strings, lists and maps within their lengths, numbers within their ranges, strings matching
// their patterns and enums.
//
// Errors travel as struct awserr (core/awserr.h); this layer renders them. Protocol errors it
// raises itself: InvalidAction / MissingAction (Query), UnknownOperationException (JSON),
// MalformedInput / SerializationException (values of the wrong type), ValidationError /
// ValidationException / MissingParameter / InvalidParameterValue (constraints).
#ifndef SAGEBOX_PROTO_H
#define SAGEBOX_PROTO_H

#include "core/awserr.h"
#include "core/buf.h"

#include <jansson.h>
#include <stddef.h>

struct proto_service; // a service of the model tables; immutable, lives forever
struct proto_op;      // an operation; immutable, lives forever

enum proto_protocol {
    PROTO_QUERY,     // iam, sts, cloudformation
    PROTO_EC2,       // ec2
    PROTO_JSON,      // kms, logs, ssm, sagemaker (JSON 1.1)
    PROTO_REST_JSON, // not served yet
    PROTO_REST_XML,  // not served yet
};

// Returns the service whose SigV4 signing name is signing_name ("iam", "sts", "sagemaker"), or
// NULL.
const struct proto_service *proto_service_find(const char *signing_name);

// Returns the service's botocore name ("iam"), signing name, API version ("2010-05-08") and
// protocol.
const char *proto_service_name(const struct proto_service *svc);
const char *proto_service_signing_name(const struct proto_service *svc);
const char *proto_service_api_version(const struct proto_service *svc);
enum proto_protocol proto_service_protocol(const struct proto_service *svc);

// Returns the operation of svc named name ("CreateUser"), or NULL.
const struct proto_op *proto_op_find(const struct proto_service *svc, const char *name);

// Returns the operation's name and its service.
const char *proto_op_name(const struct proto_op *op);
const struct proto_service *proto_op_service(const struct proto_op *op);

// Returns the HTTP status svc's model gives the error code ("NoSuchEntity" -> 404,
// "EntityAlreadyExists" -> 409 in IAM), 400 (500 for a fault) for a modeled error without one,
// or 0 when svc's model does not declare the code.
int proto_error_status(const struct proto_service *svc, const char *code);

// What routing reads of an HTTP request. Strings are NUL-terminated and borrowed; any may be
// NULL when the request lacks it.
struct proto_request {
    const char *method;        // "POST", "GET"
    const char *query;         // the raw query string, without '?'
    const char *content_type;  // Content-Type
    const char *target;        // X-Amz-Target
    const char *scope_service; // the service of the SigV4 credential scope (header or query)
    const char *body;          // the raw body
    size_t body_len;
};

// Finds the service and operation of rq: by X-Amz-Target ("<targetPrefix>.<Op>") for the JSON
// protocol; otherwise by the Action parameter (form body, or query string when the body has
// none) of the service named by the credential scope, or, for unsigned requests, the Query
// service whose API version matches the Version parameter, or the only one with that action.
// Returns 0 with *svc and *op set. Returns -1 with err filled (400 UnknownOperationException,
// MissingAction, InvalidAction) and *op NULL; *svc is then the service the error must be
// rendered for, or NULL when none could be told.
int proto_route(const struct proto_request *rq, const struct proto_service **svc,
                const struct proto_op **op, struct awserr *err);

// Decodes the parameters of op into a new, validated tree in *out (the caller owns the
// reference). body[0..len) is the request body for POST; for a Query GET pass the raw query
// string. content_type is informational (the protocol comes from the model) and may be NULL.
// Returns 0, or -1 with err filled in the service's terms and *out NULL.
int proto_decode(const struct proto_op *op, const char *body, size_t len, const char *content_type,
                 json_t **out, struct awserr *err);

// Appends op's successful response body for the output tree out (NULL when the operation has
// no output or nothing to say) to body, and sets *content_type (a static string). Returns 0,
// or -1 when out does not fit the output shape (a handler's bug: answer 500 InternalFailure
// with proto_encode_error instead); body may then hold a partial document to discard.
int proto_encode_response(const struct proto_op *op, const json_t *out, const char *request_id,
                          struct buf *body, const char **content_type);

// Appends the error body for e in svc's protocol to body and sets *content_type (a static
// string). svc NULL (the request named no known service) renders a Query ErrorResponse without
// a namespace. The HTTP status is e->status. Returns 0.
int proto_encode_error(const struct proto_service *svc, const struct awserr *e,
                       const char *request_id, struct buf *body, const char **content_type);

// Returns the name of the response header that carries the request id for svc's protocol:
// "x-amzn-RequestId" (JSON, Query, EC2; botocore reads it for JSON), "x-amz-request-id"
// (REST-XML, S3).
const char *proto_request_id_header(const struct proto_service *svc);

#endif
