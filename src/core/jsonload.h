// SPDX-License-Identifier: Apache-2.0
// Loads a JSON document into a jansson tree through the fast arena reader of jsonv.h. It is the
// loader for documents sagebox wrote itself (stored objects, session documents, principal
// tags), read on every request, and the first reader of JSON 1.1 request bodies (json11.c):
// jansson's own parser spends about 150 instructions a byte, this one about a tenth of that.
#ifndef SAGEBOX_JSONLOAD_H
#define SAGEBOX_JSONLOAD_H

#include <jansson.h>
#include <stddef.h>

// Parses text[0..len) (strict RFC 8259, see jsonv.h) and returns a new jansson value with a
// reference the caller owns (json_decref), or NULL when the text is not JSON, has an object with
// a duplicate key, an integer that does not fit a json_int_t or a real that overflows a double
// (json_loadb refuses those too), or memory runs out. Numbers without a fraction or exponent
// become integers, other numbers reals, as json_loadb makes them.
json_t *jsonload(const char *text, size_t len);

// jsonload of a NUL-terminated text; NULL text gives NULL.
json_t *jsonload_str(const char *text);

#endif
