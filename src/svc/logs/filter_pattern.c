// SPDX-License-Identifier: Apache-2.0
// The CloudWatch Logs filter pattern language; see filter_pattern.h. The syntax follows the
// CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription filters,
// filter log events, and Live Tail" (formerly "Filter and Pattern Syntax"): its sections on
// matching terms (include, exclude with '-', OR with '?', quoted phrases; "terms that include
// characters other than alphanumeric or underscore must be placed inside double quotes"), on
// space-delimited events ("The characters between a pair of square brackets [] or two double
// quotes are treated as a single field", the ellipsis, string conditions with '*' and numeric
// conditions with >, <, >=, <=, =, !=, && and ||), on JSON events (selectors $.a.b[0], = and !=
// with '*' wildcards, numeric comparisons with numbers in scientific notation, IS NULL, NOT
// EXISTS, IS TRUE / IS FALSE, parentheses with () > && > ||; "The SELECTOR must point to a value
// node ... If it points to an array or object, the filter will not be applied"), and on regular
// expressions between '%' (letters, digits, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . only; no parentheses; no multi-byte characters).
//
// Memory: a compiled pattern owns one arena. Matching uses a scratch arena that starts on the
// stack. Both searches that can backtrack (the ellipsis of delimited patterns and regular
// expressions) draw on a step budget, so a match costs bounded time whatever the input.
#include "svc/logs/filter_pattern.h"

#include "core/arena.h"
#include "core/jsonv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Steps a single match may take in a backtracking search before it gives up (no match).
#define MATCH_BUDGET 2000000
// Deepest nesting of parentheses in a condition expression.
#define MAX_DEPTH 32

// ---- Regular expressions ------------------------------------------------------------------

enum rx_type {
    RX_SET, // one byte from a set (literals, '.', classes, escapes)
    RX_BOL, // '^'
    RX_EOL, // '$'
};

struct rx_atom {
    enum rx_type type;
    uint8_t set[32]; // RX_SET: bit b set when byte b matches
    int min;
    int max; // -1: unbounded
};

struct rx_branch {
    struct rx_atom *atoms;
    size_t count;
};

struct rx {
    struct rx_branch *branches;
    size_t count;
};

// ---- Compiled patterns --------------------------------------------------------------------

enum op {
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_IS_NULL,
    OP_IS_TRUE,
    OP_IS_FALSE,
    OP_NOT_EXISTS,
};

enum value_kind {
    VAL_STRING, // a string, '*' a wildcard unless escaped
    VAL_NUMBER, // an unquoted number (also compared as text against strings)
    VAL_ANY,    // a lone unquoted '*'
    VAL_REGEX,  // %regex%
};

struct value {
    enum value_kind kind;
    const char *s; // VAL_STRING: the pieces, with '\x01' marking a literal '*' (see star_match)
    size_t len;
    double num;
    struct rx *rx;
};

struct sel_step {
    const char *key; // NULL for an array index
    size_t key_len;
    size_t index;
};

struct selector {
    struct sel_step *steps;
    size_t count;
};

enum node_type {
    NODE_AND,
    NODE_OR,
    NODE_COND,
};

struct node {
    enum node_type type;
    struct node *l;
    struct node *r;
    enum op op;
    struct value val;
    struct selector sel; // JSON conditions
    const char *name;    // delimited conditions: the field's name while parsing
    size_t name_len;
    size_t field; // delimited conditions: the field it tests
};

enum term_kind {
    TERM_ALL,  // must occur
    TERM_NOT,  // must not occur
    TERM_SOME, // one of the '?' terms must occur
};

struct term {
    enum term_kind kind;
    const char *s;
    size_t len;
};

struct dfield {
    bool ellipsis;
    const char *name;
    size_t name_len;
    struct node *cond; // NULL when the field only names a position
    bool self_only;    // every condition of cond tests this field itself
};

struct filter_pattern {
    struct arena arena;
    enum filter_pattern_kind kind;
    struct term *terms;
    size_t term_count;
    struct rx *rx;
    struct dfield *fields;
    size_t field_count;
    struct node *root;
};

// ---- Parsing ------------------------------------------------------------------------------

struct ps {
    const char *s;
    size_t len;
    size_t pos;
    struct arena *a;
    char *why;
    size_t why_cap;
    bool failed;
    int depth;
};

static bool fail(struct ps *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Records the first syntax error and returns false.
static bool fail(struct ps *p, const char *fmt, ...)
{
    if (!p->failed && p->why != NULL && p->why_cap > 0) {
        char msg[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        size_t n = strlen(msg);
        if (n >= p->why_cap) {
            n = p->why_cap - 1;
        }
        memcpy(p->why, msg, n);
        p->why[n] = '\0';
    }
    p->failed = true;
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_word(char c)
{
    return is_alnum(c) || c == '_';
}

static void skip_ws(struct ps *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos])) {
        p->pos++;
    }
}

static bool at_end(const struct ps *p)
{
    return p->pos >= p->len;
}

static char peek(const struct ps *p)
{
    return p->pos < p->len ? p->s[p->pos] : '\0';
}

