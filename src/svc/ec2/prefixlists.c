// SPDX-License-Identifier: Apache-2.0
// AWS-managed prefix lists (Amazon VPC User Guide, "AWS-managed prefix lists"; EC2 API
// Reference: DescribePrefixLists, DescribeManagedPrefixLists, GetManagedPrefixListEntries): the
// lists com.amazonaws.REGION.s3 and com.amazonaws.REGION.dynamodb that gateway VPC endpoints put
// into route tables (DestinationPrefixListId) and security group rules may name.
//
// Where the catalog comes from:
//   - ids: us-east-1 pl-63a5400a (S3) and pl-02cd2c6b (DynamoDB), us-east-2 pl-7ba54012 (S3) and
//     pl-4ca54025 (DynamoDB) are AWS's real ids (widely quoted; the us-east-2 pair with its
//     DescribePrefixLists output in a public Q&A, "What is AWS Prefix actually?", 2020). For the
//     other regions AWS's ids could not be looked up, and sagebox makes stable ones: "pl-" and the
//     8 hex digits of FNV-1a("REGION|SERVICE"), the same in every run and every account.
//   - blocks: us-east-2 as that public DescribePrefixLists output shows them (2020);
//     us-east-1 a subset of the S3 and DYNAMODB prefixes of AWS's ip-ranges.json for the region
//     (point-in-time; AWS changes them). Other regions get simulated blocks: one /24 of the
//     benchmarking range 198.18.0.0/15 (RFC 2544, never routed on the internet) per list, chosen
//     by the same hash.
// Customer-managed prefix lists (CreateManagedPrefixList) are not served by sagebox yet;
// DescribeManagedPrefixLists also shows any ec2.pl objects of the store.
//
// Authorization (Service Authorization Reference, Amazon EC2): the Describe actions on "*",
// GetManagedPrefixListEntries on the prefix list (arn:PARTITION:ec2:REGION:aws:prefix-list/ID,
// an AWS-owned resource decided on the caller's identity policies).
#include "svc/ec2/prefixlists.h"

#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- The catalog --------------------------------------------------------------------------------

struct known_list {
    const char *region;
    const char *service; // "s3", "dynamodb"
    const char *id;
    const char *cidrs[EC2_PL_CIDRS_MAX + 1]; // NULL-terminated
};

static const struct known_list known[] = {
    {"us-east-1",
     "s3",
     "pl-63a5400a",
     {"3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "18.34.232.0/21", "52.216.0.0/15",
      "54.231.0.0/16", NULL}},
    {"us-east-1",
     "dynamodb",
     "pl-02cd2c6b",
     {"3.218.180.0/23", "3.218.182.0/24", "52.94.0.0/22", "52.119.224.0/20", NULL}},
    {"us-east-2",
     "s3",
     "pl-7ba54012",
     {"52.219.80.0/20", "3.5.128.0/22", "3.5.132.0/23", "52.219.96.0/20", "52.92.76.0/22", NULL}},
    {"us-east-2", "dynamodb", "pl-4ca54025", {"52.94.4.0/24", NULL}},
};

// The services with an AWS-managed list, in catalog order.
static const char *const services[] = {"s3", "dynamodb"};

#define SERVICE_COUNT (sizeof(services) / sizeof(services[0]))

