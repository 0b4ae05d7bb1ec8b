// SPDX-License-Identifier: Apache-2.0
// Regions and Availability Zones (EC2 API Reference: DescribeRegions, DescribeAvailabilityZones;
// AWS General Reference, "Amazon EC2 endpoints": ec2.REGION.amazonaws.com). The commercial
// regions of the aws partition with their zones.
//
// Zone names map to zone ids per account: AWS shuffles which physical zone "us-east-1a" is for
// each account ("AZ IDs for your AWS resources", RAM User Guide), and only the zone ids (use1-az1
// ...) name the same place everywhere. sagebox uses one fixed mapping for every account, the one
// below, so that a name and an id always agree within a sandbox. The zones listed are those a new
// account sees with default settings (e.g. us-west-1 offers two of its three names, ap-northeast-1
// and ca-central-1 have no "b" zone for new accounts); Local Zones and Wavelength Zones are not
// modelled. Regions launched in 2009..2023 that need opting in (af-south-1, ap-east-1, ...) are
// "not-opted-in" unless they are the region of the call, which sagebox treats as opted in.
#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <string.h>

struct region {
    const char *name;
    bool opt_in; // must be enabled (regions launched since March 2019)
    const struct ec2_zone *zones;
    size_t zone_count;
};

#define ZONES(...) ((const struct ec2_zone[]){__VA_ARGS__})
#define REGION(n, opt, ...)                                                                        \
    {                                                                                              \
        n, opt, ZONES(__VA_ARGS__), sizeof(ZONES(__VA_ARGS__)) / sizeof(struct ec2_zone)           \
    }

static const struct region regions[] = {
    REGION("us-east-1", false, {"us-east-1a", "use1-az1"}, {"us-east-1b", "use1-az2"},
           {"us-east-1c", "use1-az4"}, {"us-east-1d", "use1-az6"}, {"us-east-1e", "use1-az3"},
           {"us-east-1f", "use1-az5"}),
    REGION("us-east-2", false, {"us-east-2a", "use2-az1"}, {"us-east-2b", "use2-az2"},
           {"us-east-2c", "use2-az3"}),
    REGION("us-west-1", false, {"us-west-1a", "usw1-az1"}, {"us-west-1c", "usw1-az3"}),
    REGION("us-west-2", false, {"us-west-2a", "usw2-az1"}, {"us-west-2b", "usw2-az2"},
           {"us-west-2c", "usw2-az3"}, {"us-west-2d", "usw2-az4"}),
    REGION("af-south-1", true, {"af-south-1a", "afs1-az1"}, {"af-south-1b", "afs1-az2"},
           {"af-south-1c", "afs1-az3"}),
    REGION("ap-east-1", true, {"ap-east-1a", "ape1-az1"}, {"ap-east-1b", "ape1-az2"},
           {"ap-east-1c", "ape1-az3"}),
    REGION("ap-south-1", false, {"ap-south-1a", "aps1-az1"}, {"ap-south-1b", "aps1-az3"},
           {"ap-south-1c", "aps1-az2"}),
    REGION("ap-south-2", true, {"ap-south-2a", "aps2-az1"}, {"ap-south-2b", "aps2-az2"},
           {"ap-south-2c", "aps2-az3"}),
    REGION("ap-southeast-1", false, {"ap-southeast-1a", "apse1-az1"},
           {"ap-southeast-1b", "apse1-az2"}, {"ap-southeast-1c", "apse1-az3"}),
    REGION("ap-southeast-2", false, {"ap-southeast-2a", "apse2-az1"},
           {"ap-southeast-2b", "apse2-az3"}, {"ap-southeast-2c", "apse2-az2"}),
    REGION("ap-southeast-3", true, {"ap-southeast-3a", "apse3-az1"},
           {"ap-southeast-3b", "apse3-az2"}, {"ap-southeast-3c", "apse3-az3"}),
    REGION("ap-southeast-4", true, {"ap-southeast-4a", "apse4-az1"},
           {"ap-southeast-4b", "apse4-az2"}, {"ap-southeast-4c", "apse4-az3"}),
    REGION("ap-northeast-1", false, {"ap-northeast-1a", "apne1-az4"},
           {"ap-northeast-1c", "apne1-az1"}, {"ap-northeast-1d", "apne1-az2"}),
    REGION("ap-northeast-2", false, {"ap-northeast-2a", "apne2-az1"},
           {"ap-northeast-2b", "apne2-az2"}, {"ap-northeast-2c", "apne2-az3"},
           {"ap-northeast-2d", "apne2-az4"}),
    REGION("ap-northeast-3", false, {"ap-northeast-3a", "apne3-az3"},
           {"ap-northeast-3b", "apne3-az1"}, {"ap-northeast-3c", "apne3-az2"}),
    REGION("ca-central-1", false, {"ca-central-1a", "cac1-az1"}, {"ca-central-1b", "cac1-az2"},
           {"ca-central-1d", "cac1-az4"}),
    REGION("ca-west-1", true, {"ca-west-1a", "caw1-az1"}, {"ca-west-1b", "caw1-az2"},
           {"ca-west-1c", "caw1-az3"}),
    REGION("eu-central-1", false, {"eu-central-1a", "euc1-az2"}, {"eu-central-1b", "euc1-az3"},
           {"eu-central-1c", "euc1-az1"}),
    REGION("eu-central-2", true, {"eu-central-2a", "euc2-az1"}, {"eu-central-2b", "euc2-az2"},
           {"eu-central-2c", "euc2-az3"}),
    REGION("eu-west-1", false, {"eu-west-1a", "euw1-az1"}, {"eu-west-1b", "euw1-az2"},
           {"eu-west-1c", "euw1-az3"}),
    REGION("eu-west-2", false, {"eu-west-2a", "euw2-az2"}, {"eu-west-2b", "euw2-az3"},
           {"eu-west-2c", "euw2-az1"}),
    REGION("eu-west-3", false, {"eu-west-3a", "euw3-az1"}, {"eu-west-3b", "euw3-az2"},
           {"eu-west-3c", "euw3-az3"}),
    REGION("eu-south-1", true, {"eu-south-1a", "eus1-az1"}, {"eu-south-1b", "eus1-az2"},
           {"eu-south-1c", "eus1-az3"}),
    REGION("eu-south-2", true, {"eu-south-2a", "eus2-az1"}, {"eu-south-2b", "eus2-az2"},
           {"eu-south-2c", "eus2-az3"}),
    REGION("eu-north-1", false, {"eu-north-1a", "eun1-az1"}, {"eu-north-1b", "eun1-az2"},
           {"eu-north-1c", "eun1-az3"}),
    REGION("il-central-1", true, {"il-central-1a", "ilc1-az1"}, {"il-central-1b", "ilc1-az2"},
           {"il-central-1c", "ilc1-az3"}),
    REGION("me-south-1", true, {"me-south-1a", "mes1-az1"}, {"me-south-1b", "mes1-az2"},
           {"me-south-1c", "mes1-az3"}),
    REGION("me-central-1", true, {"me-central-1a", "mec1-az1"}, {"me-central-1b", "mec1-az2"},
           {"me-central-1c", "mec1-az3"}),
    REGION("sa-east-1", false, {"sa-east-1a", "sae1-az1"}, {"sa-east-1b", "sae1-az2"},
           {"sa-east-1c", "sae1-az3"}),
};

