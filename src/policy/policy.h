// SPDX-License-Identifier: Apache-2.0
// The IAM policy engine: the AWS policy language (IAM User Guide, "IAM JSON policy elements
// reference" and "Policy evaluation logic") as a pure library. It parses policy documents into an
// immutable compiled form and decides whether a request is allowed, implicitly denied or
// explicitly denied by a set of policies of the kinds AWS has: identity-based, resource-based
// (including role trust and KMS key policies), permissions boundaries, session policies,
// Organizations SCPs and RCPs, and VPC endpoint policies.
//
// The engine does no I/O and keeps no global state: compiled policies and contexts can be shared
// between threads, and a decision allocates only from the caller's stack unless a policy needs
// more scratch space than that.
#ifndef SAGEBOX_POLICY_H
#define SAGEBOX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct policy;         // a compiled policy document; immutable once parsed
struct policy_context; // the request context: condition keys and their values

// What a document is used as. The kind decides which elements are allowed (Principal only in
// resource-based kinds) and the size quota IAM applies.
enum policy_kind {
    POLICY_KIND_IDENTITY,     // customer managed policy (6,144 characters)
    POLICY_KIND_INLINE_USER,  // inline policy of a user (2,048)
    POLICY_KIND_INLINE_GROUP, // inline policy of a group (5,120)
    POLICY_KIND_INLINE_ROLE,  // inline policy of a role (10,240)
    POLICY_KIND_BOUNDARY,     // managed policy used as a permissions boundary (6,144)
    POLICY_KIND_SESSION,      // session policy passed to AssumeRole or GetFederationToken (2,048)
    POLICY_KIND_TRUST,        // role trust policy (2,048)
    POLICY_KIND_RESOURCE,     // other resource-based policy, e.g. a bucket policy (20,480)
    POLICY_KIND_KEY,          // KMS key policy (32,768)
    POLICY_KIND_SCP,          // Organizations service control policy (5,120)
    POLICY_KIND_RCP,          // Organizations resource control policy (5,120)
    POLICY_KIND_ENDPOINT,     // VPC endpoint policy (20,480)
    POLICY_KIND_AWS_MANAGED,  // an AWS managed policy (arn:aws:iam::aws:policy/...): AWS's own
                              // documents are not held to the customer quota (up to 1 MiB here)
    POLICY_KIND_COUNT
};

// Why a document was refused. IAM returns MALFORMED as MalformedPolicyDocument and TOO_LARGE as
// LimitExceeded; the message is IAM's wording for the reason.
enum policy_error_code {
    POLICY_ERR_NONE = 0,
    POLICY_ERR_MALFORMED,
    POLICY_ERR_TOO_LARGE,
};

struct policy_error {
    enum policy_error_code code;
    char message[512];
};

// Parses and validates the JSON document json[0..json_len) as a policy of the given kind.
// name is a label used in decisions (a policy name, "inline:<name>", a Sid-less policy's index);
// arn is the managed policy ARN that AWS appends to explicit-deny messages, or NULL. Both are
// copied. On success stores a new policy in *out (free it with policy_free) and returns 0. On
// failure returns -1, leaves *out NULL and fills *err with the reason IAM gives.
int policy_parse(const char *json, size_t json_len, enum policy_kind kind, const char *name,
                 const char *arn, struct policy **out, struct policy_error *err);

// Frees a compiled policy; policy_free(NULL) does nothing.
void policy_free(struct policy *p);

// The label and ARN given to policy_parse (the ARN may be NULL).
const char *policy_name(const struct policy *p);
const char *policy_arn(const struct policy *p);

// The kind given to policy_parse, and the name of a kind as the simulator's input spells it.
enum policy_kind policy_kind(const struct policy *p);
const char *policy_kind_name(enum policy_kind kind);