static bool starts(const struct ps *p, const char *lit)
{
    size_t n = strlen(lit);
    return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

static void set_bit(uint8_t *set, unsigned char c)
{
    set[c >> 3] = (uint8_t)(set[c >> 3] | (1u << (c & 7)));
}

static bool has_bit(const uint8_t *set, unsigned char c)
{
    return (set[c >> 3] >> (c & 7)) & 1u;
}

// Adds the bytes of a class escape (\d \w \s and their complements) to set; returns false for
// any other letter.
static bool class_escape(uint8_t *set, char e)
{
    uint8_t tmp[32] = {0};
    char lower = (char)(e | 0x20);
    for (int c = 0; c < 256; c++) {
        bool in = false;
        if (lower == 'd') {
            in = c >= '0' && c <= '9';
        } else if (lower == 'w') {
            in = is_word((char)c);
        } else if (lower == 's') {
            in = c == ' ' || (c >= '\t' && c <= '\r');
        } else {
            return false;
        }
        if (in) {
            set_bit(tmp, (unsigned char)c);
        }
    }
    bool neg = e >= 'A' && e <= 'Z';
    for (int i = 0; i < 32; i++) {
        set[i] = (uint8_t)(set[i] | (neg ? (uint8_t)~tmp[i] : tmp[i]));
    }
    return true;
}

// The byte an escape stands for: \t \n \r, or the character itself.
static unsigned char escaped_byte(char e)
{
    switch (e) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    default:
        return (unsigned char)e;
    }
}

// The characters CloudWatch Logs allows in a regular expression.
static bool rx_char_ok(char c)
{
    return is_alnum(c) || strchr(":_#=@/;,-^$?[]{}|\\*+.", c) != NULL;
}

static bool rx_parse_int(struct ps *p, int *out)
{
    size_t start = p->pos;
    long v = 0;
    while (!at_end(p) && peek(p) >= '0' && peek(p) <= '9') {
        v = v * 10 + (peek(p) - '0');
        if (v > 1000) {
            return fail(p, "repetition count too large");
        }
        p->pos++;
    }
    *out = (int)v;
    return p->pos > start;
}

// Parses a bracket class after its '['.
static bool rx_parse_class(struct ps *p, struct rx_atom *at)
{
    bool neg = false;
    if (peek(p) == '^') {
        neg = true;
        p->pos++;
    }
    bool first = true;
    for (;;) {
        if (at_end(p)) {
            return fail(p, "unterminated character class");
        }
        char c = p->s[p->pos++];
        if (c == ']' && !first) {
            break;
        }
        first = false;
        unsigned char lo;
        if (c == '\\') {
            if (at_end(p)) {
                return fail(p, "trailing backslash");
            }
            char e = p->s[p->pos++];
            if (class_escape(at->set, e)) {
                continue;
            }
            lo = escaped_byte(e);
        } else {
            lo = (unsigned char)c;
        }
        unsigned char hi = lo;
        if (peek(p) == '-' && p->pos + 1 < p->len && p->s[p->pos + 1] != ']') {
            p->pos++;
            char h = p->s[p->pos++];
            if (h == '\\') {
                if (at_end(p)) {
                    return fail(p, "trailing backslash");
                }
                h = (char)escaped_byte(p->s[p->pos++]);
            }
            hi = (unsigned char)h;
            if (hi < lo) {
                return fail(p, "reversed range in character class");
            }
        }
        for (unsigned v = lo; v <= hi; v++) {
            set_bit(at->set, (unsigned char)v);
        }
    }
    if (neg) {
        for (int i = 0; i < 32; i++) {
            at->set[i] = (uint8_t)~at->set[i];
        }
    }
    return true;
}

// Compiles the regular expression s[0..len) (without its '%' delimiters).
static struct rx *rx_compile(struct ps *outer, const char *s, size_t len)
{
    struct ps p = {.s = s, .len = len, .a = outer->a}; // its own errors get a generic reason
    if (len == 0) {
        fail(outer, "empty regular expression");
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (!rx_char_ok(s[i])) {
            fail(outer, "character 0x%02x not allowed in a regular expression",
                 (unsigned char)s[i]);
            return NULL;
        }
    }
    struct rx *rx = arena_calloc(p.a, 1, sizeof(*rx));
    size_t nbranches = 1;
    for (size_t i = 0; i < len; i++) {
        nbranches += s[i] == '|';
    }
    rx->branches = arena_calloc(p.a, nbranches, sizeof(struct rx_branch));
    struct rx_atom *atoms = arena_calloc(p.a, len + 1, sizeof(struct rx_atom));
    struct rx_branch *b = &rx->branches[0];
    b->atoms = atoms;
    rx->count = 1;
    size_t used = 0;
    while (!at_end(&p)) {
        char c = p.s[p.pos++];
        if (c == '|') {
            b = &rx->branches[rx->count++];
            b->atoms = atoms + used;
            continue;
        }
        struct rx_atom *at = &atoms[used];
        memset(at, 0, sizeof(*at));
        at->min = 1;
        at->max = 1;
        if (c == '^' || c == '$') {
            at->type = c == '^' ? RX_BOL : RX_EOL;
        } else if (c == '.') {
            memset(at->set, 0xff, sizeof(at->set));
            at->set['\n' >> 3] = (uint8_t)(at->set['\n' >> 3] & ~(1u << ('\n' & 7)));
        } else if (c == '[') {
            if (!rx_parse_class(&p, at)) {
                fail(outer, "bad character class");
                return NULL;
            }
        } else if (c == '\\') {
            if (at_end(&p)) {
                fail(outer, "trailing backslash");
                return NULL;
            }
            char e = p.s[p.pos++];
            if (!class_escape(at->set, e)) {
                set_bit(at->set, escaped_byte(e));
            }
        } else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ']' || c == '}') {
            fail(outer, "'%c' has nothing to repeat or is unbalanced", c);
            return NULL;
        } else {
            set_bit(at->set, (unsigned char)c);
        }
        used++;
        b->count++;
        // An optional quantifier, then an optional lazy marker (irrelevant to whether it matches).
        char q = peek(&p);
        if (q != '*' && q != '+' && q != '?' && q != '{') {
            continue;
        }
        if (at->type != RX_SET) {
            fail(outer, "anchors cannot be repeated");
            return NULL;
        }
        p.pos++;
        if (q == '*') {
            at->min = 0;
            at->max = -1;
        } else if (q == '+') {
            at->max = -1;
        } else if (q == '?') {
            at->min = 0;
        } else {
            int lo = 0;
            int hi = 0;
            if (!rx_parse_int(&p, &lo)) {
                fail(outer, "bad repetition");
                return NULL;
            }
            hi = lo;
            if (peek(&p) == ',') {
                p.pos++;
                hi = -1;
                if (peek(&p) != '}' && (!rx_parse_int(&p, &hi) || hi < lo)) {
                    fail(outer, "bad repetition");
                    return NULL;
                }
            }
            if (peek(&p) != '}') {
                fail(outer, "unterminated repetition");
                return NULL;
            }
            p.pos++;
            at->min = lo;
            at->max = hi;
        }
        if (peek(&p) == '?') {
            p.pos++;
        }
    }
    return rx;
}

