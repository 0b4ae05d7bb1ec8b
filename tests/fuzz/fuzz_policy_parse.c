// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the IAM policy parser (policy_parse, policy.h): the input bytes are a
// policy document, parsed as every policy kind in turn (the kinds differ in which elements they
// accept and in their size quota). A parsed policy is also linted and its accessors read. The
// checks are the parser's contract: on failure *out stays NULL and the reason is a non-empty,
// NUL-terminated message with a code; on success the label is the one given.
#include "policy/policy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int k = 0; k < POLICY_KIND_COUNT; k++) {
        struct policy *p = (struct policy *)(uintptr_t)1; // must be overwritten
        struct policy_error err;
        memset(&err, 0x5a, sizeof err);
        int rc = policy_parse((const char *)data, size, (enum policy_kind)k, "fuzz",
                              (k & 1) ? "arn:aws:iam::111122223333:policy/fuzz" : NULL, &p, &err);
        if (rc != 0) {
            if (p != NULL || err.code == POLICY_ERR_NONE ||
                memchr(err.message, '\0', sizeof err.message) == NULL || err.message[0] == '\0') {
                abort();
            }
            continue;
        }
        if (p == NULL || strcmp(policy_name(p), "fuzz") != 0 ||
            policy_kind(p) != (enum policy_kind)k || policy_kind_name(policy_kind(p)) == NULL) {
            abort();
        }
        struct policy_warning w[4];
        size_t n = policy_lint(p, w, 4);
        for (size_t i = 0; i < n && i < 4; i++) {
            if (memchr(w[i].message, '\0', sizeof w[i].message) == NULL) {
                abort();
            }
        }
        if (policy_lint(p, NULL, 0) != n) {
            abort();
        }
        policy_free(p);
    }
    return 0;
}
