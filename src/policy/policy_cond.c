// SPDX-License-Identifier: Apache-2.0
// The condition operators of the IAM policy language: compiling one "Operator": {"key": values}
// pair and evaluating it against the request context. Sources, all in the IAM User Guide:
//   - "IAM JSON policy elements: Condition operators": the operators, their value types, which
//     accept policy variables (String, Bool, ARN) and which do not (Numeric, Date, Binary,
//     IpAddress, Null), ...IfExists (not on Null), and "if the key is not present in the request
//     context the condition is false; for StringNotLike, ArnNotLike ... it is true";
//   - "Conditions with multiple context keys or values": several values are ORed, and NORed for a
//     negated operator;
//   - "Single-valued vs. multivalued context keys" and its examples: ForAnyValue is true when at
//     least one request value matches and false for a missing key; ForAllValues is true when
//     every request value matches and also when the key is missing or empty.
// Compile errors use the MalformedPolicyDocument messages IAM gives: "Syntax errors in policy."
// for a structural error (unknown operator, a value that is an object, null or nested list, an
// empty list or key) and "The policy failed legacy parsing" for a value its operator cannot read
// (IAM gives it for an unreadable Date value; we use it for every typed operator).
#include "core/cidr.h"
#include "core/isotime.h"
#include "core/wildcard.h"
#include "policy/policy_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_SYNTAX "Syntax errors in policy."
#define MSG_LEGACY "The policy failed legacy parsing"

// The operator names as IAM spells them (case-sensitive), indexed by enum pol_cond_op.
static const char *const op_names[COND_OP_COUNT] = {
    [COND_STRING_EQUALS] = "StringEquals",
    [COND_STRING_NOT_EQUALS] = "StringNotEquals",
    [COND_STRING_EQUALS_IGNORE_CASE] = "StringEqualsIgnoreCase",
    [COND_STRING_NOT_EQUALS_IGNORE_CASE] = "StringNotEqualsIgnoreCase",
    [COND_STRING_LIKE] = "StringLike",
    [COND_STRING_NOT_LIKE] = "StringNotLike",
    [COND_NUMERIC_EQUALS] = "NumericEquals",
    [COND_NUMERIC_NOT_EQUALS] = "NumericNotEquals",
    [COND_NUMERIC_LESS_THAN] = "NumericLessThan",
    [COND_NUMERIC_LESS_THAN_EQUALS] = "NumericLessThanEquals",
    [COND_NUMERIC_GREATER_THAN] = "NumericGreaterThan",
    [COND_NUMERIC_GREATER_THAN_EQUALS] = "NumericGreaterThanEquals",
    [COND_DATE_EQUALS] = "DateEquals",
    [COND_DATE_NOT_EQUALS] = "DateNotEquals",
    [COND_DATE_LESS_THAN] = "DateLessThan",
    [COND_DATE_LESS_THAN_EQUALS] = "DateLessThanEquals",
    [COND_DATE_GREATER_THAN] = "DateGreaterThan",
    [COND_DATE_GREATER_THAN_EQUALS] = "DateGreaterThanEquals",
    [COND_BOOL] = "Bool",
    [COND_BINARY_EQUALS] = "BinaryEquals",
    [COND_IP_ADDRESS] = "IpAddress",
    [COND_NOT_IP_ADDRESS] = "NotIpAddress",
    [COND_ARN_EQUALS] = "ArnEquals",
    [COND_ARN_LIKE] = "ArnLike",
    [COND_ARN_NOT_EQUALS] = "ArnNotEquals",
    [COND_ARN_NOT_LIKE] = "ArnNotLike",
    [COND_NULL] = "Null",
};

// How an operator reads its values.
enum value_kind {
    KIND_STRING,
    KIND_NUMERIC,
    KIND_DATE,
    KIND_BOOL,
    KIND_BINARY,
    KIND_IP,
    KIND_ARN,
    KIND_NULL,
};

