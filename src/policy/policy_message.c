// SPDX-License-Identifier: Apache-2.0
// AWS's access-denied messages (IAM User Guide, "Troubleshoot access denied error messages"):
//   User: <principal> is not authorized to perform: <action> on resource: <resource>
//     because no <policy type> allows the <action> action
//   User: <principal> is not authorized to perform: <action> on resource: <resource>
//     with an explicit deny in a(n) <policy type>[: <policy ARN>]
// Role trust policies have their own wording for sts:AssumeRole ("because no role trust policy
// allows the sts:AssumeRole action", "with an explicit deny in the role trust policy"). The ARN
// of a managed identity-based policy or permissions boundary follows an explicit deny.
#include "policy/policy_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

// Returns the simulator's name of a result.
const char *policy_result_name(enum policy_result r)
{
    switch (r) {
    case POLICY_ALLOWED:
        return "Allowed";
    case POLICY_IMPLICIT_DENY:
        return "ImplicitlyDenied";
    case POLICY_EXPLICIT_DENY:
        return "ExplicitlyDenied";
    }
    return "Unknown";
}

// Returns the simulator's name of a policy type.
const char *policy_type_name(enum policy_type t)
{
    switch (t) {
    case POLICY_TYPE_IDENTITY:
        return "identity";
    case POLICY_TYPE_RESOURCE:
        return "resource";
    case POLICY_TYPE_SCP:
        return "scp";
    case POLICY_TYPE_RCP:
        return "rcp";
    case POLICY_TYPE_BOUNDARY:
        return "boundary";
    case POLICY_TYPE_SESSION:
        return "session";
    case POLICY_TYPE_ENDPOINT:
        return "vpc-endpoint";
    }
    return "unknown";
}

// The policy type as AWS's messages name it, with its article.
static const char *type_phrase(enum policy_type t, bool *an)
{
    *an = false;
    switch (t) {
    case POLICY_TYPE_IDENTITY:
        *an = true;
        return "identity-based policy";
    case POLICY_TYPE_RESOURCE:
        return "resource-based policy";
    case POLICY_TYPE_SCP:
        return "service control policy";
    case POLICY_TYPE_RCP:
        return "resource control policy";
    case POLICY_TYPE_BOUNDARY:
        return "permissions boundary";
    case POLICY_TYPE_SESSION:
        return "session policy";
    case POLICY_TYPE_ENDPOINT:
        return "VPC endpoint policy";
    }
    return "policy";
}

// The actions decided against a role trust policy, which AWS's messages name as such.
static bool is_assume_role(const char *action)
{
    return action != NULL && (strncasecmp(action, "sts:AssumeRole", 14) == 0 ||
                              strcasecmp(action, "sts:TagSession") == 0 ||
                              strcasecmp(action, "sts:SetSourceIdentity") == 0);
}

// Writes the denial message; see policy.h for the contract.
size_t policy_decision_message(const struct policy_decision *d, const struct policy_request *req,
                               char *out, size_t cap)
{
    if (cap > 0) {
        out[0] = '\0';
    }
    if (d->result == POLICY_ALLOWED) {
        return 0;
    }
    const char *who = req->principal.arn ? req->principal.arn : "anonymous";
    if (req->principal.type == POLICY_PRINCIPAL_ANONYMOUS) {
        who = "anonymous";
    }
    const char *action = req->action ? req->action : "";
    const char *res = req->resource;
    bool show_res = res != NULL && res[0] != '\0' && strcmp(res, "*") != 0;
    bool an = false;
    const char *phrase = type_phrase(d->reason, &an);
    bool trust = d->reason == POLICY_TYPE_RESOURCE && is_assume_role(action);

    char tail[2400];
    if (d->result == POLICY_EXPLICIT_DENY) {
        const char *arn = NULL;
        if ((d->reason == POLICY_TYPE_IDENTITY || d->reason == POLICY_TYPE_BOUNDARY) &&
            d->reason_policy != NULL) {
            arn = policy_arn(d->reason_policy);
        }
        if (trust) {
            snprintf(tail, sizeof(tail), "with an explicit deny in the role trust policy");
        } else {
            snprintf(tail, sizeof(tail), "with an explicit deny in %s %s%s%s", an ? "an" : "a",
                     phrase, arn ? ": " : "", arn ? arn : "");
        }
    } else {
        snprintf(tail, sizeof(tail), "because no %s allows the %s action",
                 trust ? "role trust policy" : phrase, action);
    }
    int n = snprintf(out, cap, "User: %s is not authorized to perform: %s%s%s %s", who, action,
                     show_res ? " on resource: " : "", show_res ? res : "", tail);
    return n < 0 ? 0 : (size_t)n;
}
