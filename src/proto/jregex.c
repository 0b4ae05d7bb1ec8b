// SPDX-License-Identifier: Apache-2.0
// The Java-subset pattern matcher of jregex.h. The pattern is parsed into a small syntax tree,
// which is emitted as a program of NFA instructions (counted repetitions unrolled, each
// lookaround as a sub-program of its own), then run as a Pike VM over the input's code points.
// Java semantics follow the java.util.regex.Pattern documentation (Java SE 17): "Predefined
// character classes", "Line terminators", "Boundary matchers" and "Unicode support".
#include "proto/jregex.h"

#include "core/arena.h"
#include "proto/model.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 64 // groups inside groups
#define MAX_LOOK    8  // lookarounds inside lookarounds, at match time
#define MAX_COUNT   100000

enum nkind {
    N_EMPTY,
    N_CHAR,  // c; icase
    N_ANY,   // '.'
    N_CLASS, // c: class index
    N_CAT,   // kids[a .. a+b)
    N_ALT,   // kids[a .. a+b)
    N_REP,   // a: child; min, max (-1: unbounded)
    N_BOL,
    N_EOL,
    N_WORDB,
    N_NWORDB,
    N_LOOK, // a: child; look
};

enum look { LOOK_AHEAD, LOOK_NAHEAD, LOOK_BEHIND, LOOK_NBEHIND };

struct node {
    uint8_t kind;
    uint8_t look;
    bool icase;
    uint32_t c;
    int a;
    int b;
    int min;
    int max;
};

enum citem_kind {
    CI_RANGE, // lo..hi
    CI_DIGIT,
    CI_NDIGIT,
    CI_WORD,
    CI_NWORD,
    CI_SPACE,
    CI_NSPACE,
    CI_CAT,  // lo: category letter
    CI_NCAT, // lo: category letter
};

struct citem {
    uint8_t kind;
    uint32_t lo;
    uint32_t hi;
};

struct cclass {
    uint32_t first;
    uint32_t count;
    bool negate;
    bool icase;
};

enum op {
    I_CHAR,  // x: code point (lowercase when flag); flag: ASCII case-insensitive
    I_ANY,   // any code point but a line terminator
    I_CLASS, // x: class
    I_SPLIT, // x, y: both
    I_JMP,   // x
    I_MATCH,
    I_BOL,
    I_EOL,
    I_WORDB,
    I_NWORDB,
    I_LOOK, // flag: enum look; x: sub-program start; y: lookbehind length
};

struct inst {
    uint8_t op;
    uint8_t flag;
    uint32_t x;
    uint32_t y;
};

struct jregex {
    struct inst *prog;
    uint32_t len;
    struct citem *items;
    struct cclass *classes;
    // A pattern that is one character class repeated ("[\\w+=,.@-]+", most name patterns of
    // the AWS models) is also answered from a table of the ASCII characters it admits; text with
    // other characters goes to the full matcher.
    bool ascii_class;
    uint32_t class_min; // 1 for '+', 0 for '*'
    bool ascii_in[128];
};

// A growable array of fixed-size elements (the parser's and compiler's scratch).
struct vec {
    void *data;
    uint32_t len;
    uint32_t cap;
};

static void *vec_push(struct vec *v, size_t elem)
{
    if (v->len == v->cap) {
        v->cap = v->cap != 0 ? v->cap * 2 : 32;
        v->data = sb_xrealloc(v->data, v->cap * elem);
    }
    void *slot = (char *)v->data + (size_t)v->len * elem;
    v->len++;
    memset(slot, 0, elem);
    return slot;
}

struct parser {
    const char *p;
    const char *end;
    const char *why; // set on the first error
    bool icase;
    int depth;
    struct vec nodes;   // struct node
    struct vec kids;    // int
    struct vec items;   // struct citem
    struct vec classes; // struct cclass
};

static int fail(struct parser *ps, const char *why)
{
    if (ps->why == NULL) {
        ps->why = why;
    }
    return -1;
}

static int new_node(struct parser *ps, uint8_t kind)
{
    struct node *n = vec_push(&ps->nodes, sizeof(struct node));
    n->kind = kind;
    n->icase = ps->icase;
    return (int)ps->nodes.len - 1;
}

static struct node *node_at(struct parser *ps, int i)
{
    return &((struct node *)ps->nodes.data)[i];
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Decodes one UTF-8 sequence of s[0..len); returns its length, or 0 when it is invalid.
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        return 0;
    }
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        c &= 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        c &= 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    *cp = c;
    return n;
}

// Reads exactly four hex digits after "\u".
static int read_u4(struct parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4) {
        return fail(ps, "short \\u escape");
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(ps->p[i]);
        if (h < 0) {
            return fail(ps, "bad \\u escape");
        }
        v = v << 4 | (uint32_t)h;
    }
    ps->p += 4;
    *out = v;
    return 0;
}