static uint32_t fnv1a(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (const char *s = a; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    h = (h ^ '|') * 16777619u;
    for (const char *s = b; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

// Copies s into a fixed buffer; false when it does not fit.
static bool copy_text(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > cap) {
        return false;
    }
    memcpy(out, s, n + 1);
    return true;
}

// The number of AWS-managed lists per region; see prefixlists.h.
size_t ec2_aws_prefix_list_count(void)
{
    return SERVICE_COUNT;
}

// The index-th list of a region; see prefixlists.h.
bool ec2_aws_prefix_list_at(const char *region, size_t index, struct ec2_aws_prefix_list *out)
{
    if (region == NULL || index >= SERVICE_COUNT) {
        return false;
    }
    const char *svc = services[index];
    memset(out, 0, sizeof(*out));
    int n = snprintf(out->name, sizeof(out->name), "com.amazonaws.%s.%s", region, svc);
    if (n < 0 || (size_t)n >= sizeof(out->name)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(known[i].region, region) != 0 || strcmp(known[i].service, svc) != 0) {
            continue;
        }
        copy_text(out->id, sizeof(out->id), known[i].id);
        for (size_t k = 0; k < EC2_PL_CIDRS_MAX && known[i].cidrs[k] != NULL; k++) {
            copy_text(out->cidrs[k], EC2_PL_CIDR_TEXT, known[i].cidrs[k]);
            out->cidr_count++;
        }
        return true;
    }
    uint32_t h = fnv1a(region, svc);
    snprintf(out->id, sizeof(out->id), "pl-%08x", (unsigned)h);
    // Lists of one region must not share a block: the block index is the region's hash (the same
    // for both lists) times the number of services, plus the list's index.
    uint32_t rh = fnv1a(region, "");
    unsigned block = (unsigned)((rh % (512 / SERVICE_COUNT)) * SERVICE_COUNT + index);
    snprintf(out->cidrs[0], EC2_PL_CIDR_TEXT, "198.%u.%u.0/24", 18 + block / 256, block % 256);
    out->cidr_count = 1;
    return true;
}

// Finds a list by id or name; see prefixlists.h.
bool ec2_aws_prefix_list_find(const char *region, const char *key, struct ec2_aws_prefix_list *out)
{
    for (size_t i = 0; key != NULL && i < SERVICE_COUNT; i++) {
        if (ec2_aws_prefix_list_at(region, i, out) &&
            (strcmp(out->id, key) == 0 || strcmp(out->name, key) == 0)) {
            return true;
        }
    }
    return false;
}

// ---- Documents ----------------------------------------------------------------------------------

static json_t *cidr_array(const struct ec2_aws_prefix_list *pl)
{
    json_t *a = json_array();
    for (size_t i = 0; i < pl->cidr_count; i++) {
        json_array_append_new(a, json_string(pl->cidrs[i]));
    }
    return a;
}

// The ARN of an AWS-managed list: the account part is "aws" (Amazon VPC User Guide,
// "AWS-managed prefix lists": arn:aws:ec2:us-east-1:aws:prefix-list/pl-...).
static const char *aws_list_arn(struct svc_call *c, const char *id)
{
    return ec2_fmt(c, "arn:%s:ec2:%s:aws:prefix-list/%s", c->env->partition, c->region, id);
}

// The ManagedPrefixList shape of an AWS-managed list, as DescribeManagedPrefixLists shows it:
// owner "AWS", no MaxEntries and no Version.
static json_t *managed_doc(struct svc_call *c, const struct ec2_aws_prefix_list *pl)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:s}", "PrefixListId", pl->id,
                     "AddressFamily", "IPv4", "State", "create-complete", "PrefixListArn",
                     aws_list_arn(c, pl->id), "PrefixListName", pl->name, "Tags", "OwnerId", "AWS");
}

static int cmp_by_id(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a;
    const json_t *y = *(json_t *const *)b;
    return strcmp(ec2_str(x, "PrefixListId"), ec2_str(y, "PrefixListId"));
}

