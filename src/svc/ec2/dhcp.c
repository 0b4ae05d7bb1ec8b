// SPDX-License-Identifier: Apache-2.0
// DHCP options sets (EC2 API Reference: CreateDhcpOptions, DescribeDhcpOptions,
// DeleteDhcpOptions, AssociateDhcpOptions; Amazon VPC User Guide, "DHCP option sets"): the
// options a VPC hands its instances (domain name, name servers, NTP and NetBIOS servers), and the
// region's default set AWS creates for the first VPC (domain-name ec2.internal in us-east-1,
// REGION.compute.internal elsewhere, domain-name-servers AmazonProvidedDNS). Objects follow the
// store layout of ec2_common.h (kind ec2.dopt, document DhcpOptions); a VPC names its set in its
// DhcpOptionsId, or "default" for none.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateDhcpOptions on
// dhcp-options/*, DeleteDhcpOptions on the set, AssociateDhcpOptions on the set and the VPC,
// DescribeDhcpOptions on "*".
#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdlib.h>
#include <string.h>

// The options CreateDhcpOptions accepts and how many values each takes (CreateDhcpOptions API
// Reference: up to four name servers, NTP servers and NetBIOS name servers; one domain name, one
// NetBIOS node type, one IPv6 preferred lease time).
struct option {
    const char *key;
    size_t max_values;
    bool addresses; // values are IP addresses
};

static const struct option options[] = {
    {"domain-name-servers", 4, true}, {"domain-name", 1, false},
    {"ntp-servers", 4, true},         {"netbios-name-servers", 4, true},
    {"netbios-node-type", 1, false},  {"ipv6-address-preferred-lease-time", 1, false},
};

static const struct ec2_kind *dopt_kind(void)
{
    return ec2_kind_by_store(EC2_KIND_DOPT);
}

static bool is_address(const char *s)
{
    struct cidr tmp;
    return strchr(s, '/') == NULL && cidr_parse(s, strlen(s), &tmp) == 0;
}

// Validates one value of an option. The messages are sagebox's: EC2's wording for each of these
// cases could not be found.
static int check_value(struct svc_call *c, const struct option *o, const char *v)
{
    if (v[0] == '\0') {
        return ec2_err_value(c,
                             "Value () for parameter value is invalid. The value of option %s "
                             "cannot be empty.",
                             o->key);
    }
    if (o->addresses) {
        bool amazon =
            strcmp(o->key, "domain-name-servers") == 0 && strcmp(v, "AmazonProvidedDNS") == 0;
        if (!amazon && !is_address(v)) {
            return ec2_err_value(c,
                                 "Value (%s) for parameter value is invalid. Option %s takes IP "
                                 "addresses.",
                                 v, o->key);
        }
    } else if (strcmp(o->key, "netbios-node-type") == 0) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0 && strcmp(v, "4") != 0 &&
            strcmp(v, "8") != 0) {
            return ec2_err_value(c,
                                 "Value (%s) for parameter value is invalid. Valid NetBIOS node "
                                 "types are 1, 2, 4 and 8.",
                                 v);
        }
    } else if (strcmp(o->key, "ipv6-address-preferred-lease-time") == 0) {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (end == v || *end != '\0' || n < 140 || n > 2147483647LL) {
            return ec2_err_value(c,
                                 "Value (%s) for parameter value is invalid. The IPv6 preferred "
                                 "lease time must be between 140 and 2147483647 seconds.",
                                 v);
        }
    }
    return 0;
}