// What an escape sequence stands for.
enum esc_kind { ESC_CHAR, ESC_ITEM, ESC_ASSERT };

struct esc {
    enum esc_kind kind;
    uint32_t c;        // ESC_CHAR
    struct citem item; // ESC_ITEM
    uint8_t assert;    // ESC_ASSERT: N_BOL, N_EOL, N_WORDB, N_NWORDB
};

// Parses the escape after a backslash (ps->p is past it). in_class refuses the assertions.
static int parse_escape(struct parser *ps, bool in_class, struct esc *e)
{
    if (ps->p >= ps->end) {
        return fail(ps, "trailing backslash");
    }
    char c = *ps->p++;
    e->kind = ESC_CHAR;
    switch (c) {
    case 't':
        e->c = '\t';
        return 0;
    case 'n':
        e->c = '\n';
        return 0;
    case 'r':
        e->c = '\r';
        return 0;
    case 'f':
        e->c = '\f';
        return 0;
    case 'a':
        e->c = 0x07;
        return 0;
    case 'e':
        e->c = 0x1B;
        return 0;
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S': {
        static const char letters[] = "dDwWsS";
        static const uint8_t kinds[] = {CI_DIGIT, CI_NDIGIT, CI_WORD,
                                        CI_NWORD, CI_SPACE,  CI_NSPACE};
        e->kind = ESC_ITEM;
        e->item.kind = kinds[strchr(letters, c) - letters];
        return 0;
    }
    case 'p':
    case 'P': {
        // \pL, \p{L}, \p{IsL}: the major general categories only.
        char cat;
        if (ps->p < ps->end && *ps->p == '{') {
            const char *close = memchr(ps->p, '}', (size_t)(ps->end - ps->p));
            if (close == NULL) {
                return fail(ps, "unclosed \\p{");
            }
            const char *name = ps->p + 1;
            size_t name_len = (size_t)(close - name);
            if (name_len == 3 && name[0] == 'I' && name[1] == 's') {
                name += 2;
                name_len = 1;
            }
            if (name_len != 1) {
                return fail(ps, "unsupported \\p{} property");
            }
            cat = name[0];
            ps->p = close + 1;
        } else if (ps->p < ps->end) {
            cat = *ps->p++;
        } else {
            return fail(ps, "bad \\p");
        }
        if (strchr("LMNPSZC", cat) == NULL || cat == '\0') {
            return fail(ps, "unsupported \\p{} property");
        }
        e->kind = ESC_ITEM;
        e->item.kind = c == 'p' ? CI_CAT : CI_NCAT;
        e->item.lo = (uint32_t)(unsigned char)cat;
        return 0;
    }
    case 'u': {
        uint32_t v;
        if (read_u4(ps, &v) != 0) {
            return -1;
        }
        // Java joins an escaped surrogate pair into one code point (Pattern.uxxxx).
        if (v >= 0xD800 && v <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
            ps->p[1] == 'u') {
            const char *save = ps->p;
            ps->p += 2;
            uint32_t lo;
            if (read_u4(ps, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            } else {
                ps->why = NULL;
                ps->p = save;
            }
        }
        e->c = v;
        return 0;
    }
    case 'x': {
        if (ps->end - ps->p < 2 || hexval(ps->p[0]) < 0 || hexval(ps->p[1]) < 0) {
            return fail(ps, "bad \\x escape");
        }
        e->c = (uint32_t)(hexval(ps->p[0]) * 16 + hexval(ps->p[1]));
        ps->p += 2;
        return 0;
    }
    case '0': {
        uint32_t v = 0;
        int digits = 0;
        while (digits < 3 && ps->p < ps->end && *ps->p >= '0' && *ps->p <= '7') {
            uint32_t next = v * 8 + (uint32_t)(*ps->p - '0');
            if (next > 0377) {
                break;
            }
            v = next;
            ps->p++;
            digits++;
        }
        if (digits == 0) {
            return fail(ps, "bad octal escape");
        }
        e->c = v;
        return 0;
    }
    case 'b':
    case 'B':
    case 'A':
    case 'z':
    case 'Z':
        if (in_class) {
            return fail(ps, "assertion inside a class");
        }
        e->kind = ESC_ASSERT;
        e->assert = c == 'b' ? N_WORDB : c == 'B' ? N_NWORDB : c == 'A' ? N_BOL : N_EOL;
        return 0;
    default:
        break;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '1' && c <= '9')) {
        // Backreferences, \Q..\E, \c, \G, \R, \X, \k<...>: outside the subset.
        return fail(ps, "unsupported escape");
    }
    if ((unsigned char)c >= 0x80) {
        ps->p--;
        size_t n = utf8_decode((const unsigned char *)ps->p, (size_t)(ps->end - ps->p), &e->c);
        if (n == 0) {
            return fail(ps, "invalid UTF-8 in pattern");
        }
        ps->p += n;
        return 0;
    }
    e->c = (uint32_t)(unsigned char)c;
    return 0;
}