// Collects every list a Describe* shows (the region's AWS-managed ones, and with stored, the
// ec2.pl objects of the store), sorted by id, into a new array in *out.
static int collect(struct svc_call *c, bool managed_shape, bool stored, json_t **out)
{
    size_t n = ec2_aws_prefix_list_count();
    json_t **docs = NULL;
    size_t count = 0;
    struct store_obj *items = NULL;
    size_t nitems = 0;
    *out = NULL;
    if (stored &&
        ec2_list_all(c, ec2_kind_by_store(EC2_KIND_PL), NULL, NULL, &items, &nitems) != 0) {
        return -1;
    }
    docs = arena_calloc(c->arena, n + nitems + 1, sizeof(json_t *));
    for (size_t i = 0; i < n; i++) {
        struct ec2_aws_prefix_list pl;
        if (!ec2_aws_prefix_list_at(c->region, i, &pl)) {
            continue;
        }
        docs[count++] = managed_shape ? managed_doc(c, &pl)
                                      : json_pack("{s:o, s:s, s:s}", "Cidrs", cidr_array(&pl),
                                                  "PrefixListId", pl.id, "PrefixListName", pl.name);
    }
    for (size_t i = 0; i < nitems; i++) {
        json_t *d = ec2_parse(c, &items[i]);
        if (d == NULL) {
            for (size_t k = 0; k < count; k++) {
                json_decref(docs[k]);
            }
            return -1;
        }
        if (ec2_str(d, "PrefixListId") == NULL) {
            json_decref(d);
            continue;
        }
        docs[count++] = d;
    }
    qsort(docs, count, sizeof(json_t *), cmp_by_id);
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, docs[i]);
    }
    *out = list;
    return 0;
}

// The common body of DescribePrefixLists and DescribeManagedPrefixLists: ids, filters, then a
// page in id order after NextToken.
static int describe_lists(struct svc_call *c, const struct ec2_filter_def *defs, bool managed,
                          const char *out_member)
{
    struct ec2_filter_set *fs = NULL;
    if (ec2_filters_compile(c->arena, &c->err, defs, json_object_get(c->in, "Filters"), &fs) != 0) {
        return -1;
    }
    const struct ec2_kind *k = ec2_kind_by_store(EC2_KIND_PL);
    const json_t *ids = json_object_get(c->in, "PrefixListIds");
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        if (!ec2_id_wellformed(id, "pl")) {
            return ec2_err_malformed(c, k, id);
        }
    }
    const char *after = NULL;
    if (ec2_token_read(c, "pl", &after) != 0) {
        return -1;
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, ec2_fmt(c, "ec2:%s", c->operation), &any, 1) != 0) {
        return -1;
    }
    json_t *all;
    if (collect(c, managed, managed, &all) != 0) {
        return -1;
    }
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        bool found = false;
        for (size_t j = 0; j < json_array_size(all) && !found; j++) {
            found = strcmp(ec2_str(json_array_get(all, j), "PrefixListId"), id) == 0;
        }
        if (!found) {
            json_decref(all);
            return ec2_err_not_found(c, k, id);
        }
    }
    int max = ec2_max_results(c);
    json_t *list = json_array();
    const char *next = NULL;
    size_t kept = 0;
    for (size_t j = 0; j < json_array_size(all); j++) {
        json_t *d = json_array_get(all, j);
        const char *id = ec2_str(d, "PrefixListId");
        if (after != NULL && strcmp(id, after) <= 0) {
            continue;
        }
        bool named = json_array_size(ids) == 0;
        for (size_t i = 0; i < json_array_size(ids) && !named; i++) {
            named = strcmp(json_string_value(json_array_get(ids, i)), id) == 0;
        }
        if (!named || !ec2_filters_match(fs, d)) {
            continue;
        }
        if (max > 0 && kept == (size_t)max) {
            next = ec2_token_make(c, "pl", ec2_str(json_array_get(list, kept - 1), "PrefixListId"));
            break;
        }
        json_array_append_new(list, ec2_doc_public(d));
        kept++;
    }
    json_decref(all);
    c->out = json_object();
    json_object_set_new(c->out, out_member, list);
    if (next != NULL) {
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    return 0;
}

// DescribePrefixLists filters (EC2 API Reference).
static const struct ec2_filter_def prefix_list_filters[] = {
    {"prefix-list-id", "PrefixListId", NULL},
    {"prefix-list-name", "PrefixListName", NULL},
    {NULL, NULL, NULL},
};

