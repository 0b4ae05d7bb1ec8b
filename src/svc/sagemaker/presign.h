// SPDX-License-Identifier: Apache-2.0
// CreatePresignedDomainUrl (SageMaker API Reference) and the signed tokens behind it: the
// presigned sign-in URL's token and the Studio session cookie are HMAC-SHA256-sealed with a
// server secret kept in the data directory (DATA_DIR/studio-signing.key, mode 0600), so that the
// Studio endpoint (http/studio.h) can tell them from forgeries.
#ifndef SAGEBOX_SM_PRESIGN_H
#define SAGEBOX_SM_PRESIGN_H

#include "core/arena.h"

#include <jansson.h>
#include <stddef.h>

#define SM_KIND_TOKEN          "sm.token"          // a redeemed sign-in token (id: its jti)
#define SM_KIND_STUDIO_SESSION "sm.studio_session" // a Studio session (id: its random id)

#define SM_MAC_B64_LEN 43 // base64url of 32 bytes, without padding

// Computes base64url(HMAC-SHA256(key, data[0..len))) into out (SM_MAC_B64_LEN + 1 bytes) with
// the signing key of data_dir (created on first use). Returns 0, or -1 when the key cannot be
// read or created (the reason goes to the log; out is then "").
int sm_studio_mac(const char *data_dir, const char *data, size_t len, char out[SM_MAC_B64_LEN + 1]);

// Seals the JSON object payload as "BASE64URL(JSON).MAC" (in a). Returns NULL when the key is
// unavailable.
const char *sm_studio_seal(const char *data_dir, struct arena *a, const json_t *payload);

// Opens a sealed token: checks its MAC in constant time and parses the payload. Returns the
// payload (a new reference) or NULL for a malformed or forged token.
json_t *sm_studio_open(const char *data_dir, const char *token, size_t len);

#endif
