// SPDX-License-Identifier: Apache-2.0
// The error a client sees: an HTTP status, an AWS error code and a message. Every layer below the
// protocol layer reports client-visible failures by filling one of these; only the protocol layer
// renders it, in the shape of the service's protocol (JSON __type/message, Query ErrorResponse,
// EC2 Response/Errors, S3 Error). Handlers never print error bodies themselves (STYLE.md).
#ifndef SAGEBOX_AWSERR_H
#define SAGEBOX_AWSERR_H

#include <stdbool.h>

enum awserr_fault {
    AWSERR_SENDER,   // the client's fault (Query protocol <Type>Sender</Type>)
    AWSERR_RECEIVER, // the service's fault (<Type>Receiver</Type>)
};

struct awserr {
    int status;              // HTTP status, e.g. 400, 403, 404
    enum awserr_fault fault; // who is at fault
    char code[96];           // AWS error code, e.g. "SignatureDoesNotMatch", "NoSuchEntity"
    char message[2048];      // AWS's wording for this failure
};

// Fills *e (status, code, printf-style message; the fault is SENDER for 4xx, RECEIVER for 5xx)
// and returns -1, so that a failing function can `return awserr_set(...)`. Truncates long text.
int awserr_set(struct awserr *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Returns true when e holds an error (a non-zero status).
bool awserr_is_set(const struct awserr *e);

#endif