// Who makes a request. The ARN is the one AWS reports as "User: ..." in denials.
enum policy_principal_type {
    POLICY_PRINCIPAL_ANONYMOUS,      // unauthenticated (S3 anonymous access)
    POLICY_PRINCIPAL_ROOT,           // arn:aws:iam::A:root
    POLICY_PRINCIPAL_USER,           // arn:aws:iam::A:user/path/name
    POLICY_PRINCIPAL_ROLE_SESSION,   // arn:aws:sts::A:assumed-role/role-name/session
    POLICY_PRINCIPAL_FEDERATED_USER, // arn:aws:sts::A:federated-user/name (GetFederationToken)
    POLICY_PRINCIPAL_SERVICE,        // an AWS service principal, e.g. sagemaker.amazonaws.com
    POLICY_PRINCIPAL_WEB_IDENTITY,   // AssumeRoleWithWebIdentity / WithSAML caller (Federated)
};

struct policy_principal {
    enum policy_principal_type type;
    const char *arn;     // as above; the service name for SERVICE; the provider for WEB_IDENTITY
    const char *account; // 12-digit account id ("" for anonymous and services)
    const char *identity_arn; // the role ARN of a role session, the IAM user ARN that called
                              // GetFederationToken for a federated user; NULL otherwise
    bool has_boundary;        // a permissions boundary is attached to the user or role
};

// Fills *out from an ARN or the word "anonymous", deriving type, account and identity ARN the way
// AWS does (an assumed-role ARN's role is arn:aws:iam::A:role/<name>; the role path is not in the
// session ARN, so it is lost, as in aws:PrincipalArn for sessions without a path). A string that
// ends in ".amazonaws.com" (or ".amazonaws.com.cn") is a service principal. Strings are stored in
// storage[0..storage_len) and *out points into it. Returns 0, or -1 if the text is not a principal.
int policy_principal_parse(const char *text, struct policy_principal *out, char *storage,
                           size_t storage_len);

// --- The request context ---------------------------------------------------------------------
// Condition keys are case-insensitive. A key holds one value or a list; a list (even of one
// element) makes the key multivalued, which is what the ForAnyValue/ForAllValues qualifiers
// iterate over. Values are copied.

// Returns a new, empty context. Never NULL.
struct policy_context *policy_context_new(void);

// Frees a context; policy_context_free(NULL) does nothing.
void policy_context_free(struct policy_context *ctx);

// Sets key to the single value value (replacing any earlier value of that key).
void policy_context_set(struct policy_context *ctx, const char *key, const char *value);

// Sets key to the list values[0..count) (count may be 0: an empty multivalued key).
void policy_context_set_list(struct policy_context *ctx, const char *key, const char *const *values,
                             size_t count);

// Returns true when key is present.
bool policy_context_has(const struct policy_context *ctx, const char *key);

// Removes key (case-insensitively) when present, so that keys describing one resource of a
// multi-resource decision (EC2's ec2:ResourceTag/*, ec2:Vpc ...) do not leak into the next one.
void policy_context_unset(struct policy_context *ctx, const char *key);

// Adds the global keys AWS derives from the principal when they are not already set:
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username (IAM users),
// aws:userid where it can be derived, aws:PrincipalServiceName (services) and
// aws:PrincipalIsAWSService (every signed request).
void policy_context_add_principal_keys(struct policy_context *ctx,
                                       const struct policy_principal *principal);

// --- Evaluation -----------------------------------------------------------------------------

// The policy types of AWS's evaluation logic, as bits so that a decision can name several.
enum policy_type {
    POLICY_TYPE_IDENTITY = 1u << 0,
    POLICY_TYPE_RESOURCE = 1u << 1,
    POLICY_TYPE_SCP = 1u << 2,
    POLICY_TYPE_RCP = 1u << 3,
    POLICY_TYPE_BOUNDARY = 1u << 4,
    POLICY_TYPE_SESSION = 1u << 5,
    POLICY_TYPE_ENDPOINT = 1u << 6,
};

// One level of an Organizations hierarchy (the root, an OU, the account): the SCPs or RCPs
// attached there. Every level must allow a request for it to be allowed.
struct policy_level {
    const struct policy *const *policies;
    size_t count;
};