// DescribeManagedPrefixLists filters (EC2 API Reference).
static const struct ec2_filter_def managed_filters[] = {
    {"owner-id", "OwnerId", NULL},
    {"prefix-list-id", "PrefixListId", NULL},
    {"prefix-list-name", "PrefixListName", NULL},
    {NULL, NULL, NULL},
};

// DescribePrefixLists: the AWS-managed lists in the old PrefixList shape (id, name, Cidrs).
static int describe_prefix_lists_body(struct svc_call *c)
{
    return describe_lists(c, prefix_list_filters, false, "PrefixLists");
}

EC2_OPERATION(describe_prefix_lists, false)

// DescribeManagedPrefixLists: AWS-managed and stored lists in the ManagedPrefixList shape.
static int describe_managed_prefix_lists_body(struct svc_call *c)
{
    return describe_lists(c, managed_filters, true, "PrefixLists");
}

EC2_OPERATION(describe_managed_prefix_lists, false)

// GetManagedPrefixListEntries: the blocks of an AWS-managed list in catalog order, paged by
// MaxResults (1..100 in the model) with a NextToken naming the last block returned. AWS-managed
// lists are shown without versions, and a TargetVersion other than 1 is refused
// (InvalidParameterValue, sagebox's wording).
static int get_managed_prefix_list_entries_body(struct svc_call *c)
{
    const struct ec2_kind *k = ec2_kind_by_store(EC2_KIND_PL);
    const char *id = ec2_in_str(c, "PrefixListId");
    if (!ec2_id_wellformed(id, "pl")) {
        return ec2_err_malformed(c, k, id);
    }
    const char *after = NULL;
    if (ec2_token_read(c, "ple", &after) != 0) {
        return -1;
    }
    struct ec2_aws_prefix_list pl;
    bool found = ec2_aws_prefix_list_find(c->region, id, &pl);
    struct ec2_res r = {
        .arn = found ? aws_list_arn(c, id) : ec2_arn(c, "prefix-list", id),
        .resource_account = c->caller->account,
    };
    if (ec2_authorize(c, "ec2:GetManagedPrefixListEntries", &r, 1) != 0) {
        return -1;
    }
    if (!found) {
        return ec2_err_not_found(c, k, id);
    }
    const json_t *tv = json_object_get(c->in, "TargetVersion");
    if (json_is_integer(tv) && json_integer_value(tv) != 1) {
        return ec2_err_value(c, "The prefix list %s has no version %lld.", id,
                             (long long)json_integer_value(tv));
    }
    int max = ec2_max_results(c);
    json_t *list = json_array();
    const char *next = NULL;
    size_t start = 0;
    if (after != NULL) {
        start = pl.cidr_count;
        for (size_t i = 0; i < pl.cidr_count; i++) {
            if (strcmp(pl.cidrs[i], after) == 0) {
                start = i + 1;
                break;
            }
        }
    }
    for (size_t i = start; i < pl.cidr_count; i++) {
        if (max > 0 && json_array_size(list) == (size_t)max) {
            next = ec2_token_make(c, "ple", pl.cidrs[i - 1]);
            break;
        }
        json_array_append_new(list, json_pack("{s:s}", "Cidr", pl.cidrs[i]));
    }
    c->out = json_pack("{s:o}", "Entries", list);
    if (next != NULL) {
        json_object_set_new(c->out, "NextToken", json_string(next));
    }
    return 0;
}

EC2_OPERATION(get_managed_prefix_list_entries, false)

const struct svc_handler ec2_prefix_list_handlers[] = {
    {"DescribePrefixLists", describe_prefix_lists},
    {"DescribeManagedPrefixLists", describe_managed_prefix_lists},
    {"GetManagedPrefixListEntries", get_managed_prefix_list_entries},
    {NULL, NULL},
};
