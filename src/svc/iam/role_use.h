// SPDX-License-Identifier: Apache-2.0
// A service using an IAM role of the caller's account, as AWS services do with the roles they are
// given (a flow log's delivery role, a SageMaker execution role): find the role by its ARN,
// decide whether the role's trust policy lets the service principal assume it (sts:AssumeRole,
// with the confused-deputy keys aws:SourceAccount and aws:SourceArn), and act as a session of the
// role: a caller and a request context of the role session, in which svc_authorize decides with
// the role's policies.
#ifndef SAGEBOX_SVC_IAM_ROLE_USE_H
#define SAGEBOX_SVC_IAM_ROLE_USE_H

#include "svc/svc.h"

#include <stdbool.h>

// Reads the role whose ARN is arn, in the caller's account. Returns 1 with *role (a new
// reference), 0 when no role of the caller's account has that ARN (another account, another
// path, no such role), -1 with c->err set (the service's 500) when the store fails.
int svc_role_load(struct svc_call *c, const char *arn, json_t **role);

// Decides whether role's trust policy lets service_principal ("sagemaker.amazonaws.com") assume
// it, with aws:SourceAccount = the caller's account and aws:SourceArn = source_arn (NULL: not
// set). Returns 0 with *ok, or -1 with c->err set.
int svc_role_trusts(struct svc_call *c, const json_t *role, const char *service_principal,
                    const char *source_arn, bool *ok);

// A session of a role: the role session's caller ("arn:aws:sts::A:assumed-role/NAME/SESSION",
// its principal tags) and a copy of the triggering call acting as it, for `service` (the
// signing name its decisions are made for).
struct svc_role_session {
    struct svc_caller caller;
    struct svc_call call;
};

// Builds the session of role named session_name in rs; svc_role_session_end releases it.
void svc_role_session_begin(struct svc_call *c, const json_t *role, const char *session_name,
                            const char *service, struct svc_role_session *rs);
void svc_role_session_end(struct svc_role_session *rs);

// Decides action on resource for the session. Returns 1 allowed, 0 denied, -1 with c->err set
// when a stored policy cannot be read.
int svc_role_session_may(struct svc_call *c, struct svc_role_session *rs, const char *action,
                         const char *resource);

#endif