// Reads a double-quoted string at p->pos (on the quote) into the arena: \" and \\ stand for
// themselves, \* for a literal star (marked '\x01' followed by '*' when wild is wanted).
static bool parse_quoted(struct ps *p, bool keep_star_escapes, const char **out, size_t *out_len)
{
    p->pos++;
    char *buf = arena_alloc(p->a, 2 * (p->len - p->pos) + 1);
    size_t n = 0;
    for (;;) {
        if (at_end(p)) {
            return fail(p, "unterminated quoted string");
        }
        char c = p->s[p->pos++];
        if (c == '"') {
            break;
        }
        if (c == '\\' && !at_end(p)) {
            char e = p->s[p->pos++];
            if (e == '*' && keep_star_escapes) {
                buf[n++] = '\x01';
            }
            buf[n++] = e;
            continue;
        }
        if (c == '\x01') {
            buf[n++] = '\x01'; // a stray marker byte is itself literal
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return true;
}

// Recognizes a number as the user guide defines it: an integer or decimal with an optional sign,
// optionally followed by 'e' and a signed integer. s need not be NUL-terminated.
static bool parse_number(const char *s, size_t len, double *out)
{
    size_t i = 0;
    if (len == 0 || len > 63) {
        return false;
    }
    if (s[i] == '+' || s[i] == '-') {
        i++;
    }
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t exp = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp++;
        }
        if (exp == 0) {
            return false;
        }
    }
    if (i != len) {
        return false;
    }
    char tmp[64];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *out = strtod(tmp, NULL);
    return true;
}

// The characters an unquoted value may hold (others need double quotes, as the user guide says
// of '@', '$' and '\').
static bool unquoted_ok(char c)
{
    return is_alnum(c) || c == '_' || c == '.' || c == '*' || c == '+' || c == '-' || c == ':' ||
           c == '/';
}

// Parses the value of a comparison.
static bool parse_value(struct ps *p, struct value *v)
{
    skip_ws(p);
    memset(v, 0, sizeof(*v));
    if (peek(p) == '"') {
        v->kind = VAL_STRING;
        return parse_quoted(p, true, &v->s, &v->len);
    }
    if (peek(p) == '%') {
        size_t start = ++p->pos;
        while (!at_end(p) && peek(p) != '%') {
            p->pos++;
        }
        if (at_end(p)) {
            return fail(p, "unterminated regular expression");
        }
        v->kind = VAL_REGEX;
        v->rx = rx_compile(p, p->s + start, p->pos - start);
        p->pos++;
        return v->rx != NULL;
    }
    size_t start = p->pos;
    while (!at_end(p) && unquoted_ok(peek(p))) {
        p->pos++;
    }
    size_t n = p->pos - start;
    if (n == 0) {
        return fail(p, "missing value");
    }
    if (!at_end(p) && !is_space(peek(p)) && strchr(")}],&|", peek(p)) == NULL) {
        return fail(p, "character '%c' needs double quotes", peek(p));
    }
    v->s = arena_strndup(p->a, p->s + start, n);
    v->len = n;
    if (n == 1 && v->s[0] == '*') {
        v->kind = VAL_ANY;
    } else if (parse_number(v->s, n, &v->num)) {
        v->kind = VAL_NUMBER;
    } else {
        v->kind = VAL_STRING;
    }
    return true;
}

