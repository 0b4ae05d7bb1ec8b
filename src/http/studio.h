// SPDX-License-Identifier: Apache-2.0
// The Studio endpoint of sagebox under /studio/: the sign-in URL that CreatePresignedDomainUrl
// returns (GET /studio/auth?token=...), the Studio page of a signed-in user profile (GET
// /studio/) and its forms to create and delete apps (POST /studio/apps, /studio/apps/delete).
// Browser requests: authenticated by the sealed one-time token, then by a session cookie, not by
// SigV4. Redeeming a token decides sagemaker:CreatePresignedDomainUrl again for the principal
// that made it, with its current policies and the redeeming client's address; the page's forms
// call the SageMaker handlers as the profile's execution role.
#ifndef SAGEBOX_HTTP_STUDIO_H
#define SAGEBOX_HTTP_STUDIO_H

#include "auth/authn.h"
#include "http/server.h"
#include "svc/svc.h"

// What the access log records of a Studio request.
struct studio_result {
    char principal[512]; // the principal acting ("" when none)
    const char *action;  // "sagebox:StudioSignIn", ... (a string literal; never NULL afterwards)
    char decision[24];   // "Allowed", "ExplicitlyDenied", ... ("" when none was made)
};

// Serves a request whose path starts with "/studio/" and fills rs (an HTML page, a redirect)
// and *out. env and creds are the gateway's; nothing is changed on a refusal.
void studio_handle(const struct svc_env *env, struct authn_cache *creds,
                   const struct http_request *rq, struct http_response *rs,
                   struct studio_result *out);

// The value of cookie name in the text of one Cookie header ("a=1; b=2"), copied into a; NULL
// when absent. The first cookie of that name wins.
const char *studio_cookie_in(struct arena *a, const char *header, const char *name);

#endif