// Reads one literal code point of the pattern.
static int read_literal(struct parser *ps, uint32_t *cp)
{
    size_t n = utf8_decode((const unsigned char *)ps->p, (size_t)(ps->end - ps->p), cp);
    if (n == 0) {
        return fail(ps, "invalid UTF-8 in pattern");
    }
    ps->p += n;
    return 0;
}

// Parses a class after '['; returns its node.
static int parse_class(struct parser *ps)
{
    struct cclass cls = {.first = ps->items.len, .icase = ps->icase};
    if (ps->p < ps->end && *ps->p == '^') {
        cls.negate = true;
        ps->p++;
    }
    bool first = true;
    for (;;) {
        if (ps->p >= ps->end) {
            return fail(ps, "unclosed class");
        }
        char c = *ps->p;
        if (c == ']' && !first) {
            ps->p++;
            break;
        }
        if (c == '[' || (c == '&' && ps->p + 1 < ps->end && ps->p[1] == '&')) {
            return fail(ps, "nested class or intersection");
        }
        first = false;
        struct citem item = {.kind = CI_RANGE};
        uint32_t lo;
        if (c == '\\') {
            ps->p++;
            struct esc e;
            if (parse_escape(ps, true, &e) != 0) {
                return -1;
            }
            if (e.kind == ESC_ITEM) {
                *(struct citem *)vec_push(&ps->items, sizeof(struct citem)) = e.item;
                continue;
            }
            lo = e.c;
        } else if (read_literal(ps, &lo) != 0) {
            return -1;
        }
        item.lo = lo;
        item.hi = lo;
        // A '-' between two single characters makes a range; elsewhere it is literal.
        if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']') {
            ps->p++;
            uint32_t hi;
            if (*ps->p == '\\') {
                ps->p++;
                struct esc e;
                if (parse_escape(ps, true, &e) != 0) {
                    return -1;
                }
                if (e.kind != ESC_CHAR) {
                    return fail(ps, "class item as a range end");
                }
                hi = e.c;
            } else if (*ps->p == '[') {
                return fail(ps, "nested class");
            } else if (read_literal(ps, &hi) != 0) {
                return -1;
            }
            if (hi < lo) {
                return fail(ps, "reversed range");
            }
            item.hi = hi;
        }
        *(struct citem *)vec_push(&ps->items, sizeof(struct citem)) = item;
    }
    cls.count = ps->items.len - cls.first;
    *(struct cclass *)vec_push(&ps->classes, sizeof(struct cclass)) = cls;
    int n = new_node(ps, N_CLASS);
    node_at(ps, n)->c = ps->classes.len - 1;
    return n;
}

static int parse_alt(struct parser *ps);

// Parses a group after '('.
static int parse_group(struct parser *ps)
{
    if (++ps->depth > MAX_NESTING) {
        return fail(ps, "groups nested too deeply");
    }
    bool saved_icase = ps->icase;
    int look = -1;
    if (ps->p < ps->end && *ps->p == '?') {
        ps->p++;
        size_t left = (size_t)(ps->end - ps->p);
        if (left >= 1 && *ps->p == ':') {
            ps->p++;
        } else if (left >= 1 && *ps->p == '=') {
            ps->p++;
            look = LOOK_AHEAD;
        } else if (left >= 1 && *ps->p == '!') {
            ps->p++;
            look = LOOK_NAHEAD;
        } else if (left >= 2 && ps->p[0] == '<' && ps->p[1] == '=') {
            ps->p += 2;
            look = LOOK_BEHIND;
        } else if (left >= 2 && ps->p[0] == '<' && ps->p[1] == '!') {
            ps->p += 2;
            look = LOOK_NBEHIND;
        } else if (left >= 2 && ps->p[0] == 'i' && ps->p[1] == ')') {
            // (?i): case-insensitive from here to the end of the enclosing group.
            ps->p += 2;
            ps->icase = true;
            ps->depth--;
            return new_node(ps, N_EMPTY);
        } else if (left >= 2 && ps->p[0] == 'i' && ps->p[1] == ':') {
            ps->p += 2;
            ps->icase = true;
        } else {
            return fail(ps, "unsupported group construct");
        }
    }
    int inner = parse_alt(ps);
    if (inner < 0) {
        return -1;
    }
    if (ps->p >= ps->end || *ps->p != ')') {
        return fail(ps, "unclosed group");
    }
    ps->p++;
    ps->icase = saved_icase;
    ps->depth--;
    if (look < 0) {
        return inner;
    }
    int n = new_node(ps, N_LOOK);
    node_at(ps, n)->look = (uint8_t)look;
    node_at(ps, n)->a = inner;
    return n;
}