static enum value_kind op_kind(enum pol_cond_op op)
{
    switch (op) {
    case COND_STRING_EQUALS:
    case COND_STRING_NOT_EQUALS:
    case COND_STRING_EQUALS_IGNORE_CASE:
    case COND_STRING_NOT_EQUALS_IGNORE_CASE:
    case COND_STRING_LIKE:
    case COND_STRING_NOT_LIKE:
        return KIND_STRING;
    case COND_NUMERIC_EQUALS:
    case COND_NUMERIC_NOT_EQUALS:
    case COND_NUMERIC_LESS_THAN:
    case COND_NUMERIC_LESS_THAN_EQUALS:
    case COND_NUMERIC_GREATER_THAN:
    case COND_NUMERIC_GREATER_THAN_EQUALS:
        return KIND_NUMERIC;
    case COND_DATE_EQUALS:
    case COND_DATE_NOT_EQUALS:
    case COND_DATE_LESS_THAN:
    case COND_DATE_LESS_THAN_EQUALS:
    case COND_DATE_GREATER_THAN:
    case COND_DATE_GREATER_THAN_EQUALS:
        return KIND_DATE;
    case COND_BOOL:
        return KIND_BOOL;
    case COND_BINARY_EQUALS:
        return KIND_BINARY;
    case COND_IP_ADDRESS:
    case COND_NOT_IP_ADDRESS:
        return KIND_IP;
    case COND_ARN_EQUALS:
    case COND_ARN_LIKE:
    case COND_ARN_NOT_EQUALS:
    case COND_ARN_NOT_LIKE:
        return KIND_ARN;
    case COND_NULL:
    case COND_OP_COUNT:
        break;
    }
    return KIND_NULL;
}

// The negated matching operators: several policy values are NORed and a missing key is true.
static bool op_negated(enum pol_cond_op op)
{
    switch (op) {
    case COND_STRING_NOT_EQUALS:
    case COND_STRING_NOT_EQUALS_IGNORE_CASE:
    case COND_STRING_NOT_LIKE:
    case COND_NUMERIC_NOT_EQUALS:
    case COND_DATE_NOT_EQUALS:
    case COND_NOT_IP_ADDRESS:
    case COND_ARN_NOT_EQUALS:
    case COND_ARN_NOT_LIKE:
        return true;
    default:
        return false;
    }
}

// Operators whose values may hold policy variables ("IAM JSON policy elements: Condition
// operators": String, Boolean and ARN say "You can use a policy variable"; the others say you
// cannot, so there "${" is plain text that must parse as the operator's type).
static bool op_takes_vars(enum pol_cond_op op)
{
    enum value_kind k = op_kind(op);
    return k == KIND_STRING || k == KIND_ARN || k == KIND_BOOL;
}

// Operators whose values are wildcard patterns. ArnEquals behaves like ArnLike ("The ArnEquals
// and ArnLike condition operators behave identically").
static bool op_globs(enum pol_cond_op op)
{
    return op == COND_STRING_LIKE || op == COND_STRING_NOT_LIKE || op_kind(op) == KIND_ARN;
}

static void set_error(struct policy_error *err, const char *msg)
{
    if (err != NULL) {
        err->code = POLICY_ERR_MALFORMED;
        snprintf(err->message, sizeof(err->message), "%s", msg);
    }
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

// --- Typed value parsers ---------------------------------------------------------------------

// Reads an integer or decimal number: [+-]digits[.digits] or [+-].digits, with an optional
// exponent. The conversion is done here rather than with strtod so that it cannot depend on the
// locale; values whose significant digits fit 2^53 and whose exponent is within 10^22 convert
// exactly rounded, so equal numbers written differently ("10", "10.0", "1e1") compare equal.
static bool parse_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    uint64_t mant = 0;
    int64_t exp10 = 0;
    size_t ndigits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
        if (mant < UINT64_C(100000000000000000)) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
        } else {
            exp10++; // digits beyond 18 significant ones are dropped
        }
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++) {
            if (mant < UINT64_C(100000000000000000)) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                exp10--;
            }
        }
    }
    if (ndigits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        size_t estart = i;
        int64_t e = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (e < 100000) {
                e = e * 10 + (s[i] - '0');
            }
        }
        if (i == estart) {
            return false;
        }
        exp10 += eneg ? -e : e;
    }
    if (i != len) {
        return false;
    }
    while (mant != 0 && mant % 10 == 0) {
        mant /= 10;
        exp10++;
    }
    double v = (double)mant;
    if (mant != 0) {
        static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        int64_t e = exp10 < 0 ? -exp10 : exp10;
        while (e > 0 && v != 0 && !isinf(v)) {
            int64_t step = e > 22 ? 22 : e;
            v = exp10 < 0 ? v / pow10[step] : v * pow10[step];
            e -= step;
        }
    }
    *out = neg ? -v : v;
    return true;
}