// Parses a comparison operator.
static bool parse_op(struct ps *p, enum op *op)
{
    skip_ws(p);
    static const struct {
        const char *lit;
        enum op op;
    } ops[] = {{"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE},
               {"=", OP_EQ},  {"<", OP_LT},  {">", OP_GT}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (starts(p, ops[i].lit)) {
            p->pos += strlen(ops[i].lit);
            *op = ops[i].op;
            return true;
        }
    }
    return fail(p, "expected a comparison operator");
}

static bool is_numeric_op(enum op op)
{
    return op == OP_LT || op == OP_GT || op == OP_LE || op == OP_GE;
}

// Matches a keyword (ASCII case-insensitive) followed by a non-word character.
static bool keyword(struct ps *p, const char *kw)
{
    size_t n = strlen(kw);
    if (p->len - p->pos < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((p->s[p->pos + i] | 0x20) != (kw[i] | 0x20)) {
            return false;
        }
    }
    if (p->pos + n < p->len && is_word(p->s[p->pos + n])) {
        return false;
    }
    p->pos += n;
    return true;
}

// Parses a JSON selector: $ followed by .name and [index] steps.
static bool parse_selector(struct ps *p, struct selector *sel)
{
    skip_ws(p);
    if (peek(p) != '$') {
        return fail(p, "a JSON condition must start with a $ selector");
    }
    p->pos++;
    size_t cap = 4;
    sel->steps = arena_calloc(p->a, cap, sizeof(struct sel_step));
    sel->count = 0;
    for (;;) {
        struct sel_step st = {0};
        if (peek(p) == '.') {
            p->pos++;
            size_t start = p->pos;
            while (!at_end(p) && (is_word(peek(p)) || peek(p) == '-')) {
                p->pos++;
            }
            if (p->pos == start) {
                return fail(p, "empty property name in selector");
            }
            st.key = p->s + start;
            st.key_len = p->pos - start;
        } else if (peek(p) == '[') {
            p->pos++;
            size_t start = p->pos;
            size_t idx = 0;
            while (!at_end(p) && peek(p) >= '0' && peek(p) <= '9') {
                if (idx > 100000000) {
                    return fail(p, "array index too large");
                }
                idx = idx * 10 + (size_t)(peek(p) - '0');
                p->pos++;
            }
            if (p->pos == start || peek(p) != ']') {
                return fail(p, "bad array index in selector");
            }
            p->pos++;
            if (sel->count == 0) {
                return fail(p, "an array index must follow a property");
            }
            st.index = idx;
        } else {
            break;
        }
        if (sel->count == cap) {
            struct sel_step *n = arena_calloc(p->a, cap * 2, sizeof(*n));
            memcpy(n, sel->steps, cap * sizeof(*n));
            sel->steps = n;
            cap *= 2;
        }
        sel->steps[sel->count++] = st;
    }
    if (sel->count == 0) {
        return fail(p, "a selector must name a property");
    }
    return true;
}

static struct node *new_node(struct ps *p, enum node_type t, struct node *l, struct node *r)
{
    struct node *n = arena_calloc(p->a, 1, sizeof(*n));
    n->type = t;
    n->l = l;
    n->r = r;
    return n;
}

static struct node *parse_or(struct ps *p, bool json);

// A condition: JSON "selector op value" or "selector IS NULL|TRUE|FALSE" or "selector NOT
// EXISTS"; delimited "name op value".
static struct node *parse_cond(struct ps *p, bool json)
{
    struct node *n = new_node(p, NODE_COND, NULL, NULL);
    if (json) {
        if (!parse_selector(p, &n->sel)) {
            return NULL;
        }
        skip_ws(p);
        if (keyword(p, "IS")) {
            skip_ws(p);
            if (keyword(p, "NULL")) {
                n->op = OP_IS_NULL;
            } else if (keyword(p, "TRUE")) {
                n->op = OP_IS_TRUE;
            } else if (keyword(p, "FALSE")) {
                n->op = OP_IS_FALSE;
            } else {
                fail(p, "IS must be followed by NULL, TRUE or FALSE");
                return NULL;
            }
            return n;
        }
        if (keyword(p, "NOT")) {
            skip_ws(p);
            if (!keyword(p, "EXISTS")) {
                fail(p, "NOT must be followed by EXISTS");
                return NULL;
            }
            n->op = OP_NOT_EXISTS;
            return n;
        }
    } else {
        skip_ws(p);
        size_t start = p->pos;
        while (!at_end(p) && is_word(peek(p))) {
            p->pos++;
        }
        if (p->pos == start) {
            fail(p, "expected a field name");
            return NULL;
        }
        n->name = p->s + start;
        n->name_len = p->pos - start;
    }
    if (!parse_op(p, &n->op) || !parse_value(p, &n->val)) {
        return NULL;
    }
    if (is_numeric_op(n->op) && n->val.kind != VAL_NUMBER) {
        fail(p, "a numeric comparison needs a number");
        return NULL;
    }
    return n;
}

static struct node *parse_unary(struct ps *p, bool json)
{
    skip_ws(p);
    if (peek(p) == '(') {
        if (++p->depth > MAX_DEPTH) {
            fail(p, "parentheses nested too deeply");
            return NULL;
        }
        p->pos++;
        struct node *n = parse_or(p, json);
        if (n == NULL) {
            return NULL;
        }
        skip_ws(p);
        if (peek(p) != ')') {
            fail(p, "missing ')'");
            return NULL;
        }
        p->pos++;
        p->depth--;
        return n;
    }
    return parse_cond(p, json);
}

static struct node *parse_and(struct ps *p, bool json)
{
    struct node *l = parse_unary(p, json);
    for (;;) {
        if (l == NULL) {
            return NULL;
        }
        skip_ws(p);
        if (!starts(p, "&&")) {
            return l;
        }
        p->pos += 2;
        struct node *r = parse_unary(p, json);
        if (r == NULL) {
            return NULL;
        }
        l = new_node(p, NODE_AND, l, r);
    }
}

static struct node *parse_or(struct ps *p, bool json)
{
    struct node *l = parse_and(p, json);
    for (;;) {
        if (l == NULL) {
            return NULL;
        }
        skip_ws(p);
        if (!starts(p, "||")) {
            return l;
        }
        p->pos += 2;
        struct node *r = parse_and(p, json);
        if (r == NULL) {
            return NULL;
        }
        l = new_node(p, NODE_OR, l, r);
    }
}

// { expression }: the text between the braces.
static bool parse_json(struct ps *p, struct filter_pattern *fp)
{
    p->pos++; // '{'
    fp->root = parse_or(p, true);
    if (fp->root == NULL) {
        return false;
    }
    skip_ws(p);
    if (peek(p) != '}' || p->pos + 1 != p->len) {
        return fail(p, "a JSON pattern must end with '}' after its expression");
    }
    return true;
}

// Resolves the field names of every condition of n to field indexes; records whether every
// condition tests field `self`.
static bool resolve_names(struct ps *p, struct filter_pattern *fp, struct node *n, size_t self,
                          bool *self_only)
{
    if (n->type != NODE_COND) {
        return resolve_names(p, fp, n->l, self, self_only) &&
               resolve_names(p, fp, n->r, self, self_only);
    }
    for (size_t i = 0; i < fp->field_count; i++) {
        const struct dfield *f = &fp->fields[i];
        if (!f->ellipsis && f->name_len == n->name_len &&
            memcmp(f->name, n->name, n->name_len) == 0) {
            n->field = i;
            if (i != self) {
                *self_only = false;
            }
            return true;
        }
    }
    return fail(p, "condition on an unknown field '%.*s'", (int)n->name_len, n->name);
}

// [ field, field = value, ..., field > number && other < number ]
static bool parse_delimited(struct ps *p, struct filter_pattern *fp)
{
    p->pos++; // '['
    size_t cap = 8;
    fp->fields = arena_calloc(p->a, cap, sizeof(struct dfield));
    for (;;) {
        skip_ws(p);
        if (peek(p) == ']' && fp->field_count == 0) {
            return fail(p, "a space-delimited pattern needs at least one field");
        }
        struct dfield f = {0};
        if (peek(p) == ']') {
            // "[..., request=*.html*, status_code=4*,]": the user guide's example binds the
            // status to 404 and leaves the last field ("$7": "1534") to the empty entry after
            // the trailing comma, an unnamed field.
        } else if (starts(p, "...")) {
            p->pos += 3;
            f.ellipsis = true;
        } else {
            size_t start = p->pos;
            while (!at_end(p) && is_word(peek(p))) {
                p->pos++;
            }
            if (p->pos == start) {
                return fail(p, "expected a field name or '...'");
            }
            f.name = p->s + start;
            f.name_len = p->pos - start;
            skip_ws(p);
            if (peek(p) != ',' && peek(p) != ']') {
                p->pos = start;
                f.cond = parse_or(p, false);
                if (f.cond == NULL) {
                    return false;
                }
            }
        }
        skip_ws(p);
        if (peek(p) != ',' && peek(p) != ']') {
            return fail(p, "expected ',' or ']' after a field");
        }
        bool last = peek(p) == ']';
        p->pos++;
        // Consecutive ellipses mean the same as one.
        bool repeat = f.ellipsis && fp->field_count > 0 && fp->fields[fp->field_count - 1].ellipsis;
        if (!repeat && fp->field_count == cap) {
            struct dfield *n = arena_calloc(p->a, cap * 2, sizeof(*n));
            memcpy(n, fp->fields, cap * sizeof(*n));
            fp->fields = n;
            cap *= 2;
        }
        if (!repeat) {
            fp->fields[fp->field_count++] = f;
        }
        if (last) {
            break;
        }
    }
    skip_ws(p);
    if (!at_end(p)) {
        return fail(p, "text after the closing ']'");
    }
    for (size_t i = 0; i < fp->field_count; i++) {
        struct dfield *f = &fp->fields[i];
        f->self_only = true;
        if (f->cond != NULL && !resolve_names(p, fp, f->cond, i, &f->self_only)) {
            return false;
        }
    }
    return true;
}

// Words, "quoted phrases", -exclusions and ?alternatives.
static bool parse_terms(struct ps *p, struct filter_pattern *fp)
{
    size_t cap = 8;
    fp->terms = arena_calloc(p->a, cap, sizeof(struct term));
    for (;;) {
        skip_ws(p);
        if (at_end(p)) {
            return true;
        }
        struct term t = {.kind = TERM_ALL};
        if (peek(p) == '-' || peek(p) == '?') {
            t.kind = peek(p) == '-' ? TERM_NOT : TERM_SOME;
            p->pos++;
            skip_ws(p); // the user guide writes "ERROR" - "Exiting"
            if (at_end(p)) {
                return fail(p, "'-' or '?' without a term");
            }
        }
        if (peek(p) == '"') {
            if (!parse_quoted(p, false, &t.s, &t.len)) {
                return false;
            }
            if (t.len == 0) {
                return fail(p, "empty quoted term");
            }
        } else {
            size_t start = p->pos;
            while (!at_end(p) && is_word(peek(p))) {
                p->pos++;
            }
            if (p->pos == start) {
                return fail(p, "invalid character(s) in term");
            }
            t.s = p->s + start;
            t.len = p->pos - start;
        }
        if (!at_end(p) && !is_space(peek(p))) {
            return fail(p, "invalid character(s) in term");
        }
        if (fp->term_count == cap) {
            struct term *n = arena_calloc(p->a, cap * 2, sizeof(*n));
            memcpy(n, fp->terms, cap * sizeof(*n));
            fp->terms = n;
            cap *= 2;
        }
        fp->terms[fp->term_count++] = t;
    }
}

// Compiles a pattern; see filter_pattern.h.
int filter_pattern_parse(const char *text, size_t len, struct filter_pattern **out, char *why,
                         size_t why_cap)
{
    *out = NULL;
    if (why != NULL && why_cap > 0) {
        why[0] = '\0';
    }
    struct filter_pattern *fp = sb_xcalloc(1, sizeof(*fp));
    arena_init(&fp->arena, NULL, 0);
    // Leading and trailing blanks carry no meaning in any form.
    size_t b = 0;
    size_t e = len;
    while (b < e && is_space(text[b])) {
        b++;
    }
    while (e > b && is_space(text[e - 1])) {
        e--;
    }
    char *copy = arena_strndup(&fp->arena, text + b, e - b);
    struct ps p = {.s = copy, .len = e - b, .a = &fp->arena, .why = why, .why_cap = why_cap};
    bool ok;
    if (len > FILTER_PATTERN_MAX_LEN) {
        ok = fail(&p, "longer than %d characters", FILTER_PATTERN_MAX_LEN);
    } else if (memchr(copy, '\0', p.len) != NULL) {
        ok = fail(&p, "NUL character");
    } else if (p.len > 0 && copy[0] == '{') {
        fp->kind = FILTER_PATTERN_JSON;
        ok = parse_json(&p, fp);
    } else if (p.len > 0 && copy[0] == '[') {
        fp->kind = FILTER_PATTERN_DELIMITED;
        ok = parse_delimited(&p, fp);
    } else if (p.len >= 2 && copy[0] == '%' && copy[p.len - 1] == '%') {
        fp->kind = FILTER_PATTERN_REGEX;
        fp->rx = rx_compile(&p, copy + 1, p.len - 2);
        ok = fp->rx != NULL;
    } else {
        fp->kind = FILTER_PATTERN_TERMS;
        ok = parse_terms(&p, fp);
    }
    if (!ok || p.failed) {
        if (why != NULL && why_cap > 0 && why[0] == '\0') {
            snprintf(why, why_cap, "invalid filter pattern");
        }
        filter_pattern_free(fp);
        return -1;
    }
    *out = fp;
    return 0;
}

// Frees a pattern; see filter_pattern.h.
void filter_pattern_free(struct filter_pattern *p)
{
    if (p == NULL) {
        return;
    }
    arena_release(&p->arena);
    free(p);
}

// Returns the pattern's form; see filter_pattern.h.
enum filter_pattern_kind filter_pattern_kind(const struct filter_pattern *p)
{
    return p->kind;
}

// ---- Matching -----------------------------------------------------------------------------

struct mstate {
    long budget; // backtracking steps left; at 0 every search fails
};

static bool spend(struct mstate *m)
{
    if (m->budget <= 0) {
        return false;
    }
    m->budget--;
    return true;
}

static bool rx_here(struct mstate *m, const struct rx_atom *at, size_t n, const char *s, size_t len,
                    size_t pos)
{
    if (!spend(m)) {
        return false;
    }
    if (n == 0) {
        return true;
    }
    if (at->type == RX_BOL) {
        return pos == 0 && rx_here(m, at + 1, n - 1, s, len, pos);
    }
    if (at->type == RX_EOL) {
        return pos == len && rx_here(m, at + 1, n - 1, s, len, pos);
    }
    size_t count = 0;
    size_t max = at->max < 0 ? len - pos : (size_t)at->max;
    while (count < max && pos + count < len && has_bit(at->set, (unsigned char)s[pos + count])) {
        count++;
    }
    if (count < (size_t)at->min) {
        return false;
    }
    for (size_t k = count + 1; k-- > (size_t)at->min;) {
        if (rx_here(m, at + 1, n - 1, s, len, pos + k)) {
            return true;
        }
        if (m->budget <= 0) {
            return false;
        }
    }
    return false;
}

// Searches s[0..len) for a match of rx anywhere.
static bool rx_search(struct mstate *m, const struct rx *rx, const char *s, size_t len)
{
    for (size_t b = 0; b < rx->count; b++) {
        const struct rx_branch *br = &rx->branches[b];
        for (size_t pos = 0; pos <= len; pos++) {
            if (rx_here(m, br->atoms, br->count, s, len, pos)) {
                return true;
            }
            if (m->budget <= 0) {
                return false;
            }
            if (br->count > 0 && br->atoms[0].type == RX_BOL) {
                break;
            }
        }
    }
    return false;
}

// Matches text against a VAL_STRING pattern: '*' matches any run of bytes; '\x01' makes the
// next byte literal. Linear-time greedy matching with one backtrack point.
static bool star_match(const char *pat, size_t plen, const char *s, size_t slen)
{
    size_t p = 0;
    size_t i = 0;
    size_t star_p = SIZE_MAX;
    size_t star_i = 0;
    while (i < slen) {
        if (p < plen && pat[p] == '*') {
            star_p = ++p;
            star_i = i;
            continue;
        }
        if (p < plen) {
            size_t q = p;
            if (pat[q] == '\x01' && q + 1 < plen) {
                q++;
            }
            if (pat[q] == s[i]) {
                p = q + 1;
                i++;
                continue;
            }
        }
        if (star_p == SIZE_MAX) {
            return false;
        }
        p = star_p;
        i = ++star_i;
    }
    while (p < plen && pat[p] == '*') {
        p++;
    }
    return p == plen;
}

// Tests a textual value (a delimited field, a JSON string, a JSON number as written) against a
// comparison. number is the value when text is numeric.
static bool compare_text(struct mstate *m, enum op op, const struct value *v, const char *text,
                         size_t len, bool numeric, double number)
{
    if (is_numeric_op(op) || (v->kind == VAL_NUMBER && numeric)) {
        if (!numeric) {
            return false;
        }
        switch (op) {
        case OP_EQ:
            return number == v->num;
        case OP_NE:
            return number != v->num;
        case OP_LT:
            return number < v->num;
        case OP_GT:
            return number > v->num;
        case OP_LE:
            return number <= v->num;
        case OP_GE:
            return number >= v->num;
        default:
            return false;
        }
    }
    bool eq;
    switch (v->kind) {
    case VAL_ANY:
        eq = true;
        break;
    case VAL_REGEX:
        eq = rx_search(m, v->rx, text, len);
        break;
    case VAL_NUMBER:
        eq = len == v->len && memcmp(text, v->s, len) == 0;
        break;
    default:
        eq = star_match(v->s, v->len, text, len);
        break;
    }
    if (op == OP_EQ) {
        return eq;
    }
    return op == OP_NE && v->kind != VAL_ANY && !eq;
}

// Follows a selector from the root of a parsed message; NULL when a step is missing.
static const struct jsonv *select_node(const struct jsonv *root, const struct selector *sel)
{
    const struct jsonv *cur = root;
    for (size_t i = 0; i < sel->count && cur != NULL; i++) {
        const struct sel_step *st = &sel->steps[i];
        if (st->key != NULL) {
            const struct jsonv *next = NULL;
            if (cur->type == JSONV_OBJECT) {
                for (uint32_t k = 0; k < cur->len; k++) {
                    const struct jsonv_member *mb = &cur->u.members[k];
                    if (mb->key_len == st->key_len && memcmp(mb->key, st->key, st->key_len) == 0) {
                        next = &mb->value;
                        break;
                    }
                }
            }
            cur = next;
        } else {
            cur = (cur->type == JSONV_ARRAY && st->index < cur->len) ? &cur->u.items[st->index]
                                                                     : NULL;
        }
    }
    return cur;
}

static bool eval_json_cond(struct mstate *m, const struct node *n, const struct jsonv *root)
{
    const struct jsonv *v = select_node(root, &n->sel);
    switch (n->op) {
    case OP_NOT_EXISTS:
        return v == NULL;
    case OP_IS_NULL:
        return v != NULL && v->type == JSONV_NULL;
    case OP_IS_TRUE:
        return v != NULL && v->type == JSONV_TRUE;
    case OP_IS_FALSE:
        return v != NULL && v->type == JSONV_FALSE;
    default:
        break;
    }
    if (v == NULL) {
        return false;
    }
    switch (v->type) {
    case JSONV_STRING:
        if (is_numeric_op(n->op)) {
            return false;
        }
        return compare_text(m, n->op, &n->val, v->u.str, v->len, false, 0);
    case JSONV_NUMBER:
        return compare_text(m, n->op, &n->val, v->u.str, v->len, true, v->num);
    case JSONV_TRUE:
    case JSONV_FALSE:
        if (is_numeric_op(n->op)) {
            return false;
        }
        return compare_text(m, n->op, &n->val, v->type == JSONV_TRUE ? "true" : "false",
                            v->type == JSONV_TRUE ? 4 : 5, false, 0);
    default:
        return false; // null, arrays and objects are not value nodes
    }
}

static bool eval_json(struct mstate *m, const struct node *n, const struct jsonv *root)
{
    switch (n->type) {
    case NODE_AND:
        return eval_json(m, n->l, root) && eval_json(m, n->r, root);
    case NODE_OR:
        return eval_json(m, n->l, root) || eval_json(m, n->r, root);
    default:
        return eval_json_cond(m, n, root);
    }
}

struct span {
    const char *s;
    size_t len;
};

static bool eval_delim(struct mstate *m, const struct node *n, const struct span *vals)
{
    switch (n->type) {
    case NODE_AND:
        return eval_delim(m, n->l, vals) && eval_delim(m, n->r, vals);
    case NODE_OR:
        return eval_delim(m, n->l, vals) || eval_delim(m, n->r, vals);
    default: {
        const struct span *v = &vals[n->field];
        double num = 0;
        bool numeric = parse_number(v->s, v->len, &num);
        return compare_text(m, n->op, &n->val, v->s, v->len, numeric, num);
    }
    }
}

struct dmatch {
    const struct filter_pattern *fp;
    const struct span *fields; // the message's fields
    size_t nfields;
    struct span *vals; // the value bound to each pattern field
};

// Binds pattern fields pi.. to message fields mi.., backtracking over ellipses.
static bool bind_fields(struct mstate *m, struct dmatch *d, size_t pi, size_t mi)
{
    if (!spend(m)) {
        return false;
    }
    const struct filter_pattern *fp = d->fp;
    if (pi == fp->field_count) {
        if (mi != d->nfields) {
            return false;
        }
        for (size_t i = 0; i < fp->field_count; i++) {
            const struct dfield *f = &fp->fields[i];
            if (f->cond != NULL && !f->self_only && !eval_delim(m, f->cond, d->vals)) {
                return false;
            }
        }
        return true;
    }
    const struct dfield *f = &fp->fields[pi];
    if (f->ellipsis) {
        for (size_t k = mi; k <= d->nfields; k++) {
            if (bind_fields(m, d, pi + 1, k)) {
                return true;
            }
            if (m->budget <= 0) {
                return false;
            }
        }
        return false;
    }
    if (mi >= d->nfields) {
        return false;
    }
    d->vals[pi] = d->fields[mi];
    if (f->cond != NULL && f->self_only && !eval_delim(m, f->cond, d->vals)) {
        return false;
    }
    return bind_fields(m, d, pi + 1, mi + 1);
}

// Splits a message into fields: runs of non-blanks, with "..." and [...] one field each (their
// delimiters dropped).
static size_t split_fields(struct arena *a, const char *msg, size_t len, struct span **out)
{
    size_t cap = 16;
    size_t n = 0;
    struct span *f = arena_alloc(a, cap * sizeof(*f));
    size_t i = 0;
    for (;;) {
        while (i < len && is_space(msg[i])) {
            i++;
        }
        if (i >= len) {
            break;
        }
        struct span s;
        char close = msg[i] == '"' ? '"' : msg[i] == '[' ? ']' : '\0';
        if (close != '\0') {
            const char *end = memchr(msg + i + 1, close, len - i - 1);
            s.s = msg + i + 1;
            s.len = end != NULL ? (size_t)(end - s.s) : len - i - 1;
            i = end != NULL ? (size_t)(end - msg) + 1 : len;
        } else {
            s.s = msg + i;
            while (i < len && !is_space(msg[i])) {
                i++;
            }
            s.len = (size_t)(msg + i - s.s);
        }
        if (n == cap) {
            struct span *g = arena_alloc(a, cap * 2 * sizeof(*g));
            memcpy(g, f, cap * sizeof(*g));
            f = g;
            cap *= 2;
        }
        f[n++] = s;
    }
    *out = f;
    return n;
}

// Returns true when needle[0..nlen) occurs in hay[0..hlen) (memmem is a GNU extension).
static bool contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0) {
        return true;
    }
    for (size_t i = 0; i + nlen <= hlen; i++) {
        const char *at = memchr(hay + i, needle[0], hlen - nlen - i + 1);
        if (at == NULL) {
            return false;
        }
        i = (size_t)(at - hay);
        if (memcmp(at, needle, nlen) == 0) {
            return true;
        }
    }
    return false;
}

