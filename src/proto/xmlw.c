// SPDX-License-Identifier: Apache-2.0
// The XML writer of xmlw.h. Escaping follows XML 1.0 (Fifth Edition) section 2.2 "Characters"
// (the Char production) and section 2.4 "Character Data and Markup".
#include "proto/xmlw.h"

#include <stdint.h>
#include <string.h>

// Starts a writer; see xmlw.h.
void xmlw_init(struct xmlw *w, struct buf *out)
{
    w->out = out;
    w->depth = 0;
    w->overflow = false;
}

// Writes the declaration; see xmlw.h.
void xmlw_declaration(struct xmlw *w)
{
    buf_puts(w->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

// Opens an element; see xmlw.h.
void xmlw_open(struct xmlw *w, const char *name, const char *ns)
{
    if (w->depth >= XMLW_MAX_DEPTH) {
        w->overflow = true;
        return;
    }
    w->stack[w->depth++] = name;
    buf_putc(w->out, '<');
    buf_puts(w->out, name);
    if (ns != NULL && ns[0] != '\0') {
        buf_puts(w->out, " xmlns=\"");
        xmlw_escape(w->out, ns, strlen(ns), true);
        buf_putc(w->out, '"');
    }
    buf_putc(w->out, '>');
}

// Closes an element; see xmlw.h.
void xmlw_close(struct xmlw *w)
{
    if (w->depth == 0) {
        return;
    }
    const char *name = w->stack[--w->depth];
    buf_puts(w->out, "</");
    buf_puts(w->out, name);
    buf_putc(w->out, '>');
}

// Writes text; see xmlw.h.
void xmlw_text(struct xmlw *w, const char *s, size_t len)
{
    xmlw_escape(w->out, s, len, false);
}

// Writes a text element; see xmlw.h.
void xmlw_element(struct xmlw *w, const char *name, const char *text, size_t len)
{
    xmlw_open(w, name, NULL);
    xmlw_text(w, text, len);
    xmlw_close(w);
}

// Closes everything; see xmlw.h.
void xmlw_finish(struct xmlw *w)
{
    while (w->depth > 0) {
        xmlw_close(w);
    }
}

// Length of the valid UTF-8 sequence at s[0..len) and its code point, or 0 when invalid.
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
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

// Escapes text; see xmlw.h.
void xmlw_escape(struct buf *out, const char *s, size_t len, bool attr)
{
    static const char replacement[] = "\xEF\xBF\xBD"; // U+FFFD
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; // start of the pending run of bytes that need no escaping
    size_t i = 0;
    while (i < len) {
        // Printable ASCII other than & < > " goes out as it is; skip it in one tight loop.
        while (i < len && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '&' && u[i] != '<' &&
               u[i] != '>' && u[i] != '"') {
            i++;
        }
        if (i == len) {
            break;
        }
        unsigned char c = u[i];
        const char *rep = NULL;
        size_t n = 1;
        if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (c == '"' && attr) {
            rep = "&quot;";
        } else if (c == '\r') {
            rep = "&#xD;";
        } else if (c == '\t' || c == '\n') {
            rep = attr ? (c == '\t' ? "&#x9;" : "&#xA;") : NULL;
        } else if (c < 0x20) {
            rep = replacement;
        } else if (c >= 0x80) {
            uint32_t cp;
            n = utf8_seq(u + i, len - i, &cp);
            if (n == 0) {
                n = 1;
                rep = replacement;
            } else if (cp == 0xFFFE || cp == 0xFFFF) {
                rep = replacement;
            }
        }
        if (rep != NULL) {
            buf_append(out, s + run, i - run);
            buf_puts(out, rep);
            i += n;
            run = i;
        } else {
            i += n;
        }
    }
    buf_append(out, s + run, len - run);
}
