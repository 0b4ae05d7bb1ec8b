// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for what the Studio endpoint parses from a browser: the sealed sign-in token
// and session id (presign.h, sm_studio_open) and the Cookie header (studio.h,
// studio_cookie_in). The first input byte picks the parser; the rest is its input. Properties
// beyond "no crash": a token opens only to a JSON object, and an object the fuzzer writes seals
// and opens back to itself, while the same token with its last character changed does not open;
// a cookie value found is a substring of the header, without ';'.
#include "core/arena.h"
#include "http/studio.h"
#include "svc/sagemaker/presign.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

// Removes the data directory and its key file at exit.
static void remove_dir(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/studio-signing.key", dir);
    unlink(path);
    rmdir(dir);
}

// A data directory with a signing key, made once per process.
static const char *data_dir(void)
{
    if (dir[0] == '\0') {
        memcpy(dir, "/tmp/sb-fuzz-studio-XXXXXX", 27);
        if (mkdtemp(dir) == NULL) {
            abort();
        }
        atexit(remove_dir);
    }
    return dir;
}

static void check_token(const char *s, size_t n)
{
    json_t *v = sm_studio_open(data_dir(), s, n);
    if (v != NULL && !json_is_object(v)) {
        abort();
    }
    json_decref(v);
    // The input as a payload: an object seals and opens back to itself.
    json_t *payload = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(payload)) {
        struct arena a;
        arena_init(&a, NULL, 0);
        const char *token = sm_studio_seal(data_dir(), &a, payload);
        if (token == NULL) {
            abort();
        }
        json_t *back = sm_studio_open(data_dir(), token, strlen(token));
        if (back == NULL || !json_equal(back, payload)) {
            abort();
        }
        json_decref(back);
        char *forged = strdup(token);
        size_t len = strlen(forged);
        forged[len - 1] = forged[len - 1] == 'A' ? 'B' : 'A';
        json_t *bad = sm_studio_open(data_dir(), forged, len);
        if (bad != NULL) {
            abort();
        }
        free(forged);
        arena_release(&a);
    }
    json_decref(payload);
}

static void check_cookie(const char *s, size_t n)
{
    // "NAME\0HEADER"
    const char *nul = memchr(s, '\0', n);
    if (nul == NULL || nul == s) {
        return;
    }
    char *header = strndup(nul + 1, n - (size_t)(nul - s) - 1);
    struct arena a;
    arena_init(&a, NULL, 0);
    const char *v = studio_cookie_in(&a, header, s);
    if (v != NULL && (strchr(v, ';') != NULL || strstr(header, v) == NULL)) {
        abort();
    }
    arena_release(&a);
    free(header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] % 2 == 0) {
        check_token(s, n);
    } else {
        check_cookie(s, n);
    }
    return 0;
}
