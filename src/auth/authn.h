// SPDX-License-Identifier: Apache-2.0
// Authentication: from a SigV4-signed request to the principal that signed it. The access key id
// of the signature's credential is looked up among IAM access keys (long-term: the account root's
// and users') and STS sessions (temporary: with their session token and expiration); the
// signature is verified with that key's secret; the caller is resolved to its ARN and the IAM
// entity whose policies apply (see svc/iam/iam_store.h for where these live).
#ifndef SAGEBOX_AUTHN_H
#define SAGEBOX_AUTHN_H

#include "auth/sigv4.h"
#include "core/awserr.h"
#include "svc/svc.h"

#include <time.h>

// A cache of resolved keys (secret, session token, caller) shared by the request threads; an
// entry is used only while the store has not been written since it was loaded.
struct authn_cache;
struct authn_cache *authn_cache_new(void);
void authn_cache_free(struct authn_cache *c); // wipes the secrets; NULL does nothing

// Verifies the request rq whose parsed claim is claim, at time now, with keys as the derived-key
// cache and cache (may be NULL) as the resolved-key cache, and fills *out. Returns 0, or -1 with
// err set to the failure in the protocol proto's terms (InvalidClientTokenId /
// UnrecognizedClientException for an unknown or inactive key, SignatureDoesNotMatch /
// InvalidSignatureException, ExpiredToken, ...). Strings of *out that do not fit its buffers live
// in the arena a.
int authn_verify(const struct svc_env *env, struct authn_cache *cache, struct sigv4_key_cache *keys,
                 const struct sigv4_request *rq, const struct sigv4_claim *claim,
                 enum sigv4_protocol proto, time_t now, struct arena *a, struct svc_caller *out,
                 struct awserr *err);

// Resolves the principal of the access key akid without a signature, as of now: for a
// principal that acted earlier (a presigned Studio sign-in token records the key it was made
// with), so that its current policies decide again. The key must exist and be active; a session
// key must not have expired. Fills *out (strings beyond its buffers in a) and returns 0, or -1
// with err set (InvalidClientTokenId or ExpiredToken in the JSON protocol's terms).
int authn_resolve_key(const struct svc_env *env, struct authn_cache *cache, const char *akid,
                      time_t now, struct arena *a, struct svc_caller *out, struct awserr *err);

// Creates or updates the account root's access key (key id and secret from the configuration)
// so that it authenticates as arn:aws:iam::ACCOUNT:root. Returns 0, or -1 with a message.
int authn_ensure_root_key(struct store *store, const char *account, const char *access_key_id,
                          const char *secret, char *msg, size_t msg_cap);

#endif