static int parse_atom(struct parser *ps)
{
    char c = *ps->p;
    switch (c) {
    case '(':
        ps->p++;
        return parse_group(ps);
    case '[':
        ps->p++;
        return parse_class(ps);
    case '.':
        ps->p++;
        return new_node(ps, N_ANY);
    case '^':
        ps->p++;
        return new_node(ps, N_BOL);
    case '$':
        ps->p++;
        return new_node(ps, N_EOL);
    case '*':
    case '+':
    case '?':
    case '{':
        return fail(ps, "dangling quantifier");
    case '\\': {
        ps->p++;
        struct esc e;
        if (parse_escape(ps, false, &e) != 0) {
            return -1;
        }
        if (e.kind == ESC_ASSERT) {
            return new_node(ps, e.assert);
        }
        if (e.kind == ESC_ITEM) {
            struct cclass cls = {.first = ps->items.len, .count = 1, .icase = ps->icase};
            *(struct citem *)vec_push(&ps->items, sizeof(struct citem)) = e.item;
            *(struct cclass *)vec_push(&ps->classes, sizeof(struct cclass)) = cls;
            int n = new_node(ps, N_CLASS);
            node_at(ps, n)->c = ps->classes.len - 1;
            return n;
        }
        int n = new_node(ps, N_CHAR);
        node_at(ps, n)->c = e.c;
        return n;
    }
    default: {
        uint32_t cp;
        if (read_literal(ps, &cp) != 0) {
            return -1;
        }
        int n = new_node(ps, N_CHAR);
        node_at(ps, n)->c = cp;
        return n;
    }
    }
}

// Reads a decimal count of a {n,m} quantifier.
static int read_count(struct parser *ps, int *out)
{
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
        return fail(ps, "bad repetition count");
    }
    long v = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        v = v * 10 + (*ps->p - '0');
        if (v > MAX_COUNT) {
            return fail(ps, "repetition count too large");
        }
        ps->p++;
    }
    *out = (int)v;
    return 0;
}

// Parses an atom and its quantifiers.
static int parse_repeat(struct parser *ps)
{
    int atom = parse_atom(ps);
    if (atom < 0) {
        return -1;
    }
    while (ps->p < ps->end) {
        int min = 0;
        int max = 0;
        char c = *ps->p;
        if (c == '*') {
            min = 0;
            max = -1;
            ps->p++;
        } else if (c == '+') {
            min = 1;
            max = -1;
            ps->p++;
        } else if (c == '?') {
            min = 0;
            max = 1;
            ps->p++;
        } else if (c == '{') {
            ps->p++;
            if (read_count(ps, &min) != 0) {
                return -1;
            }
            max = min;
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                max = -1;
                if (ps->p < ps->end && *ps->p != '}' && read_count(ps, &max) != 0) {
                    return -1;
                }
            }
            if (ps->p >= ps->end || *ps->p != '}') {
                return fail(ps, "unclosed repetition");
            }
            ps->p++;
            if (max >= 0 && max < min) {
                return fail(ps, "reversed repetition");
            }
        } else {
            break;
        }
        if (ps->p < ps->end && *ps->p == '?') {
            ps->p++; // lazy: the same language under whole-input matching
        } else if (ps->p < ps->end && *ps->p == '+') {
            return fail(ps, "possessive quantifier");
        }
        int n = new_node(ps, N_REP);
        struct node *r = node_at(ps, n);
        r->a = atom;
        r->min = min;
        r->max = max;
        atom = n;
    }
    return atom;
}

// Collects the children of a CAT or ALT node into the kids array.
static int make_list(struct parser *ps, uint8_t kind, const int *items, int count)
{
    if (count == 1) {
        return items[0];
    }
    int n = new_node(ps, kind);
    node_at(ps, n)->a = (int)ps->kids.len;
    node_at(ps, n)->b = count;
    for (int i = 0; i < count; i++) {
        *(int *)vec_push(&ps->kids, sizeof(int)) = items[i];
    }
    return n;
}

// Parses a sequence up to '|', ')' or the end.
static int parse_cat(struct parser *ps)
{
    struct vec items = {0};
    int rc = -1;
    while (ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
        int n = parse_repeat(ps);
        if (n < 0) {
            goto out;
        }
        *(int *)vec_push(&items, sizeof(int)) = n;
    }
    if (items.len == 0) {
        rc = new_node(ps, N_EMPTY);
    } else {
        rc = make_list(ps, N_CAT, items.data, (int)items.len);
    }
out:
    free(items.data);
    return rc;
}