// Reads "true" or "false" in any case (Bool and Null values, Bool request values).
static bool parse_bool(const char *s, size_t len, bool *out)
{
    static const char t[] = "true";
    static const char f[] = "false";
    bool is_true = len == 4;
    bool is_false = len == 5;
    for (size_t i = 0; i < len && (is_true || is_false); i++) {
        char c = lower(s[i]);
        is_true = is_true && c == t[i];
        is_false = is_false && c == f[i];
    }
    if (!is_true && !is_false) {
        return false;
    }
    *out = is_true;
    return true;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

// Decodes standard base64 (RFC 4648 section 4) from s[0..len) into an arena buffer. Padding is
// accepted but not required, as java.util.Base64 decodes it; any other character, misplaced
// padding or a dangling single character is refused.
static bool parse_base64(struct arena *a, const char *s, size_t len, uint8_t **out, size_t *out_len)
{
    size_t n = len;
    size_t pad = 0;
    while (n > 0 && s[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if ((pad > 0 && len % 4 != 0) || n % 4 == 1) {
        return false;
    }
    uint8_t *buf = arena_alloc(a, n / 4 * 3 + 3);
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0) {
            return false;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    *out = buf;
    *out_len = o;
    return true;
}

// Parses s[0..len) as a value of op's type into v->v and sets v->parsed. Strings and ARNs have no
// typed form and always succeed. Returns false when the text is not of the type.
static bool parse_typed(struct arena *a, enum pol_cond_op op, const char *s, size_t len,
                        struct pol_cond_value *v)
{
    bool ok = true;
    switch (op_kind(op)) {
    case KIND_STRING:
    case KIND_ARN:
        return true;
    case KIND_NUMERIC:
        ok = parse_number(s, len, &v->v.num);
        break;
    case KIND_DATE:
        ok = isotime_parse(s, len, &v->v.ms) == 0;
        break;
    case KIND_BOOL:
    case KIND_NULL:
        ok = parse_bool(s, len, &v->v.b);
        break;
    case KIND_BINARY:
        ok = parse_base64(a, s, len, &v->v.bin.bytes, &v->v.bin.len);
        break;
    case KIND_IP:
        ok = cidr_parse(s, len, &v->v.cidr) == 0;
        break;
    }
    v->parsed = ok;
    return ok;
}

// --- Compilation -----------------------------------------------------------------------------

// Splits an operator name into qualifier, base operator and IfExists. Returns false for a name
// IAM does not know, including "NullIfExists" ("You can add IfExists to the end of any condition
// operator name except the Null condition").
static bool parse_op_name(const char *name, struct pol_cond *c)
{
    static const char any[] = "ForAnyValue:";
    static const char all[] = "ForAllValues:";
    static const char if_exists[] = "IfExists";
    size_t len = strlen(name);
    c->set = SET_NONE;
    if (len >= sizeof(any) - 1 && memcmp(name, any, sizeof(any) - 1) == 0) {
        c->set = SET_ANY;
        name += sizeof(any) - 1;
        len -= sizeof(any) - 1;
    } else if (len >= sizeof(all) - 1 && memcmp(name, all, sizeof(all) - 1) == 0) {
        c->set = SET_ALL;
        name += sizeof(all) - 1;
        len -= sizeof(all) - 1;
    }
    c->if_exists = false;
    size_t sfx = sizeof(if_exists) - 1;
    if (len > sfx && memcmp(name + len - sfx, if_exists, sfx) == 0) {
        c->if_exists = true;
        len -= sfx;
    }
    for (int op = 0; op < COND_OP_COUNT; op++) {
        if (strlen(op_names[op]) == len && memcmp(op_names[op], name, len) == 0) {
            c->op = (enum pol_cond_op)op;
            return !(c->op == COND_NULL && c->if_exists);
        }
    }
    return false;
}

// Returns the text IAM compares for a JSON scalar: a string as is, a number as written in the
// document, true/false as words. Returns NULL for other JSON types (null, lists, objects).
static const char *scalar_text(const struct jsonv *j, size_t *len)
{
    switch (j->type) {
    case JSONV_STRING:
    case JSONV_NUMBER:
        *len = j->len;
        return j->u.str;
    case JSONV_TRUE:
        *len = 4;
        return "true";
    case JSONV_FALSE:
        *len = 5;
        return "false";
    default:
        return NULL;
    }
}

// Reports whether s[0..len) contains "${", the start of a policy variable.
static bool has_var_start(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '$' && s[i + 1] == '{') {
            return true;
        }
    }
    return false;
}

// Compiles one value into v. Returns NULL on success or the error message.
static const char *compile_value(struct arena *a, const struct pol_cond *c, const struct jsonv *j,
                                 enum pol_version version, struct pol_cond_value *v)
{
    size_t len = 0;
    const char *s = scalar_text(j, &len);
    if (s == NULL) {
        return MSG_SYNTAX; // an object, a nested list or null
    }
    memset(v, 0, sizeof(*v));
    v->text.s = arena_strndup(a, s, len);
    v->text.orig = v->text.s;
    v->text.len = (uint32_t)len;
    v->text.has_wild = wildcard_has_wild(s, len);
    v->text.has_vars = version == POL_VERSION_2012 && op_takes_vars(c->op) && has_var_start(s, len);
    pol_str_hints(&v->text);
    if (v->text.has_vars) {
        return NULL; // parsed after expansion, at evaluation
    }
    if (!parse_typed(a, c->op, v->text.s, len, v)) {
        return MSG_LEGACY;
    }
    return NULL;
}

// Compiles an operator/key/values triple; see policy_int.h for the contract. The key is stored
// lowercased, every value as its text plus, when it holds no policy variable, its typed form. On
// failure *out is unchanged and err holds IAM's message; what was taken from a stays there until
// the caller releases the arena (the parser drops the whole policy's arena on any error).
int pol_cond_compile(struct arena *a, const char *op_name, const char *key,
                     const struct jsonv *value, enum pol_version version, struct pol_cond *out,
                     struct policy_error *err)
{
    struct pol_cond c = {0};
    if (op_name == NULL || !parse_op_name(op_name, &c)) {
        set_error(err, MSG_SYNTAX);
        return -1;
    }
    size_t key_len = key != NULL ? strlen(key) : 0;
    if (key_len == 0 || value == NULL) {
        set_error(err, MSG_SYNTAX);
        return -1;
    }
    char *lkey = arena_alloc(a, key_len + 1);
    for (size_t i = 0; i < key_len; i++) {
        lkey[i] = lower(key[i]);
    }
    lkey[key_len] = '\0';
    c.key = lkey;
    c.key_len = (uint32_t)key_len;

    bool list = value->type == JSONV_ARRAY;
    size_t count = list ? value->len : 1;
    // IAM accepts an empty list ({"DateGreaterThan": {"a": []}} is among the documents it takes);
    // such a condition has no value for the request to match.
    c.values = arena_calloc(a, count ? count : 1, sizeof(*c.values));
    c.value_count = (uint32_t)count;
    for (size_t i = 0; i < count; i++) {
        const struct jsonv *j = list ? &value->u.items[i] : value;
        const char *msg = compile_value(a, &c, j, version, &c.values[i]);
        if (msg != NULL) {
            set_error(err, msg);
            return -1;
        }
    }
    *out = c;
    return 0;
}

// --- Evaluation ------------------------------------------------------------------------------

// A request value read as the operator's type.
struct req_value {
    const char *s;
    size_t len;
    struct pol_cond_value typed; // typed.parsed is false when the value is not of the type
};

// Compares one request value with one (resolved) policy value for the positive form of the
// operator: equals, like, less than ... For a negated operator the caller inverts the result.
static bool match_one(enum pol_cond_op op, const struct pol_cond_value *pv,
                      const struct req_value *rv)
{
    const struct pol_str *p = &pv->text;
    switch (op) {
    case COND_STRING_EQUALS:
    case COND_STRING_NOT_EQUALS:
        return p->len == rv->len && memcmp(p->s, rv->s, rv->len) == 0;
    case COND_STRING_EQUALS_IGNORE_CASE:
    case COND_STRING_NOT_EQUALS_IGNORE_CASE:
        if (p->len != rv->len) {
            return false;
        }
        for (size_t i = 0; i < rv->len; i++) {
            if (lower(p->s[i]) != lower(rv->s[i])) {
                return false;
            }
        }
        return true;
    case COND_STRING_LIKE:
    case COND_STRING_NOT_LIKE:
        return wildcard_match(p->s, p->len, rv->s, rv->len, false);
    case COND_ARN_EQUALS:
    case COND_ARN_LIKE:
    case COND_ARN_NOT_EQUALS:
    case COND_ARN_NOT_LIKE:
        return pol_match_arn(p->s, p->len, rv->s, rv->len);
    case COND_NUMERIC_EQUALS:
    case COND_NUMERIC_NOT_EQUALS:
        return rv->typed.v.num == pv->v.num;
    case COND_NUMERIC_LESS_THAN:
        return rv->typed.v.num < pv->v.num;
    case COND_NUMERIC_LESS_THAN_EQUALS:
        return rv->typed.v.num <= pv->v.num;
    case COND_NUMERIC_GREATER_THAN:
        return rv->typed.v.num > pv->v.num;
    case COND_NUMERIC_GREATER_THAN_EQUALS:
        return rv->typed.v.num >= pv->v.num;
    case COND_DATE_EQUALS:
    case COND_DATE_NOT_EQUALS:
        return rv->typed.v.ms == pv->v.ms;
    case COND_DATE_LESS_THAN:
        return rv->typed.v.ms < pv->v.ms;
    case COND_DATE_LESS_THAN_EQUALS:
        return rv->typed.v.ms <= pv->v.ms;
    case COND_DATE_GREATER_THAN:
        return rv->typed.v.ms > pv->v.ms;
    case COND_DATE_GREATER_THAN_EQUALS:
        return rv->typed.v.ms >= pv->v.ms;
    case COND_BOOL:
        return rv->typed.v.b == pv->v.b;
    case COND_BINARY_EQUALS:
        return rv->typed.v.bin.len == pv->v.bin.len &&
               (pv->v.bin.len == 0 ||
                memcmp(rv->typed.v.bin.bytes, pv->v.bin.bytes, pv->v.bin.len) == 0);
    case COND_IP_ADDRESS:
    case COND_NOT_IP_ADDRESS:
        return cidr_contains(&pv->v.cidr, &rv->typed.v.cidr);
    case COND_NULL:
    case COND_OP_COUNT:
        break;
    }
    return false;
}

// Reads a request value for the operator. Typed operators need a value of their type: an
// IpAddress request value must be a single address, a BinaryEquals one base64 text (the request
// context carries text, as the IAM policy simulator's "binary" context entries do).
static void read_request_value(enum pol_cond_op op, struct arena *scratch, const char *s,
                               size_t len, struct req_value *rv)
{
    memset(rv, 0, sizeof(*rv));
    rv->s = s;
    rv->len = len;
    enum value_kind k = op_kind(op);
    if (k == KIND_STRING || k == KIND_ARN) {
        rv->typed.parsed = true;
        return;
    }
    if (parse_typed(scratch, op, s, len, &rv->typed) && k == KIND_IP &&
        rv->typed.v.cidr.prefix != 128) {
        rv->typed.parsed = false; // a range is not an address
    }
}

// The result for one request value: whether it matches at least one policy value, inverted for
// a negated operator (NOR over the policy values). A request value that is not of the operator's
// type (a Numeric operator given "abc") makes the result false for positive and negated
// operators alike: a comparison that cannot be made never holds. Policy values whose variables
// do not resolve (text.s == NULL in vals) match nothing.
static bool value_result(const struct pol_cond *c, const struct pol_cond_value *vals,
                         const struct req_value *rv)
{
    if (!rv->typed.parsed) {
        return false;
    }
    bool any = false;
    for (uint32_t i = 0; i < c->value_count && !any; i++) {
        if (vals[i].text.s != NULL) {
            any = match_one(c->op, &vals[i], rv);
        }
    }
    return op_negated(c->op) ? !any : any;
}

// Expands the policy variables of the condition's values into a scratch copy. Values that do not
// resolve, or whose expansion is not of the operator's type, get text.s == NULL.
static const struct pol_cond_value *resolve_values(const struct pol_cond *c,
                                                   const struct pol_env *env)
{
    bool any_vars = false;
    for (uint32_t i = 0; i < c->value_count && !any_vars; i++) {
        any_vars = c->values[i].text.has_vars;
    }
    if (!any_vars) {
        return c->values;
    }
    struct pol_cond_value *r = arena_alloc(env->scratch, c->value_count * sizeof(*r));
    for (uint32_t i = 0; i < c->value_count; i++) {
        r[i] = c->values[i];
        if (!r[i].text.has_vars) {
            continue;
        }
        const char *s = NULL;
        size_t len = 0;
        if (!pol_vars_expand(c->values[i].text.s, c->values[i].text.len, env, op_globs(c->op), &s,
                             &len) ||
            !parse_typed(env->scratch, c->op, s, len, &r[i])) {
            r[i].text.s = NULL;
            continue;
        }
        r[i].text.s = s;
        r[i].text.len = (uint32_t)len;
    }
    return r;
}

// Evaluates a compiled condition against the request context; see policy_int.h. Besides the
// rules quoted at the top of the file:
//   - an empty list counts as a missing key (AWS: "context keys with empty values" are what a
//     Null check with false guards against, and ForAllValues is true for both);
//   - without a qualifier, a multivalued key satisfies a positive operator when any of its values
//     does, and a negated operator when none of its values matches (the negation of the positive
//     result, as for a single value); a single-valued key under a qualifier is a set of one;
//   - ...IfExists makes a missing key true whatever the qualifier;
//   - Null ignores a qualifier: "true" holds when the key is missing, "false" when it is present.
bool pol_cond_eval(const struct pol_cond *c, const struct pol_env *env)
{
    const struct pol_ctx_entry *e = pol_ctx_find(env->ctx, c->key, c->key_len);
    size_t n = e != NULL ? e->count : 0;

    if (c->op == COND_NULL) {
        bool absent = n == 0;
        for (uint32_t i = 0; i < c->value_count; i++) {
            if (c->values[i].parsed && c->values[i].v.b == absent) {
                return true;
            }
        }
        return false;
    }
    // "If the key values in the request resolve to an empty data set (for example, an empty
    // string), a condition operator modified by ForAllValues returns true, and a condition
    // operator modified by ForAnyValue returns false" (set operations page): under a qualifier a
    // lone empty string is no value at all.
    if (c->set != SET_NONE && n == 1 && e->value_lens[0] == 0) {
        n = 0;
    }
    bool negated = op_negated(c->op);
    if (n == 0) {
        if (c->if_exists || c->set == SET_ALL) {
            return true;
        }
        return c->set == SET_NONE && negated;
    }

    const struct pol_cond_value *vals = resolve_values(c, env);
    // ForAnyValue, and a positive operator without a qualifier, need one value that holds;
    // ForAllValues, and a negated operator without a qualifier, need every value to hold.
    bool need_all = c->set == SET_ALL || (c->set == SET_NONE && negated);
    for (size_t i = 0; i < n; i++) {
        struct req_value rv;
        read_request_value(c->op, env->scratch, e->values[i], e->value_lens[i], &rv);
        bool r = value_result(c, vals, &rv);
        if (need_all && !r) {
            return false;
        }
        if (!need_all && r) {
            return true;
        }
    }
    return need_all;
}
