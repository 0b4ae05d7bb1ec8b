// SPDX-License-Identifier: Apache-2.0
// The request pipeline of `sagebox serve`: for every HTTP request, the health endpoint or the AWS
// path (route by X-Amz-Target / Action / credential scope, verify SigV4, resolve the principal,
// decode the operation's input, run the service handler, which authorizes through the policy
// engine, and encode the answer or the error in the service's protocol), plus one log line.
#ifndef SAGEBOX_GATEWAY_H
#define SAGEBOX_GATEWAY_H

#include "http/server.h"

#include <stddef.h>

struct gateway_config {
    const char *data_dir;
    const char *account_id; // the account of the root credentials
    const char *region;     // the default region
    const char *root_access_key_id;
    const char *root_secret_access_key;
    const char *version; // sagebox's version, reported by the health endpoint
    long clock_offset;   // seconds added to the real clock for every decision that depends on
                         // time (signatures, token expiry); 0 normally, set in tests to move time
};

struct gateway;

// Opens the state under cfg->data_dir and prepares the services. Returns 0 and *out, or -1 with
// a message in err (e.g. a data directory of a newer schema). Strings of cfg are copied.
int gateway_open(const struct gateway_config *cfg, struct gateway **out, char *err, size_t err_cap);

// The http_handler_fn of the server: ctx is the struct gateway.
void gateway_handle(void *ctx, const struct http_request *rq, struct http_response *rs);

// Closes the state; NULL does nothing.
void gateway_close(struct gateway *gw);

#endif