// All the policies that apply to one request. Empty lists mean "none of this type": no
// boundary, no session policy, not in an organization, not through a VPC endpoint.
struct policy_set {
    const struct policy *const *identity; // the principal's identity-based policies
    size_t identity_count;
    const struct policy *resource; // the resource's policy (bucket, trust, key policy) or NULL
    const struct policy *const *boundaries; // permissions boundary of the user or role
    size_t boundary_count;
    const struct policy *const *session; // session policies of a role or federated session
    size_t session_count;
    const struct policy_level *scp; // SCP levels of the principal's account, root first
    size_t scp_level_count;
    const struct policy_level *rcp; // RCP levels of the resource's account, root first
    size_t rcp_level_count;
    const struct policy *const *endpoint; // policies of the VPC endpoints the request went through
    size_t endpoint_count;
    bool kms_grant_allows; // a KMS grant allows the request (grants are decided by the KMS service)
};

struct policy_request {
    const char *action;           // "service:Action", e.g. "sagemaker:CreateDomain"
    const char *resource;         // the resource ARN, or "*" for actions without a resource
    const char *resource_account; // owner of the resource; NULL to derive it from the ARN
    struct policy_principal principal;
    const struct policy_context *context; // may be NULL for an empty context
};

enum policy_result {
    POLICY_ALLOWED,
    POLICY_IMPLICIT_DENY,
    POLICY_EXPLICIT_DENY,
};

// A statement that matched: which policy, of which type, and its Sid or index.
struct policy_match {
    enum policy_type type;
    const struct policy *policy;
    uint32_t statement_index; // 0-based position in the Statement list
    const char *sid;          // NULL when the statement has no Sid
};

#define POLICY_MAX_MATCHES 16

struct policy_decision {
    enum policy_result result;
    unsigned blocked_by;     // every policy type that denied (explicitly or by not allowing)
    enum policy_type reason; // the type AWS names in its message (0 when allowed)
    const struct policy *reason_policy; // for explicit denies: the policy named in the message
    struct policy_match allowed_by[POLICY_MAX_MATCHES];
    size_t allowed_count;
    struct policy_match denied_by[POLICY_MAX_MATCHES];
    size_t denied_count;
};

// Decides req against set following AWS's evaluation logic: an explicit deny in any policy wins;
// RCPs, SCPs and endpoint policies must each allow; then resource-based and identity-based
// policies with AWS's same-account and cross-account rules, the role versus role-session rule,
// permissions boundaries and session policies; the root user, service principals and anonymous
// callers; KMS key policies and role trust policies being required; sts:GetCallerIdentity always
// allowed. Fills *out completely; returns the result. Never fails and allocates nothing on the
// heap unless policy variables expand beyond a few kilobytes.
enum policy_result policy_evaluate(const struct policy_request *req, const struct policy_set *set,
                                   struct policy_decision *out);

// Writes AWS's denial message for a decision into out[0..cap) (always NUL-terminated, truncated
// if cap is too small), e.g. "User: arn:aws:iam::111122223333:user/ana is not authorized to
// perform: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows
// the s3:GetObject action". Returns the length the full message needs (like snprintf); for an
// allowed decision writes "" and returns 0.
size_t policy_decision_message(const struct policy_decision *d, const struct policy_request *req,
                               char *out, size_t cap);

// Names of results and types as the simulator prints them: "Allowed", "ImplicitlyDenied",
// "ExplicitlyDenied"; "identity", "resource", "scp", "rcp", "boundary", "session", "vpc-endpoint".
const char *policy_result_name(enum policy_result r);
const char *policy_type_name(enum policy_type t);

// --- Validation beyond the grammar -----------------------------------------------------------

// A finding about a policy that is legal but suspicious.
struct policy_warning {
    uint32_t statement_index;
    char message[200];
};

// Looks for what IAM accepts but that is probably a mistake: an action that no service has, a
// resource ARN that can never match its actions' service, Allow with NotAction and Resource "*",
// a condition key of an unknown service. Writes up to max warnings into out and returns how many
// were found in total (which may exceed max).
size_t policy_lint(const struct policy *p, struct policy_warning *out, size_t max);

#endif