static const size_t region_count = sizeof(regions) / sizeof(regions[0]);

static const struct region *region_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < region_count; i++) {
        if (strcmp(regions[i].name, name) == 0) {
            return &regions[i];
        }
    }
    return NULL;
}

// The zones of a region; see ec2_common.h.
size_t ec2_region_zones(const char *region, const struct ec2_zone **zones)
{
    const struct region *r = region_find(region);
    *zones = r != NULL ? r->zones : NULL;
    return r != NULL ? r->zone_count : 0;
}

// Finds a zone by name or id; see ec2_common.h.
const struct ec2_zone *ec2_zone_find(const char *region, const char *name, const char *id)
{
    const struct ec2_zone *z;
    size_t n = ec2_region_zones(region, &z);
    for (size_t i = 0; i < n; i++) {
        if ((name != NULL && strcmp(z[i].name, name) == 0) ||
            (id != NULL && strcmp(z[i].id, id) == 0)) {
            return &z[i];
        }
    }
    return NULL;
}

// ---- DescribeAvailabilityZones ------------------------------------------------------------------

// Filters of DescribeAvailabilityZones (EC2 API Reference). "zone-name"/"zone-id"/"state" are the
// documented names; "message" matches the zone's messages, which are empty here.
static const struct ec2_filter_def zone_filters[] = {
    {"group-name", "GroupName", NULL},
    {"message", "Messages.Message", NULL},
    {"opt-in-status", "OptInStatus", NULL},
    {"parent-zone-id", "ParentZoneId", NULL},
    {"parent-zone-name", "ParentZoneName", NULL},
    {"region-name", "RegionName", NULL},
    {"state", "State", NULL},
    {"zone-id", "ZoneId", NULL},
    {"zone-name", "ZoneName", NULL},
    {"zone-type", "ZoneType", NULL},
    {NULL, NULL, NULL},
};

