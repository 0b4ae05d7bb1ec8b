// SPDX-License-Identifier: Apache-2.0
// The entry points of the protocol layer (proto.h): service and operation lookup, routing,
// and dispatch to the protocol codecs (query.c, json11.c) and the validator (shape.c).
// Routing errors use the codes AWS's Query services answer for a missing or unknown Action
// (MissingAction "Missing Action"; InvalidAction "The action X is not valid for this web
// service.") and JSON services for an unknown X-Amz-Target (UnknownOperationException).
#include "proto/proto.h"

#include "proto/json11.h"
#include "proto/model.h"
#include "proto/query.h"
#include "proto/shape.h"

#include <stdbool.h>
#include <string.h>

_Static_assert((int)PROTO_QUERY == (int)MODEL_QUERY && (int)PROTO_EC2 == (int)MODEL_EC2 &&
                   (int)PROTO_JSON == (int)MODEL_JSON &&
                   (int)PROTO_REST_JSON == (int)MODEL_REST_JSON &&
                   (int)PROTO_REST_XML == (int)MODEL_REST_XML,
               "proto_protocol mirrors model_protocol");

// Finds a service by signing name; see proto.h.
const struct proto_service *proto_service_find(const char *signing_name)
{
    if (signing_name == NULL) {
        return NULL;
    }
    for (unsigned i = 0; i < model_service_count; i++) {
        if (strcmp(model_str(model_services[i].signing_name), signing_name) == 0) {
            return &model_services[i];
        }
    }
    return NULL;
}

// Returns the botocore name; see proto.h.
const char *proto_service_name(const struct proto_service *svc)
{
    return model_str(svc->name);
}

// Returns the signing name; see proto.h.
const char *proto_service_signing_name(const struct proto_service *svc)
{
    return model_str(svc->signing_name);
}

// Returns the API version; see proto.h.
const char *proto_service_api_version(const struct proto_service *svc)
{
    return model_str(svc->api_version);
}

// Returns the protocol; see proto.h.
enum proto_protocol proto_service_protocol(const struct proto_service *svc)
{
    return (enum proto_protocol)svc->protocol;
}

// Finds an operation; see proto.h.
const struct proto_op *proto_op_find(const struct proto_service *svc, const char *name)
{
    return model_op_find(svc, name, strlen(name));
}

// Returns an operation's name; see proto.h.
const char *proto_op_name(const struct proto_op *op)
{
    return model_str(op->name);
}

// Returns an operation's service; see proto.h.
const struct proto_service *proto_op_service(const struct proto_op *op)
{
    return model_op_service(op);
}

// Looks up a modeled error's status; see proto.h.
int proto_error_status(const struct proto_service *svc, const char *code)
{
    for (uint32_t i = 0; i < svc->shape_count; i++) {
        const struct model_shape *sh = &model_shapes[svc->shape_first + i];
        if (!(sh->flags & MODEL_SHAPE_EXCEPTION) ||
            strcmp(model_str(sh->error_code != 0 ? sh->error_code : sh->name), code) != 0) {
            continue;
        }
        if (sh->error_status != 0) {
            return sh->error_status;
        }
        return (sh->flags & MODEL_SHAPE_FAULT) ? 500 : 400;
    }
    return 0;
}

static bool is_query_like(const struct proto_service *svc)
{
    return svc->protocol == MODEL_QUERY || svc->protocol == MODEL_EC2;
}

// Reads a parameter of the form body, or of the query string when the body has none.
static int request_param(const struct proto_request *rq, const char *name, struct buf *out)
{
    if (rq->body != NULL && rq->body_len > 0 &&
        query_form_value(rq->body, rq->body_len, name, out) == 1) {
        return 1;
    }
    if (rq->query != NULL) {
        return query_form_value(rq->query, strlen(rq->query), name, out);
    }
    return 0;
}

static int route_target(const struct proto_request *rq, const struct proto_service **svc,
                        const struct proto_op **op, struct awserr *err)
{
    const char *dot = strrchr(rq->target, '.');
    size_t plen = dot != NULL ? (size_t)(dot - rq->target) : 0;
    for (unsigned i = 0; i < model_service_count && dot != NULL; i++) {
        const char *prefix = model_str(model_services[i].target_prefix);
        if (prefix[0] != '\0' && strlen(prefix) == plen && memcmp(prefix, rq->target, plen) == 0) {
            *svc = &model_services[i];
            break;
        }
    }
    if (*svc == NULL) {
        // Render for the signed service when it speaks JSON, so the client can read the error.
        const struct proto_service *scoped = proto_service_find(rq->scope_service);
        if (scoped != NULL && scoped->protocol == MODEL_JSON) {
            *svc = scoped;
        }
        return awserr_set(err, 400, "UnknownOperationException", "%s", "");
    }
    *op = model_op_find(*svc, dot + 1, strlen(dot + 1));
    if (*op == NULL) {
        return awserr_set(err, 400, "UnknownOperationException", "%s", "");
    }
    return 0;
}

