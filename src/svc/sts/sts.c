// SPDX-License-Identifier: Apache-2.0
// AWS Security Token Service (Query protocol, API 2011-06-15): who is calling, and temporary
// credentials. GetCallerIdentity needs no permission and cannot be denied (STS API Reference,
// "GetCallerIdentity"); the policy engine knows that rule, and the call still goes through
// svc_authorize so that every operation is decided in one place.
#include "svc/registry.h"

#include <string.h>

// GetCallerIdentity: UserId, Account and Arn of the credentials that signed the request.
static int get_caller_identity(struct svc_call *c)
{
    if (svc_authorize(c, "sts:GetCallerIdentity", "*", NULL, NULL) != 0) {
        return -1;
    }
    c->out = json_object();
    json_object_set_new(c->out, "UserId", json_string(c->caller->user_id));
    json_object_set_new(c->out, "Account", json_string(c->caller->account));
    json_object_set_new(c->out, "Arn", json_string(c->caller->arn));
    return 0;
}

const struct svc_handler sts_handlers[] = {
    {"GetCallerIdentity", get_caller_identity},
    {NULL, NULL},
};
