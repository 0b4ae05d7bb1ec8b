// SPDX-License-Identifier: Apache-2.0
// The AWS Query protocol (IAM, STS, CloudFormation) and its EC2 variant: form-encoded request
// parameters decoded into the typed tree of shape.h, and XML responses and errors.
//
// Requests (botocore serialize.py QuerySerializer / EC2Serializer, which the AWS "Query
// protocol" documentation describes): Action=Op&Version=V&Name=value; a structure member is
// Parent.Member; a list is Name.member.N (the list member's locationName replaces "member";
// flattened lists are Name.N), an empty list is "Name=" with no value; a map is
// Name.entry.N.key / Name.entry.N.value (flattened: Name.N.key). EC2 names members by queryName,
// else by the locationName with its first letter upper-cased, and its lists are always Name.N.
// Values are text: integers and longs in decimal, booleans as xsd:boolean (true, false, 1, 0),
// timestamps in ISO 8601 or epoch seconds, blobs in base64. Unknown parameters are ignored.
//
// Responses: <OpResponse xmlns="ns"><OpResult>...</OpResult><ResponseMetadata><RequestId>id
// </RequestId></ResponseMetadata></OpResponse>, lists as <member> elements (or the list
// member's locationName), maps as <entry><key/><value/></entry>, timestamps in ISO 8601 with
// milliseconds, booleans lower-case; EC2: <OpResponse xmlns="ns"><requestId>id</requestId>
// members...</OpResponse> with the model's locationNames (lists of <item>). Errors:
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>, and for
// EC2 <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
#ifndef SAGEBOX_QUERY_H
#define SAGEBOX_QUERY_H

#include "core/awserr.h"
#include "core/buf.h"
#include "proto/model.h"

#include <jansson.h>
#include <stddef.h>

// Decodes the form body[0..len) of op (a Query or EC2 operation of svc) into a new tree in *out
// (caller owns the reference). Returns 0, or -1 with err filled (400 MalformedInput for values
// that are not of their member's type; EC2: 400 InvalidParameterValue) and *out NULL. Does not
// validate constraints (shape_validate does).
int query_decode(const struct proto_service *svc, const struct proto_op *op, const char *body,
                 size_t len, json_t **out, struct awserr *err);

// Appends op's response for the output tree out (NULL for none) to body. Returns 0, or -1 when
// out does not fit the output shape (a member of the wrong JSON type: a handler's bug); body
// then holds a partial document the caller must discard.
int query_encode_response(const struct proto_service *svc, const struct proto_op *op,
                          const json_t *out, const char *request_id, struct buf *body);

// Appends the error document for e to body.
void query_encode_error(const struct proto_service *svc, const struct awserr *e,
                        const char *request_id, struct buf *body);

// Finds the first parameter name in the form body[0..len) and appends its decoded value to
// value. Returns 1 when found, 0 when not.
int query_form_value(const char *body, size_t len, const char *name, struct buf *value);

#endif