// Turns the request's DhcpConfigurations into the document's list. Returns a new reference, or
// NULL with c->err set.
static json_t *configurations(struct svc_call *c)
{
    const json_t *in = json_object_get(c->in, "DhcpConfigurations");
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(in); i++) {
        const json_t *cfg = json_array_get(in, i);
        const char *key = ec2_str(cfg, "Key");
        const struct option *o = NULL;
        for (size_t k = 0; key != NULL && k < sizeof(options) / sizeof(options[0]); k++) {
            if (strcmp(options[k].key, key) == 0) {
                o = &options[k];
            }
        }
        if (o == NULL) {
            ec2_err_value(c, "Value (%s) for parameter key is invalid. Unknown DHCP option",
                          key ? key : "");
            goto fail;
        }
        for (size_t k = 0; k < json_array_size(out); k++) {
            if (strcmp(ec2_str(json_array_get(out, k), "Key"), key) == 0) {
                ec2_err_value(c, "Value (%s) for parameter key is invalid. Duplicate DHCP option",
                              key);
                goto fail;
            }
        }
        const json_t *vals = json_object_get(cfg, "Values");
        size_t n = json_array_size(vals);
        if (n == 0 || n > o->max_values) {
            ec2_err_value(c,
                          "Value (%s) for parameter value is invalid. Option %s takes 1 to %zu "
                          "values.",
                          key, key, o->max_values);
            goto fail;
        }
        json_t *values = json_array();
        json_array_append_new(out, json_pack("{s:s, s:o}", "Key", key, "Values", values));
        for (size_t k = 0; k < n; k++) {
            const char *v = json_string_value(json_array_get(vals, k));
            if (check_value(c, o, v ? v : "") != 0) {
                goto fail;
            }
            json_array_append_new(values, json_pack("{s:s}", "Value", v));
        }
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

// Stores a new DHCP options set. Takes doc's reference. Returns 0 or -1.
static int put_new(struct svc_call *c, const char *id, json_t *doc)
{
    int rc = ec2_put(c, dopt_kind(), id, NULL, NULL, doc, STORE_CREATE);
    json_decref(doc);
    return rc;
}

// The region's default set; see ec2_common.h.
int ec2_default_dhcp_options(struct svc_call *c, const char **id)
{
    json_t *meta = NULL;
    int rc = ec2_get(c, &ec2_meta_kind, "default-dopt", NULL, &meta);
    if (rc == 0) {
        const char *have = ec2_str(meta, "DhcpOptionsId");
        *id = have ? arena_strndup(c->arena, have, strlen(have)) : NULL;
        json_decref(meta);
        rc = *id != NULL ? ec2_get(c, dopt_kind(), *id, NULL, NULL) : SB_ENOTFOUND;
        if (rc == 0) {
            return 0;
        }
    }
    if (rc != SB_ENOTFOUND) {
        return -1;
    }
    const char *domain = strcmp(c->region, "us-east-1") == 0
                             ? "ec2.internal"
                             : ec2_fmt(c, "%s.compute.internal", c->region);
    *id = ec2_new_id(c, "dopt");
    json_t *doc = json_pack("{s:[{s:s, s:[{s:s}]}, {s:s, s:[{s:s}]}], s:s, s:s}",
                            "DhcpConfigurations", "Key", "domain-name", "Values", "Value", domain,
                            "Key", "domain-name-servers", "Values", "Value", "AmazonProvidedDNS",
                            "DhcpOptionsId", *id, "OwnerId", c->caller->account);
    ec2_tags_init(dopt_kind(), doc, NULL);
    if (put_new(c, *id, doc) != 0) {
        return -1;
    }
    json_t *m = json_pack("{s:s}", "DhcpOptionsId", *id);
    rc = ec2_put(c, &ec2_meta_kind, "default-dopt", NULL, NULL, m, STORE_UPSERT);
    json_decref(m);
    return rc;
}

// CreateDhcpOptions.
static int create_dhcp_options_body(struct svc_call *c)
{
    json_t *tags = NULL;
    json_t *cfg = configurations(c);
    if (cfg == NULL || ec2_tag_specs(c, "dhcp-options", &tags) != 0) {
        json_decref(cfg);
        return -1;
    }
    struct ec2_res r = {.arn = ec2_arn(c, "dhcp-options", "*"), .request_tags = tags};
    if (ec2_authorize(c, "ec2:CreateDhcpOptions", &r, 1) != 0) {
        json_decref(cfg);
        json_decref(tags);
        return -1;
    }
    const char *id = ec2_new_id(c, "dopt");
    json_t *doc = json_pack("{s:o, s:s, s:s}", "DhcpConfigurations", cfg, "DhcpOptionsId", id,
                            "OwnerId", c->caller->account);
    ec2_tags_init(dopt_kind(), doc, tags);
    json_decref(tags);
    c->out = json_pack("{s:O}", "DhcpOptions", doc);
    return put_new(c, id, doc);
}

EC2_OPERATION(create_dhcp_options, true)

// DescribeDhcpOptions filters (EC2 API Reference).
static const struct ec2_filter_def dopt_filters[] = {
    {"dhcp-options-id", "DhcpOptionsId", NULL},
    {"key", "DhcpConfigurations.Key", NULL},
    {"value", "DhcpConfigurations.Values.Value", NULL},
    {"owner-id", "OwnerId", NULL},
    {NULL, NULL, NULL},
};

static int describe_dhcp_options_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = dopt_kind(),
        .ids_member = "DhcpOptionsIds",
        .ids_wire = "dhcpOptionsSet",
        .out_member = "DhcpOptions",
        .filters = dopt_filters,
        .paged = true,
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_dhcp_options, false)