// Routes a request; see proto.h.
int proto_route(const struct proto_request *rq, const struct proto_service **svc,
                const struct proto_op **op, struct awserr *err)
{
    struct buf action = BUF_INIT;
    struct buf version = BUF_INIT;
    int rc = -1;
    *svc = NULL;
    *op = NULL;
    if (rq->target != NULL && rq->target[0] != '\0') {
        rc = route_target(rq, svc, op, err);
        goto out;
    }
    const struct proto_service *scoped = proto_service_find(rq->scope_service);
    if (scoped != NULL && !is_query_like(scoped)) {
        *svc = scoped;
        awserr_set(err, 400, "UnknownOperationException", "%s", "");
        goto out;
    }
    bool has_action = request_param(rq, "Action", &action) == 1 && action.len > 0;
    bool has_version = request_param(rq, "Version", &version) == 1;
    if (scoped == NULL) {
        // Unsigned requests (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) name no scope:
        // the API version tells the Query services apart, else an action only one of them has.
        int found = 0;
        for (unsigned i = 0; i < model_service_count; i++) {
            const struct proto_service *s = &model_services[i];
            if (!is_query_like(s)) {
                continue;
            }
            if (has_version && strcmp(model_str(s->api_version), buf_cstr(&version)) == 0) {
                scoped = s;
                found = 1;
                break;
            }
            if (!has_version && has_action && model_op_find(s, action.data, action.len) != NULL) {
                scoped = s;
                found++;
            }
        }
        if (found != 1) {
            scoped = NULL;
        }
    }
    *svc = scoped;
    if (!has_action) {
        awserr_set(err, 400, "MissingAction", "Missing Action");
        goto out;
    }
    if (scoped != NULL) {
        *op = model_op_find(scoped, action.data, action.len);
    }
    if (*op == NULL) {
        awserr_set(err, 400, "InvalidAction", "The action %.*s is not valid for this web service.",
                   (int)(action.len > 128 ? 128 : action.len), buf_cstr(&action));
        goto out;
    }
    rc = 0;
out:
    buf_free(&action);
    buf_free(&version);
    return rc;
}

// Decodes and validates a request; see proto.h.
int proto_decode(const struct proto_op *op, const char *body, size_t len, const char *content_type,
                 json_t **out, struct awserr *err)
{
    (void)content_type;
    const struct proto_service *svc = model_op_service(op);
    json_t *tree = NULL;
    int rc;
    *out = NULL;
    switch (svc->protocol) {
    case MODEL_QUERY:
    case MODEL_EC2:
        rc = query_decode(svc, op, body, len, &tree, err);
        break;
    case MODEL_JSON:
        rc = json11_decode(svc, op, body, len, &tree, err);
        break;
    default:
        rc = awserr_set(err, 500, "InternalFailure", "The protocol of this service is not served");
        break;
    }
    if (rc != 0) {
        return -1;
    }
    if (op->input >= 0 && shape_validate(svc, &model_shapes[op->input], tree, err) != 0) {
        json_decref(tree);
        return -1;
    }
    *out = tree;
    return 0;
}

static const char *content_type_of(const struct proto_service *svc)
{
    if (svc == NULL) {
        return "text/xml";
    }
    switch (svc->protocol) {
    case MODEL_JSON:
        return "application/x-amz-json-1.1";
    case MODEL_EC2:
        return "text/xml;charset=UTF-8";
    default:
        return "text/xml";
    }
}

// Encodes a response; see proto.h.
int proto_encode_response(const struct proto_op *op, const json_t *out, const char *request_id,
                          struct buf *body, const char **content_type)
{
    const struct proto_service *svc = model_op_service(op);
    *content_type = content_type_of(svc);
    switch (svc->protocol) {
    case MODEL_QUERY:
    case MODEL_EC2:
        return query_encode_response(svc, op, out, request_id, body);
    case MODEL_JSON:
        return json11_encode_response(svc, op, out, body);
    default:
        return -1;
    }
}

// Replaces each byte of s[0..len) that does not start a valid UTF-8 sequence with '?'.
static void sanitize_utf8(char *s, size_t len)
{
    size_t k = 0;
    while (k < len) {
        unsigned char c = (unsigned char)s[k];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (k + n > len || !shape_utf8_valid(s + k, n)) {
            s[k] = '?';
            n = 1;
        }
        k += n;
    }
}

// Encodes an error; see proto.h.
int proto_encode_error(const struct proto_service *svc, const struct awserr *e,
                       const char *request_id, struct buf *body, const char **content_type)
{
    struct awserr clean = *e;
    // Messages may quote request bytes; make them valid UTF-8 for the JSON and XML writers.
    size_t mlen = strnlen(clean.message, sizeof(clean.message) - 1);
    clean.message[mlen] = '\0';
    clean.code[strnlen(clean.code, sizeof(clean.code) - 1)] = '\0';
    sanitize_utf8(clean.message, mlen);
    *content_type = content_type_of(svc);
    if (svc != NULL && svc->protocol == MODEL_JSON) {
        json11_encode_error(svc, &clean, body);
    } else {
        query_encode_error(svc, &clean, request_id, body);
    }
    return 0;
}

// Names the request id header; see proto.h.
const char *proto_request_id_header(const struct proto_service *svc)
{
    if (svc != NULL && svc->protocol == MODEL_REST_XML) {
        return "x-amz-request-id";
    }
    return "x-amzn-RequestId";
}
