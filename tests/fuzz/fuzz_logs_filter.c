// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the CloudWatch Logs filter pattern parser and matcher (filter_pattern.h):
// the input's first line is a pattern, the rest a log event message. Checks the contract: a
// failed parse leaves *out NULL with a non-empty, NUL-terminated reason; a parsed pattern reports
// one of the four forms and matches the message (and the empty message, and the pattern's own
// text) without crashing, deterministically, within its step budget.
#include "svc/logs/filter_pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t plen = nl != NULL ? (size_t)(nl - text) : size;
    const char *msg = nl != NULL ? nl + 1 : text + size;
    size_t mlen = size - (size_t)(msg - text);

    struct filter_pattern *p = (struct filter_pattern *)(uintptr_t)1; // must be overwritten
    char why[160];
    memset(why, 0x5a, sizeof why);
    if (filter_pattern_parse(text, plen, &p, why, sizeof why) != 0) {
        if (p != NULL || memchr(why, '\0', sizeof why) == NULL || why[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (p == NULL || filter_pattern_kind(p) > FILTER_PATTERN_JSON) {
        abort();
    }
    bool a = filter_pattern_match(p, msg, mlen);
    if (filter_pattern_match(p, msg, mlen) != a) {
        abort();
    }
    (void)filter_pattern_match(p, "", 0);
    (void)filter_pattern_match(p, text, plen);
    filter_pattern_free(p);
    return 0;
}