// Tells whether a VPC uses the set id. Returns 1, 0 or -1.
static int in_use(struct svc_call *c, const char *id)
{
    struct store_obj *vpcs;
    size_t n;
    if (ec2_list_all(c, ec2_kind_by_store(EC2_KIND_VPC), NULL, NULL, &vpcs, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = ec2_parse(c, &vpcs[i]);
        if (v == NULL) {
            return -1;
        }
        const char *d = ec2_str(v, "DhcpOptionsId");
        bool used = d != NULL && strcmp(d, id) == 0;
        json_decref(v);
        if (used) {
            return 1;
        }
    }
    return 0;
}

// DeleteDhcpOptions: refused with DependencyViolation while a VPC uses the set (the VPC's wording
// pattern; EC2's exact message for a DHCP options set could not be checked).
static int delete_dhcp_options_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "DhcpOptionsId");
    json_t *doc;
    if (ec2_load(c, dopt_kind(), id, "ec2:DeleteDhcpOptions", NULL, &doc) != 0) {
        return -1;
    }
    struct ec2_res r = {.arn = ec2_arn(c, "dhcp-options", id), .doc = doc};
    int rc = ec2_authorize(c, "ec2:DeleteDhcpOptions", &r, 1);
    json_decref(doc);
    if (rc != 0) {
        return -1;
    }
    rc = in_use(c, id);
    if (rc != 0) {
        return rc < 0 ? -1 : ec2_err_dependency(c, "dhcpOptions", id);
    }
    return ec2_delete(c, dopt_kind(), id);
}

EC2_OPERATION(delete_dhcp_options, true)

// AssociateDhcpOptions: DhcpOptionsId "default" leaves the VPC with no DHCP options
// (AssociateDhcpOptions API Reference).
static int associate_dhcp_options_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "DhcpOptionsId");
    const char *vpc_id = ec2_in_str(c, "VpcId");
    bool none = strcmp(id, "default") == 0;
    json_t *dopt = NULL;
    json_t *vpc = NULL;
    struct store_obj vobj;
    int rc = -1;
    if (!none && ec2_load(c, dopt_kind(), id, "ec2:AssociateDhcpOptions", NULL, &dopt) != 0) {
        goto out;
    }
    if (ec2_load(c, ec2_kind_by_store(EC2_KIND_VPC), vpc_id, "ec2:AssociateDhcpOptions", &vobj,
                 &vpc) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        {.arn = ec2_arn(c, "vpc", vpc_id),
         .doc = vpc,
         .keys = {"ec2:Tenancy", ec2_str(vpc, "InstanceTenancy")}},
        {.arn = none ? NULL : ec2_arn(c, "dhcp-options", id), .doc = dopt},
    };
    if (ec2_authorize(c, "ec2:AssociateDhcpOptions", r, none ? 1 : 2) != 0) {
        goto out;
    }
    json_object_set_new(vpc, "DhcpOptionsId", json_string(id));
    rc = ec2_replace(c, ec2_kind_by_store(EC2_KIND_VPC), &vobj, vpc);
out:
    json_decref(dopt);
    json_decref(vpc);
    return rc;
}

EC2_OPERATION(associate_dhcp_options, true)

const struct svc_handler ec2_dhcp_handlers[] = {
    {"CreateDhcpOptions", create_dhcp_options},
    {"DescribeDhcpOptions", describe_dhcp_options},
    {"DeleteDhcpOptions", delete_dhcp_options},
    {"AssociateDhcpOptions", associate_dhcp_options},
    {NULL, NULL},
};