static bool match_terms(const struct filter_pattern *fp, const char *msg, size_t len)
{
    bool any_some = false;
    bool some_found = false;
    for (size_t i = 0; i < fp->term_count; i++) {
        const struct term *t = &fp->terms[i];
        bool found = contains(msg, len, t->s, t->len);
        if (t->kind == TERM_ALL && !found) {
            return false;
        }
        if (t->kind == TERM_NOT && found) {
            return false;
        }
        if (t->kind == TERM_SOME) {
            any_some = true;
            some_found = some_found || found;
        }
    }
    return !any_some || some_found;
}

// Matches a message; see filter_pattern.h.
bool filter_pattern_match(const struct filter_pattern *p, const char *msg, size_t len)
{
    struct mstate m = {.budget = MATCH_BUDGET};
    switch (p->kind) {
    case FILTER_PATTERN_TERMS:
        return match_terms(p, msg, len);
    case FILTER_PATTERN_REGEX:
        return rx_search(&m, p->rx, msg, len);
    default:
        break;
    }
    char stack[8192];
    struct arena a;
    arena_init(&a, stack, sizeof(stack));
    bool ok = false;
    if (p->kind == FILTER_PATTERN_JSON) {
        const struct jsonv *root = NULL;
        if (jsonv_parse(&a, msg, len, &root, NULL, NULL) == JSONV_OK &&
            (root->type == JSONV_OBJECT || root->type == JSONV_ARRAY)) {
            ok = eval_json(&m, p->root, root);
        }
    } else {
        struct dmatch d = {.fp = p};
        struct span *fields = NULL;
        d.nfields = split_fields(&a, msg, len, &fields);
        d.fields = fields;
        d.vals = arena_calloc(&a, p->field_count + 1, sizeof(struct span));
        ok = bind_fields(&m, &d, 0, 0);
    }
    arena_release(&a);
    return ok;
}
