// SPDX-License-Identifier: Apache-2.0
// Client-visible AWS errors; see awserr.h.
#include "core/awserr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// Fills the error and returns -1; see awserr.h.
int awserr_set(struct awserr *e, int status, const char *code, const char *fmt, ...)
{
    e->status = status;
    e->fault = status >= 500 ? AWSERR_RECEIVER : AWSERR_SENDER;
    size_t n = strlen(code);
    if (n >= sizeof(e->code)) {
        n = sizeof(e->code) - 1;
    }
    memcpy(e->code, code, n);
    e->code[n] = '\0';
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    if (w < 0) {
        e->message[0] = '\0';
    }
    return -1;
}

// Reports whether an error was set.
bool awserr_is_set(const struct awserr *e)
{
    return e->status != 0;
}
