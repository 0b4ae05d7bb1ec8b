// SPDX-License-Identifier: Apache-2.0
// The request log on stderr (one line per request, see gateway.c), written without a system call
// per request under load: while other requests are in flight, lines are gathered in a buffer that
// a background thread writes out every ACCESSLOG_DELAY_MS; when a request is alone (the usual
// case for a person or a test driving the server one call at a time) its line, and anything
// gathered before it, is written at once, before the response leaves.
#ifndef SAGEBOX_ACCESSLOG_H
#define SAGEBOX_ACCESSLOG_H

#include <stddef.h>

#define ACCESSLOG_DELAY_MS 2

// Marks the start and the end of a request (the gateway calls them around each one).
void accesslog_enter(void);
void accesslog_leave(void);

// Appends line[0..len) (ending in '\n') to the log; see above for when it reaches stderr.
// Thread-safe. A write error of stderr is ignored (the log is not state).
void accesslog_write(const char *line, size_t len);

// Writes out every gathered line now (at shutdown). Thread-safe.
void accesslog_flush(void);

#endif
