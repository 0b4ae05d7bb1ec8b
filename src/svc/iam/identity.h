// SPDX-License-Identifier: Apache-2.0
// The identity side of authorization: which policies apply to a caller (IAM User Guide, "Policy
// evaluation logic"): a user's inline policies, the managed policies attached to it, and those
// of its groups; a role session's role's inline and attached policies; the permissions boundary
// of the user or role; the session policies of a role or federated session. The account root
// has none. Documents are read through the layout of iam_store.h.
#ifndef SAGEBOX_IAM_IDENTITY_H
#define SAGEBOX_IAM_IDENTITY_H

#include "svc/svc.h"

#include <stddef.h>

// One policy document and how to compile it; strings live in the request's arena (or are
// static, for AWS managed policies).
struct iam_policy_doc {
    const char *document;
    const char *name; // the label of decisions: the policy name, "inline:<name>" for inline ones
    const char *arn;  // managed policies: their ARN (AWS appends it to explicit-deny messages)
    enum policy_kind kind;
};

// A growable list in the request's arena.
struct iam_policy_docs {
    struct iam_policy_doc *items;
    size_t count;
    size_t cap;
};

// Fills the three lists for c->caller (each starts empty). Returns 0, or -1 with c->err set
// (500) when the store fails.
int iam_caller_policies(struct svc_call *c, struct iam_policy_docs *identity,
                        struct iam_policy_docs *boundary, struct iam_policy_docs *session);

// Finds the default version's document of the managed policy arn: an AWS managed policy from
// the catalog, or a customer managed policy of the account. Sets *doc (and *name, the policy's
// name) and returns 0; returns SB_ENOTFOUND when there is no such policy, another negative
// store code on failure. Strings live in c's arena or are static.
int iam_managed_policy_document(struct svc_call *c, const char *account, const char *arn,
                                const char **doc, const char **name);

#endif