static int parse_alt(struct parser *ps)
{
    struct vec items = {0};
    int rc = -1;
    for (;;) {
        int n = parse_cat(ps);
        if (n < 0) {
            goto out;
        }
        *(int *)vec_push(&items, sizeof(int)) = n;
        if (ps->p < ps->end && *ps->p == '|') {
            ps->p++;
            continue;
        }
        break;
    }
    rc = make_list(ps, N_ALT, items.data, (int)items.len);
out:
    free(items.data);
    return rc;
}

struct compiler {
    struct parser *ps;
    struct vec prog;     // struct inst
    struct vec deferred; // int pairs: instruction, node
    bool too_big;
};

static uint32_t emit_inst(struct compiler *c, uint8_t op, uint8_t flag, uint32_t x, uint32_t y)
{
    if (c->prog.len >= JREGEX_MAX_PROGRAM) {
        c->too_big = true;
        return c->prog.len - 1;
    }
    struct inst *in = vec_push(&c->prog, sizeof(struct inst));
    in->op = op;
    in->flag = flag;
    in->x = x;
    in->y = y;
    return c->prog.len - 1;
}

static struct inst *inst_at(struct compiler *c, uint32_t i)
{
    return &((struct inst *)c->prog.data)[i];
}

// The number of code points node always consumes, or -1 when it varies.
static long fixed_length(struct parser *ps, int n)
{
    const struct node *nd = node_at(ps, n);
    switch (nd->kind) {
    case N_CHAR:
    case N_ANY:
    case N_CLASS:
        return 1;
    case N_CAT: {
        long sum = 0;
        for (int i = 0; i < nd->b; i++) {
            long l = fixed_length(ps, ((int *)ps->kids.data)[nd->a + i]);
            if (l < 0) {
                return -1;
            }
            sum += l;
        }
        return sum;
    }
    case N_ALT: {
        long first = -1;
        for (int i = 0; i < nd->b; i++) {
            long l = fixed_length(ps, ((int *)ps->kids.data)[nd->a + i]);
            if (l < 0 || (i > 0 && l != first)) {
                return -1;
            }
            first = l;
        }
        return first;
    }
    case N_REP: {
        if (nd->max != nd->min) {
            return -1;
        }
        long l = fixed_length(ps, nd->a);
        return l < 0 ? -1 : l * nd->min;
    }
    default:
        return 0;
    }
}

static void emit_node(struct compiler *c, int n)
{
    if (c->too_big) {
        return;
    }
    struct parser *ps = c->ps;
    struct node nd = *node_at(ps, n);
    switch (nd.kind) {
    case N_EMPTY:
        break;
    case N_CHAR: {
        uint32_t ch = nd.c;
        if (nd.icase && ch >= 'A' && ch <= 'Z') {
            ch += 'a' - 'A';
        }
        emit_inst(c, I_CHAR, nd.icase ? 1 : 0, ch, 0);
        break;
    }
    case N_ANY:
        emit_inst(c, I_ANY, 0, 0, 0);
        break;
    case N_CLASS:
        emit_inst(c, I_CLASS, 0, nd.c, 0);
        break;
    case N_BOL:
        emit_inst(c, I_BOL, 0, 0, 0);
        break;
    case N_EOL:
        emit_inst(c, I_EOL, 0, 0, 0);
        break;
    case N_WORDB:
        emit_inst(c, I_WORDB, 0, 0, 0);
        break;
    case N_NWORDB:
        emit_inst(c, I_NWORDB, 0, 0, 0);
        break;
    case N_CAT:
        for (int i = 0; i < nd.b; i++) {
            emit_node(c, ((int *)ps->kids.data)[nd.a + i]);
        }
        break;
    case N_ALT: {
        // SPLIT to each branch in turn; every branch but the last jumps to the end.
        struct vec jumps = {0};
        for (int i = 0; i < nd.b && !c->too_big; i++) {
            uint32_t split = 0;
            bool last = i == nd.b - 1;
            if (!last) {
                split = emit_inst(c, I_SPLIT, 0, c->prog.len + 1, 0);
            }
            emit_node(c, ((int *)ps->kids.data)[nd.a + i]);
            if (!last) {
                *(uint32_t *)vec_push(&jumps, sizeof(uint32_t)) = emit_inst(c, I_JMP, 0, 0, 0);
                inst_at(c, split)->y = c->prog.len;
            }
        }
        for (uint32_t i = 0; i < jumps.len && !c->too_big; i++) {
            inst_at(c, ((uint32_t *)jumps.data)[i])->x = c->prog.len;
        }
        free(jumps.data);
        break;
    }
    case N_REP: {
        for (int i = 0; i < nd.min && !c->too_big; i++) {
            emit_node(c, nd.a);
        }
        if (nd.max < 0) {
            uint32_t loop = emit_inst(c, I_SPLIT, 0, c->prog.len + 1, 0);
            emit_node(c, nd.a);
            emit_inst(c, I_JMP, 0, loop, 0);
            if (!c->too_big) {
                inst_at(c, loop)->y = c->prog.len;
            }
            break;
        }
        struct vec splits = {0};
        for (int i = nd.min; i < nd.max && !c->too_big; i++) {
            *(uint32_t *)vec_push(&splits, sizeof(uint32_t)) =
                emit_inst(c, I_SPLIT, 0, c->prog.len + 1, 0);
            emit_node(c, nd.a);
        }
        for (uint32_t i = 0; i < splits.len && !c->too_big; i++) {
            inst_at(c, ((uint32_t *)splits.data)[i])->y = c->prog.len;
        }
        free(splits.data);
        break;
    }
    case N_LOOK: {
        uint32_t len = 0;
        if (nd.look == LOOK_BEHIND || nd.look == LOOK_NBEHIND) {
            long l = fixed_length(ps, nd.a);
            if (l < 0 || l > 1000) {
                ps->why = "lookbehind without a fixed length";
                c->too_big = true;
                return;
            }
            len = (uint32_t)l;
        }
        uint32_t at = emit_inst(c, I_LOOK, nd.look, 0, len);
        int *pair = vec_push(&c->deferred, 2 * sizeof(int));
        pair[0] = (int)at;
        pair[1] = nd.a;
        break;
    }
    default:
        break;
    }
}

