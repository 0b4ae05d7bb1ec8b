// SPDX-License-Identifier: Apache-2.0
// The service layer's common interface: what a handler of an AWS operation receives (the
// authenticated caller, the decoded input, the request context, the store), what it returns
// (an output tree or a struct awserr), and the one call every handler makes before it touches
// anything: svc_authorize, which asks the policy engine with the caller's policies, the
// resource's policy and the request context, and turns a denial into the service's AccessDenied
// with AWS's message.
//
// Trees are jansson values in the shape of the official service model (see proto/proto.h);
// handlers read `json_object_get(c->in, "UserName")` and fill c->out.
#ifndef SAGEBOX_SVC_H
#define SAGEBOX_SVC_H

#include "core/arena.h"
#include "core/awserr.h"
#include "policy/policy.h"
#include "store/store.h"
#include "svc/policy_cache.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

// Long-lived state shared by all requests (owned by the gateway).
struct svc_env {
    struct store *store;
    struct policy_cache *policies;
    const char *partition;      // "aws"
    const char *default_region; // the server's --region
    const char *data_dir;       // the server's data directory (KMS keeps its master key there)
    long clock_offset;          // seconds added to the real clock (SAGEBOX_CLOCK_OFFSET_SECONDS)
};

// The authenticated principal of a request, resolved from its access key by the auth layer.
struct svc_caller {
    struct policy_principal principal; // its strings point into the buffers below
    char arn[512];                     // as AWS reports it ("User: <arn> is not authorized ...")
    char account[16];
    char identity_arn[512];     // role ARN of a role session (with its path); "" otherwise
    char user_id[160];          // aws:userid: AIDA... for users, AROA...:session for role sessions,
                                // the account id for root
    char entity_id[64];         // the IAM id of the user or role whose policies apply ("" for root)
    char entity_name[128];      // the user or role name ("" for root)
    char access_key_id[32];     // the key that signed the request
    const char *session_doc;    // role and federated sessions: the stored session document (JSON
                                // text: session policies, tags, source identity); NULL otherwise
    const char *principal_tags; // JSON text of [{Key, Value}]: the user's or role's tags, with a
                                // session's tags overriding them; NULL when none
};

// One call of an operation.
struct svc_call {
    const struct svc_env *env;
    struct arena *arena; // the request's arena
    const char *request_id;
    const char *service;   // signing name: "iam", "sts", "kms", ...
    const char *operation; // "CreateUser"
    const char *region;    // the region of the credential scope
    const struct svc_caller *caller;
    struct policy_context *ctx; // the request context with the global keys the gateway set
                                // (aws:SourceIp, aws:CurrentTime, aws:Principal*, ...);
                                // handlers add their service keys, svc_authorize adds the rest
    time_t now;
    const json_t *in; // the validated input tree (never NULL: an empty object at least)
    json_t *out;      // the output tree; the handler creates it (NULL: no output members)
    struct awserr err;
    char decision[24]; // "Allowed", "ImplicitlyDenied", "ExplicitlyDenied" for the log
    // KMS: a grant allows the request (policy_set.kms_grant_allows) in the next svc_authorize.
    bool kms_grant_allows;
    // The request's Host header as received (NULL when absent): the address the client reached
    // sagebox at, for operations that answer a URL served by sagebox itself
    // (CreatePresignedDomainUrl).
    const char *http_host;
    const char *client_ip; // the peer's address ("127.0.0.1"); NULL outside a client request
};

// An operation handler: returns 0 after filling c->out, or -1 after filling c->err. On -1
// nothing may have been changed.
typedef int (*svc_handler_fn)(struct svc_call *c);

struct svc_handler {
    const char *operation;
    svc_handler_fn fn;
};

// Returns the handler of service (signing name) and operation, or NULL when sagebox does not
// serve that operation.
svc_handler_fn svc_find(const char *service, const char *operation);

// Appends the signing names of the services sagebox serves to a JSON array (the health
// endpoint lists them).
void svc_list_services(json_t *array);

// A resource-based policy that applies to a request, as stored with its resource.
struct svc_resource_policy {
    const char *document;  // the JSON text
    enum policy_kind kind; // POLICY_KIND_TRUST, POLICY_KIND_KEY, POLICY_KIND_RESOURCE ...
    const char *name;      // a label for decisions, e.g. "trust policy of role R"
};

// Decides whether the caller may perform action ("iam:CreateUser") on resource (an ARN, or "*"
// for actions without a resource) owned by resource_account (NULL: derived from the ARN), with
// the resource's policy rp (NULL when it has none). Loads the caller's identity policies,
// permissions boundary and session policies, adds aws:RequestedRegion, aws:CurrentTime and
// aws:EpochTime to the context, evaluates, and records the decision in c->decision. Returns 0
// when allowed; otherwise -1 with c->err set to the service's access-denied error carrying the
// engine's AWS-worded message (and 500 InternalFailure if a stored policy cannot be read).
int svc_authorize(struct svc_call *c, const char *action, const char *resource,
                  const char *resource_account, const struct svc_resource_policy *rp);

// Fills c->err with the service's "access denied" error for message (IAM/STS AccessDenied 403,
// JSON services AccessDeniedException 400, EC2 UnauthorizedOperation 403) and returns -1.
int svc_access_denied(struct svc_call *c, const char *message);

// Fills c->err with the 500 error the service's model declares for an internal failure (IAM
// ServiceFailure, KMS KMSInternalException, EC2 InternalError, InternalFailure elsewhere) and
// AWS's generic message; detail goes to the server's log only. Returns -1.
int svc_internal_error(struct svc_call *c, const char *detail);

// printf into the call's arena: the formatted text, never NULL ("" when formatting fails).
const char *svc_fmt(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *svc_vfmt(struct svc_call *c, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

// Maps a failed store call (rc, with the detail in e) to the service's error in c->err; returns
// -1.
typedef int (*svc_store_error_fn)(struct svc_call *c, int rc, const struct store_err *e);

// Runs body inside one store transaction, a write transaction or a read-only one: commits when
// body returns 0; when it returns -1, rolls back and drops c->out, so that a failed or denied
// call changes nothing. A store failure of the transaction itself goes through store_error.
// When the calling thread already has a transaction open (a background task calling KMS, say),
// body joins it instead: nothing is committed or rolled back here, the outer transaction's owner
// decides for everything (a write body inside a read-only transaction is an internal failure).
// Returns 0, or -1 with c->err set.
int svc_run_txn(struct svc_call *c, bool write, svc_handler_fn body,
                svc_store_error_fn store_error);

// Formats t as ISO 8601 UTC with milliseconds ("2026-11-28T07:11:28.000Z") into out[0..cap).
void svc_iso_time(time_t t, char *out, size_t cap);

#endif
