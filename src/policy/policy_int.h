// SPDX-License-Identifier: Apache-2.0
// Private declarations shared by the files of the policy module: the compiled form of a policy
// document and the interfaces between the parser, the condition operators, the variable
// expander, the matcher and the evaluator. Nothing outside src/policy/ includes this header.
#ifndef SAGEBOX_POLICY_INT_H
#define SAGEBOX_POLICY_INT_H

#include "core/arena.h"
#include "core/cidr.h"
#include "core/jsonv.h"
#include "policy/policy.h"

#include <stdbool.h>
#include <stdint.h>

enum pol_version {
    POL_VERSION_2008 = 0, // "2008-10-17" or no Version: policy variables are plain text
    POL_VERSION_2012 = 1, // "2012-10-17": ${...} is a policy variable
};

// A string from the document: an Action, Resource or Principal entry, or a condition value.
struct pol_str {
    const char *s;    // NUL-terminated, in the policy's arena; actions are lowercased
    const char *orig; // the same text as written in the document (for messages)
    uint32_t len;
    bool has_vars;    // contains "${" and the policy is 2012-10-17: expand before use
    bool has_wild;    // contains '*' or '?'
    bool one_star;    // exactly one '*' and no '?': prefix*suffix, matched without wildcard_match
    uint32_t pre_len; // length of the literal text before the first wildcard or variable
    uint32_t suf_len; // with one_star: length of the literal text after the '*'
    const struct pol_arn *arn; // Resource entries without variables: the pattern pre-split
};

// Fills the matching hints of a pol_str (one_star, pre_len, suf_len) from its text; the parser
// and the condition compiler call it on every pattern.
void pol_str_hints(struct pol_str *p);

// Matches text[0..n) against the pattern p (no variables), case-sensitively, using its hints.
bool pol_str_match(const struct pol_str *p, const char *text, size_t n);

// An ARN (or ARN pattern) split into its parts: the first five end at a colon (one not escaped
// by WILDCARD_LITERAL), the sixth takes the rest. count is the number of parts found (1..6).
struct pol_arn {
    const char *s; // the whole text
    uint32_t len;
    uint8_t count;
    uint32_t off[6];
    uint32_t part_len[6];
    uint8_t kind[6]; // patterns only: ARN_PART_ANY ("*"), ARN_PART_LITERAL, ARN_PART_WILD
};

enum { ARN_PART_LITERAL = 0, ARN_PART_ANY = 1, ARN_PART_WILD = 2 };

struct pol_strlist {
    struct pol_str *items;
    uint32_t count;
};

// A Principal or NotPrincipal element. AWS entries are normalised: a bare account id becomes
// "arn:aws:iam::<id>:root".
struct pol_principal {
    bool present;           // the element exists in the statement
    bool any;               // "*" or {"AWS": "*"}
    struct pol_strlist aws; // account roots, users, roles, assumed-role and federated-user ARNs
    struct pol_strlist service;
    struct pol_strlist federated;
    struct pol_strlist canonical_user;
};

// The condition operators of "IAM JSON policy elements: Condition operators".
enum pol_cond_op {
    COND_STRING_EQUALS,
    COND_STRING_NOT_EQUALS,
    COND_STRING_EQUALS_IGNORE_CASE,
    COND_STRING_NOT_EQUALS_IGNORE_CASE,
    COND_STRING_LIKE,
    COND_STRING_NOT_LIKE,
    COND_NUMERIC_EQUALS,
    COND_NUMERIC_NOT_EQUALS,
    COND_NUMERIC_LESS_THAN,
    COND_NUMERIC_LESS_THAN_EQUALS,
    COND_NUMERIC_GREATER_THAN,
    COND_NUMERIC_GREATER_THAN_EQUALS,
    COND_DATE_EQUALS,
    COND_DATE_NOT_EQUALS,
    COND_DATE_LESS_THAN,
    COND_DATE_LESS_THAN_EQUALS,
    COND_DATE_GREATER_THAN,
    COND_DATE_GREATER_THAN_EQUALS,
    COND_BOOL,
    COND_BINARY_EQUALS,
    COND_IP_ADDRESS,
    COND_NOT_IP_ADDRESS,
    COND_ARN_EQUALS,
    COND_ARN_LIKE,
    COND_ARN_NOT_EQUALS,
    COND_ARN_NOT_LIKE,
    COND_NULL,
    COND_OP_COUNT
};

enum pol_set_qualifier {
    SET_NONE, // single-valued semantics (a multivalued key: any value satisfies)
    SET_ANY,  // ForAnyValue:
    SET_ALL,  // ForAllValues:
};

// One value of a condition, pre-parsed for its operator when it contains no policy variable.
struct pol_cond_value {
    struct pol_str text; // the value as written (JSON numbers and booleans as their text)
    bool parsed;         // the typed member below is valid
    union {
        double num;       // Numeric*
        int64_t ms;       // Date*: milliseconds since the epoch
        bool b;           // Bool, Null
        struct cidr cidr; // IpAddress, NotIpAddress
        struct {
            uint8_t *bytes;
            size_t len;
        } bin; // BinaryEquals: the base64-decoded value
    } v;
};

// One operator/key pair of a Condition block with its values (OR between values; AND between
// the pairs of a statement).
struct pol_cond {
    enum pol_cond_op op;
    enum pol_set_qualifier set;
    bool if_exists;
    const char *key; // lowercased condition key, e.g. "aws:sourcevpc", "aws:principaltag/team"
    uint32_t key_len;
    struct pol_cond_value *values;
    uint32_t value_count;
};