// Compiles a pattern; see jregex.h.
static int run_full(const struct jregex *re, const char *s, size_t len);

// Recognizes "[...]+" and "[...]*" (one class with no nested class, repeated) and fills re's
// ASCII table by asking the compiled program about each one-character string.
static void set_ascii_class(struct jregex *re, const char *p, size_t len)
{
    if (len < 4 || p[0] != '[' || (p[len - 1] != '+' && p[len - 1] != '*') || p[len - 2] != ']') {
        return;
    }
    for (size_t i = 1; i < len - 2; i++) {
        if (p[i] == '\\') {
            i++; // an escaped character, whatever it is
        } else if (p[i] == '[' || p[i] == ']') {
            return; // a nested class or an earlier end: not this simple shape
        }
    }
    if (p[len - 3] == '\\') {
        return; // "\\]" escapes the bracket: the class does not end there
    }
    for (int ch = 0; ch < 128; ch++) {
        char one = (char)ch;
        int m = run_full(re, &one, 1);
        if (m < 0) {
            return;
        }
        re->ascii_in[ch] = m == 1;
    }
    re->class_min = p[len - 1] == '+' ? 1 : 0;
    re->ascii_class = true;
}

int jregex_compile(const char *pattern, size_t len, struct jregex **out, const char **why)
{
    struct parser ps = {.p = pattern, .end = pattern + len};
    struct compiler c = {.ps = &ps};
    int rc = -1;
    *out = NULL;
    int root = parse_alt(&ps);
    if (root < 0) {
        goto out;
    }
    if (ps.p != ps.end) {
        fail(&ps, "unbalanced ')'");
        goto out;
    }
    emit_node(&c, root);
    emit_inst(&c, I_MATCH, 0, 0, 0);
    // Lookaround bodies follow the main program, each ending in its own MATCH; the deferred
    // list grows while nested lookarounds are emitted.
    for (uint32_t i = 0; i < c.deferred.len && !c.too_big; i++) {
        int *pair = (int *)c.deferred.data + (size_t)2 * i;
        uint32_t start = c.prog.len;
        int child = pair[1];
        uint32_t at = (uint32_t)pair[0];
        emit_node(&c, child);
        emit_inst(&c, I_MATCH, 0, 0, 0);
        if (!c.too_big) {
            inst_at(&c, at)->x = start;
        }
    }
    if (c.too_big) {
        fail(&ps, "program too large");
        goto out;
    }
    struct jregex *re = sb_xcalloc(1, sizeof(*re));
    re->prog = c.prog.data;
    re->len = c.prog.len;
    re->items = ps.items.data;
    re->classes = ps.classes.data;
    c.prog.data = NULL;
    ps.items.data = NULL;
    ps.classes.data = NULL;
    set_ascii_class(re, pattern, len);
    *out = re;
    rc = 0;
out:
    if (rc != 0 && why != NULL) {
        *why = ps.why != NULL ? ps.why : "invalid pattern";
    }
    free(c.prog.data);
    free(c.deferred.data);
    free(ps.nodes.data);
    free(ps.kids.data);
    free(ps.items.data);
    free(ps.classes.data);
    return rc;
}

