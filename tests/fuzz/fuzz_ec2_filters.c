// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the EC2 request parsers of src/svc/ec2: Describe* filters (compiled from
// the request's [{Name, Values}] and matched against a document), EC2's wildcard values, and
// NextToken. The first byte picks the parser; the rest is split at the first NUL where a parser
// takes two inputs. Properties checked besides memory safety:
//   - a filter value without '*', '?' or '\' matches exactly the equal text;
//   - '*' matches every text;
//   - a NextToken that ec2_token_read accepts names an id that ec2_token_make turns into a token
//     that reads back to the same id.
#include "core/arena.h"
#include "svc/ec2/ec2_common.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct ec2_filter_def defs[] = {
    {"cidr", "CidrBlock", NULL},
    {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock", NULL},
    {"state", "State", NULL},
    {"is-default", "IsDefault", NULL},
    {"count", "AvailableIpAddressCount", NULL},
    {"ip-permission.from-port", "IpPermissions.FromPort", NULL},
    {NULL, NULL, NULL},
};

static void fuzz_value(const char *a, size_t alen, const char *b, size_t blen)
{
    char *pattern = strndup(a, alen);
    char *text = strndup(b, blen);
    bool plain = strpbrk(pattern, "*?\\") == NULL;
    bool m = ec2_filter_value_match(pattern, text);
    if (plain && m != (strcmp(pattern, text) == 0)) {
        abort();
    }
    if (!ec2_filter_value_match("*", text)) {
        abort();
    }
    free(pattern);
    free(text);
}

static void fuzz_filters(const char *a, size_t alen, const char *b, size_t blen)
{
    json_t *filters = json_loadb(a, alen, JSON_DECODE_ANY, NULL);
    json_t *doc = json_loadb(b, blen, JSON_DECODE_ANY, NULL);
    unsigned char buf[4096];
    struct arena ar;
    arena_init(&ar, buf, sizeof(buf));
    struct awserr err = {0};
    struct ec2_filter_set *fs = NULL;
    if (ec2_filters_compile(&ar, &err, defs, filters, &fs) == 0 && doc != NULL) {
        (void)ec2_filters_match(fs, doc);
    }
    arena_release(&ar);
    json_decref(filters);
    json_decref(doc);
}

static void fuzz_token(const char *a, size_t alen)
{
    unsigned char buf[4096];
    struct arena ar;
    arena_init(&ar, buf, sizeof(buf));
    struct svc_call c = {0};
    c.arena = &ar;
    json_t *in = json_object();
    json_object_set_new(in, "NextToken", json_stringn_nocheck(a, alen));
    c.in = in;
    const char *id = NULL;
    if (strlen(json_string_value(json_object_get(in, "NextToken"))) == alen &&
        ec2_token_read(&c, "vpc", &id) == 0 && id != NULL) {
        char *first = strdup(id);
        const char *token = ec2_token_make(&c, "vpc", first);
        json_object_set_new(in, "NextToken", json_string(token));
        const char *again = NULL;
        if (ec2_token_read(&c, "vpc", &again) != 0 || again == NULL || strcmp(again, first) != 0) {
            abort();
        }
        free(first);
    }
    json_decref(in);
    arena_release(&ar);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(rest, '\0', n);
    size_t alen = nul ? (size_t)(nul - rest) : n;
    const char *b = nul ? nul + 1 : rest + n;
    size_t blen = nul ? n - alen - 1 : 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_value(rest, alen, b, blen);
        break;
    case 1:
        fuzz_filters(rest, alen, b, blen);
        break;
    default:
        fuzz_token(rest, alen);
        break;
    }
    return 0;
}
