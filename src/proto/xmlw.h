// SPDX-License-Identifier: Apache-2.0
// A small XML writer for AWS responses (Query, EC2 and, later, REST-XML): elements, escaped text
// and one optional xmlns attribute, written straight into a struct buf. Responses are small and
// fixed in shape, so there is no DOM; the writer keeps only the stack of open element names.
#ifndef SAGEBOX_XMLW_H
#define SAGEBOX_XMLW_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

#define XMLW_MAX_DEPTH 64

// Callers allocate the writer; names passed to xmlw_open must outlive the matching xmlw_close.
struct xmlw {
    struct buf *out;
    const char *stack[XMLW_MAX_DEPTH];
    int depth;
    bool overflow; // an open beyond XMLW_MAX_DEPTH was refused (a bug in the caller)
};

// Starts writing into out (appending to what it holds). Writes nothing itself.
void xmlw_init(struct xmlw *w, struct buf *out);

// Writes the XML declaration <?xml version="1.0" encoding="UTF-8"?> and a newline.
void xmlw_declaration(struct xmlw *w);

// Opens element name, with an xmlns="ns" attribute when ns is neither NULL nor "".
void xmlw_open(struct xmlw *w, const char *name, const char *ns);

// Closes the innermost open element; does nothing when none is open.
void xmlw_close(struct xmlw *w);

// Writes s[0..len) (UTF-8) as escaped character data.
void xmlw_text(struct xmlw *w, const char *s, size_t len);

// Writes <name>text</name>, text escaped.
void xmlw_element(struct xmlw *w, const char *name, const char *text, size_t len);

// Closes every open element.
void xmlw_finish(struct xmlw *w);

// Appends s[0..len) to out escaped for XML 1.0 character data or, when attr, for a
// double-quoted attribute value: & < > always, " in attributes, CR as &#xD; (parsers would fold
// it into LF otherwise). Characters XML 1.0 cannot carry (controls other than TAB, LF and CR,
// U+FFFE, U+FFFF) and bytes that are not UTF-8 become U+FFFD.
void xmlw_escape(struct buf *out, const char *s, size_t len, bool attr);

#endif