// Frees a program; see jregex.h.
void jregex_free(struct jregex *re)
{
    if (re == NULL) {
        return;
    }
    free(re->prog);
    free(re->items);
    free(re->classes);
    free(re);
}

static bool is_line_terminator(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static bool is_ascii_word(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Java's \s: [ \t\n\x0B\f\r].
static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}

static bool item_matches(const struct citem *it, uint32_t c)
{
    switch (it->kind) {
    case CI_RANGE:
        return c >= it->lo && c <= it->hi;
    case CI_DIGIT:
        return c >= '0' && c <= '9';
    case CI_NDIGIT:
        return !(c >= '0' && c <= '9');
    case CI_WORD:
        return is_ascii_word(c);
    case CI_NWORD:
        return !is_ascii_word(c);
    case CI_SPACE:
        return is_space(c);
    case CI_NSPACE:
        return !is_space(c);
    case CI_CAT:
        return model_ucat_of(c) == (char)it->lo;
    case CI_NCAT:
        return model_ucat_of(c) != (char)it->lo;
    default:
        return false;
    }
}

static bool class_matches(const struct jregex *re, uint32_t idx, uint32_t c)
{
    const struct cclass *cls = &re->classes[idx];
    bool hit = false;
    for (uint32_t i = 0; i < cls->count && !hit; i++) {
        hit = item_matches(&re->items[cls->first + i], c);
    }
    if (!hit && cls->icase) {
        uint32_t other = c;
        if (c >= 'a' && c <= 'z') {
            other = c - ('a' - 'A');
        } else if (c >= 'A' && c <= 'Z') {
            other = c + ('a' - 'A');
        }
        for (uint32_t i = 0; i < cls->count && !hit && other != c; i++) {
            hit = item_matches(&re->items[cls->first + i], other);
        }
    }
    return hit != cls->negate;
}

// Java's \b: a word character on one side only (letters and digits of any script, and '_').
static bool is_word_at(const uint32_t *text, size_t n, size_t pos)
{
    if (pos >= n) {
        return false;
    }
    uint32_t c = text[pos];
    if (c < 0x80) {
        return is_ascii_word(c);
    }
    char cat = model_ucat_of(c);
    return cat == 'L' || cat == 'N';
}

enum run_mode {
    RUN_FULL,   // accept only at the end of the input
    RUN_PREFIX, // accept anywhere (lookahead)
    RUN_EXACT,  // accept only at `to` (lookbehind)
};

struct run_ctx {
    const struct jregex *re;
    const uint32_t *text;
    size_t n;
    size_t budget;
    int depth;
};

struct thread_set {
    uint32_t *mark; // generation at which each instruction was last added
    uint32_t *stack;
    uint32_t gen;
};

static int run(struct run_ctx *x, uint32_t start, size_t from, size_t to, enum run_mode mode);

// Evaluates a lookaround at pos: 1 holds, 0 does not, -1 budget exhausted.
static int look_holds(struct run_ctx *x, const struct inst *in, size_t pos)
{
    if (x->depth >= MAX_LOOK) {
        return -1;
    }
    x->depth++;
    int r;
    if (in->flag == LOOK_AHEAD || in->flag == LOOK_NAHEAD) {
        r = run(x, in->x, pos, x->n, RUN_PREFIX);
    } else if (pos < in->y) {
        r = 0;
    } else {
        r = run(x, in->x, pos - in->y, pos, RUN_EXACT);
    }
    x->depth--;
    if (r < 0) {
        return -1;
    }
    bool positive = in->flag == LOOK_AHEAD || in->flag == LOOK_BEHIND;
    return (r == 1) == positive ? 1 : 0;
}

// Adds pc and everything reachable from it without consuming input to list; sets *matched when
// a MATCH is reached at an accepted position. Returns -1 when the budget runs out.
static int add_thread(struct run_ctx *x, struct thread_set *ts, uint32_t *list, uint32_t *count,
                      uint32_t pc, size_t pos, size_t to, enum run_mode mode, bool *matched)
{
    const struct inst *prog = x->re->prog;
    uint32_t sp = 0;
    ts->stack[sp++] = pc;
    while (sp > 0) {
        if (x->budget == 0) {
            return -1;
        }
        x->budget--;
        uint32_t at = ts->stack[--sp];
        if (ts->mark[at] == ts->gen) {
            continue;
        }
        ts->mark[at] = ts->gen;
        const struct inst *in = &prog[at];
        switch (in->op) {
        case I_JMP:
            ts->stack[sp++] = in->x;
            break;
        case I_SPLIT:
            ts->stack[sp++] = in->y;
            ts->stack[sp++] = in->x;
            break;
        case I_MATCH:
            if (mode == RUN_PREFIX || (mode == RUN_FULL && pos == x->n) ||
                (mode == RUN_EXACT && pos == to)) {
                *matched = true;
            }
            break;
        case I_BOL:
            if (pos == 0) {
                ts->stack[sp++] = at + 1;
            }
            break;
        case I_EOL: {
            // Java's $ without MULTILINE: the end, or just before a final line terminator.
            size_t n = x->n;
            bool eol = pos == n || (pos + 1 == n && is_line_terminator(x->text[pos])) ||
                       (pos + 2 == n && x->text[pos] == '\r' && x->text[pos + 1] == '\n');
            if (eol) {
                ts->stack[sp++] = at + 1;
            }
            break;
        }
        case I_WORDB:
        case I_NWORDB: {
            bool before = pos > 0 && is_word_at(x->text, x->n, pos - 1);
            bool boundary = before != is_word_at(x->text, x->n, pos);
            if (boundary == (in->op == I_WORDB)) {
                ts->stack[sp++] = at + 1;
            }
            break;
        }
        case I_LOOK: {
            int r = look_holds(x, in, pos);
            if (r < 0) {
                return -1;
            }
            if (r == 1) {
                ts->stack[sp++] = at + 1;
            }
            break;
        }
        default:
            list[(*count)++] = at;
            break;
        }
    }
    return 0;
}

static bool step_matches(const struct jregex *re, const struct inst *in, uint32_t c)
{
    switch (in->op) {
    case I_CHAR:
        if (in->flag != 0 && c >= 'A' && c <= 'Z') {
            c += 'a' - 'A';
        }
        return c == in->x;
    case I_ANY:
        return !is_line_terminator(c);
    case I_CLASS:
        return class_matches(re, in->x, c);
    default:
        return false;
    }
}

// Runs the program from start over text[from..], in the given mode: 1 match, 0 none, -1 budget.
static int run(struct run_ctx *x, uint32_t start, size_t from, size_t to, enum run_mode mode)
{
    uint32_t m = x->re->len;
    uint32_t *mem = sb_xcalloc((size_t)m * 5 + 4, sizeof(uint32_t));
    struct thread_set ts = {.mark = mem, .stack = mem + 3 * (size_t)m, .gen = 0};
    uint32_t *clist = mem + m;
    uint32_t *nlist = mem + 2 * (size_t)m;
    uint32_t cn = 0;
    bool matched = false;
    int rc = 0;
    size_t limit = mode == RUN_EXACT ? to : x->n;
    ts.gen = 1;
    if (add_thread(x, &ts, clist, &cn, start, from, to, mode, &matched) != 0) {
        rc = -1;
        goto out;
    }
    for (size_t pos = from;; pos++) {
        if (matched) {
            rc = 1;
            goto out;
        }
        if (cn == 0 || pos >= limit) {
            goto out;
        }
        uint32_t c = x->text[pos];
        uint32_t nn = 0;
        ts.gen++;
        for (uint32_t i = 0; i < cn; i++) {
            const struct inst *in = &x->re->prog[clist[i]];
            if (x->budget == 0) {
                rc = -1;
                goto out;
            }
            x->budget--;
            if (step_matches(x->re, in, c) &&
                add_thread(x, &ts, nlist, &nn, clist[i] + 1, pos + 1, to, mode, &matched) != 0) {
                rc = -1;
                goto out;
            }
        }
        uint32_t *tmp = clist;
        clist = nlist;
        nlist = tmp;
        cn = nn;
    }
out:
    free(mem);
    return rc;
}

// Matches the whole input; see jregex.h.
int jregex_match(const struct jregex *re, const char *s, size_t len)
{
    if (re->ascii_class) {
        bool ascii = true;
        for (size_t i = 0; i < len && ascii; i++) {
            unsigned char b = (unsigned char)s[i];
            if (b >= 0x80) {
                ascii = false; // decode and run the program
            } else if (!re->ascii_in[b]) {
                return 0;
            }
        }
        if (ascii) {
            return len >= re->class_min ? 1 : 0;
        }
    }
    return run_full(re, s, len);
}

// The program run over the decoded text.
static int run_full(const struct jregex *re, const char *s, size_t len)
{
    uint32_t *text = sb_xmalloc((len + 1) * sizeof(uint32_t));
    size_t n = 0;
    int rc = -1;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_decode((const unsigned char *)s + i, len - i, &text[n]);
        if (k == 0) {
            goto out;
        }
        i += k;
        n++;
    }
    struct run_ctx x = {.re = re, .text = text, .n = n, .budget = JREGEX_STEP_BUDGET};
    rc = run(&x, 0, 0, n, RUN_FULL);
out:
    free(text);
    return rc;
}