enum pol_effect {
    EFFECT_ALLOW,
    EFFECT_DENY,
};

struct pol_stmt {
    const char *sid; // NULL when absent
    uint32_t index;  // position in the Statement list
    enum pol_effect effect;
    bool not_action;              // NotAction instead of Action
    struct pol_strlist actions;   // lowercased
    uint64_t service_mask;        // pol_service_bit() of each Action entry's service prefix; all
                                  // bits for NotAction or a prefix with wildcards (a prefilter)
    bool has_resource;            // Resource or NotResource present (absent in trust policies)
    bool not_resource;            // NotResource instead of Resource
    struct pol_strlist resources; // as written
    bool not_principal;           // NotPrincipal instead of Principal
    struct pol_principal principal;
    struct pol_cond *conds;
    uint32_t cond_count;
};

struct policy {
    struct arena arena; // owns every string and array below
    enum policy_kind kind;
    enum pol_version version;
    const char *name;
    const char *arn; // NULL when not a managed policy
    const char *id;  // the Id element, or NULL
    struct pol_stmt *stmts;
    uint32_t stmt_count;
};

// --- The request context (policy_context.c) -------------------------------------------------

struct pol_ctx_entry {
    char *key; // lowercased
    size_t key_len;
    char **values;
    size_t *value_lens;
    size_t count;
    bool multi; // set as a list: multivalued
};

struct policy_context {
    struct pol_ctx_entry *entries;
    size_t count;
    size_t cap;
    struct arena arena;    // keys, values and the entry array live here (freed with the context)
    char inline_buf[2048]; // a typical request's keys fit without touching the heap
};

// Returns the entry for the lowercased key lkey[0..len), or NULL when the key is absent.
const struct pol_ctx_entry *pol_ctx_find(const struct policy_context *ctx, const char *lkey,
                                         size_t len);

// --- Evaluation environment shared by the matcher, variables and conditions ------------------

struct pol_env {
    const struct policy_context *ctx; // never NULL during evaluation (an empty one instead)
    struct arena *scratch;            // per-decision scratch memory
    const struct pol_arn *resource;   // the request's resource, split once per decision
};

// --- Policy variables (policy_vars.c) ---------------------------------------------------------

// Expands the policy variables of s[0..len) (IAM User Guide, "IAM policy elements: Variables and
// tags"): ${key} takes the single value of a request key, ${key, 'default'} falls back to the
// default when the key is absent, ${*} ${?} ${$} are the literal characters. When glob_escape is
// true every '*', '?' and WILDCARD_LITERAL byte that comes from a value (not from the pattern
// text itself) is preceded by WILDCARD_LITERAL, so that wildcard_match treats it literally.
// Returns true and sets *out/*out_len (allocated from scratch, or s itself when nothing changes)
// when every variable resolved; returns false when a variable has no value and no default, or
// names a multivalued key (AWS then treats the string as not matching).
bool pol_vars_expand(const char *s, size_t len, const struct pol_env *env, bool glob_escape,
                     const char **out, size_t *out_len);

// --- Condition operators (policy_cond.c) -------------------------------------------------------

// Compiles one "Operator": {"key": value-or-list} pair. op_name is the operator as written (with
// its ForAnyValue:/ForAllValues: prefix and IfExists suffix), key the condition key as written,
// value the JSON value (a string, number, boolean or a non-empty list of those). Allocates from
// a. Returns 0, or -1 with err filled with IAM's MalformedPolicyDocument reason (unknown
// operator, a value the operator cannot take, an empty list, a bad key).
int pol_cond_compile(struct arena *a, const char *op_name, const char *key,
                     const struct jsonv *value, enum pol_version version, struct pol_cond *out,
                     struct policy_error *err);

// Evaluates one compiled condition against the request context with AWS's semantics for missing
// keys, multivalued keys, set qualifiers, IfExists and negated operators.
bool pol_cond_eval(const struct pol_cond *c, const struct pol_env *env);

// --- Matching (policy_match.c) -------------------------------------------------------------------

// Returns the prefilter bit of the service prefix of the lowercased action (or action pattern)
// act[0..len): a hash of the text before the first ':' onto 64 bits.
uint64_t pol_service_bit(const char *act, size_t len);

// Returns true when the lowercased action act[0..len) matches one of the statement's Action
// entries (or none of its NotAction entries).
bool pol_match_action(const struct pol_stmt *st, const char *act, size_t len);

// Returns true when the resource ARN matches the statement's Resource (or not its NotResource),
// expanding policy variables. A statement without Resource matches every resource (trust
// policies).
bool pol_match_resource(const struct pol_stmt *st, const char *resource, const struct pol_env *env);

// Matches an ARN against an ARN pattern component by component, as IAM does for Resource and the
// Arn* operators: the six colon-separated parts are compared separately, the last one taking the
// rest of the ARN; wildcards never cross a part boundary except in the last part.
bool pol_match_arn(const char *pattern, size_t pat_len, const char *arn, size_t arn_len);

// Splits s[0..len) into ARN parts (see struct pol_arn); with classify, also records each part's
// kind for matching as a pattern.
void pol_arn_split(const char *s, size_t len, bool classify, struct pol_arn *out);

// pol_match_arn on texts already split by pol_arn_split (the pattern with classify).
bool pol_match_arn_split(const struct pol_arn *pattern, const struct pol_arn *arn);

#endif