static json_t *zone_doc(const char *region, const struct ec2_zone *z)
{
    return json_pack("{s:s, s:s, s:[], s:s, s:s, s:s, s:s, s:s, s:s}", "State", "available",
                     "OptInStatus", "opt-in-not-required", "Messages", "RegionName", region,
                     "ZoneName", z->name, "ZoneId", z->id, "GroupName", region,
                     "NetworkBorderGroup", region, "ZoneType", "availability-zone");
}

static bool in_list(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0) {
            return true;
        }
    }
    return false;
}

// DescribeAvailabilityZones: the zones of the call's region. A ZoneNames/ZoneIds entry sagebox
// does not know is 400 InvalidParameterValue "Invalid availability zone: [NAME]" (EC2's wording
// as SDK users quote it; not checked against EC2 itself). AllAvailabilityZones adds nothing:
// there are no Local or Wavelength Zones to opt out of.
static int describe_availability_zones(struct svc_call *c)
{
    struct ec2_filter_set *fs;
    if (ec2_filters_compile(c->arena, &c->err, zone_filters, json_object_get(c->in, "Filters"),
                            &fs) != 0) {
        return -1;
    }
    const json_t *names = json_object_get(c->in, "ZoneNames");
    const json_t *ids = json_object_get(c->in, "ZoneIds");
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        if (ec2_zone_find(c->region, n, NULL) == NULL) {
            return ec2_err_value(c, "Invalid availability zone: [%s]", n);
        }
    }
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const char *n = json_string_value(json_array_get(ids, i));
        if (ec2_zone_find(c->region, NULL, n) == NULL) {
            return ec2_err_value(c, "Invalid availability zone: [%s]", n);
        }
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, "ec2:DescribeAvailabilityZones", &any, 1) != 0) {
        return -1;
    }
    const struct ec2_zone *z;
    size_t n = ec2_region_zones(c->region, &z);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        bool named = json_array_size(names) > 0 || json_array_size(ids) > 0;
        if (named && !in_list(names, z[i].name) && !in_list(ids, z[i].id)) {
            continue;
        }
        json_t *doc = zone_doc(c->region, &z[i]);
        if (ec2_filters_match(fs, doc)) {
            json_array_append(list, doc);
        }
        json_decref(doc);
    }
    c->out = json_pack("{s:o}", "AvailabilityZones", list);
    return 0;
}

// ---- DescribeRegions ----------------------------------------------------------------------------

static const struct ec2_filter_def region_filters[] = {
    {"endpoint", "Endpoint", NULL},
    {"opt-in-status", "OptInStatus", NULL},
    {"region-name", "RegionName", NULL},
    {NULL, NULL, NULL},
};

static const char *opt_in_status(const struct svc_call *c, const struct region *r)
{
    if (!r->opt_in) {
        return "opt-in-not-required";
    }
    return strcmp(r->name, c->region) == 0 ? "opted-in" : "not-opted-in";
}

// DescribeRegions: the regions enabled for the account (AllRegions adds the ones not opted in),
// with endpoint ec2.REGION.amazonaws.com. An unknown RegionNames entry is 400
// InvalidParameterValue "Invalid region: NAME" (wording not checked against EC2 itself).
static int describe_regions(struct svc_call *c)
{
    struct ec2_filter_set *fs;
    if (ec2_filters_compile(c->arena, &c->err, region_filters, json_object_get(c->in, "Filters"),
                            &fs) != 0) {
        return -1;
    }
    const json_t *names = json_object_get(c->in, "RegionNames");
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        if (region_find(n) == NULL) {
            return ec2_err_value(c, "Invalid region: %s", n);
        }
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, "ec2:DescribeRegions", &any, 1) != 0) {
        return -1;
    }
    bool all = ec2_in_bool(c, "AllRegions", NULL);
    json_t *list = json_array();
    for (size_t i = 0; i < region_count; i++) {
        const struct region *r = &regions[i];
        const char *status = opt_in_status(c, r);
        if (json_array_size(names) > 0 ? !in_list(names, r->name)
                                       : (!all && strcmp(status, "not-opted-in") == 0)) {
            continue;
        }
        json_t *doc =
            json_pack("{s:s, s:s, s:s}", "Endpoint", ec2_fmt(c, "ec2.%s.amazonaws.com", r->name),
                      "RegionName", r->name, "OptInStatus", status);
        if (ec2_filters_match(fs, doc)) {
            json_array_append(list, doc);
        }
        json_decref(doc);
    }
    c->out = json_pack("{s:o}", "Regions", list);
    return 0;
}

const struct svc_handler ec2_zone_handlers[] = {
    {"DescribeAvailabilityZones", describe_availability_zones},
    {"DescribeRegions", describe_regions},
    {NULL, NULL},
};
