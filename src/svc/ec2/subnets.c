// SPDX-License-Identifier: Apache-2.0
// Subnets (EC2 API Reference: CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute;
// Amazon VPC User Guide, "Subnet CIDR blocks": /16 to /28 inside one of the VPC's blocks, no
// overlap, five reserved addresses per subnet) and the private-address accounting every ENI of a
// subnet goes through (ec2_subnet_take_ip / ec2_subnet_release_ip). Objects follow the store
// layout of ec2_common.h: kind ec2.subnet, parent the VPC, document Subnet with _UsedIps and
// _NetworkAclAssociationId; a new subnet is associated with the VPC's default network ACL and
// implicitly with its main route table.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateSubnet on subnet/* (with
// ec2:Vpc and ec2:AvailabilityZone) and on the VPC; DeleteSubnet and ModifySubnetAttribute on the
// subnet; DescribeSubnets on "*".
#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdlib.h>
#include <string.h>

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// The resource of a decision on an existing subnet.
static struct ec2_res subnet_res(struct svc_call *c, const json_t *subnet)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "subnet", ec2_str(subnet, "SubnetId")),
        .doc = subnet,
        .vpc_id = ec2_str(subnet, "VpcId"),
        .keys = {"ec2:AvailabilityZone", ec2_str(subnet, "AvailabilityZone")},
    };
    return r;
}

// Sets AvailableIpAddressCount from the block and the addresses held.
static void update_count(json_t *subnet, const struct cidr *block)
{
    uint64_t usable = cidr_ec2_usable(block);
    size_t used = json_object_size(json_object_get(subnet, "_UsedIps"));
    json_object_set_new(subnet, "AvailableIpAddressCount",
                        json_integer((json_int_t)(usable > used ? usable - used : 0)));
}

static int subnet_block(struct svc_call *c, const json_t *subnet, struct cidr *b)
{
    const char *t = ec2_str(subnet, "CidrBlock");
    if (t == NULL || cidr_parse_block(t, strlen(t), b) != 0) {
        struct store_err e;
        snprintf(e.msg, sizeof(e.msg), "subnet %s has no readable CidrBlock",
                 ec2_str(subnet, "SubnetId"));
        return ec2_store_error(c, SB_ECORRUPT, &e);
    }
    return 0;
}

// Creates a subnet; see ec2_common.h.
int ec2_subnet_create(struct svc_call *c, const json_t *vpc, const struct cidr *block,
                      const struct ec2_zone *zone, bool default_for_az, const json_t *tags,
                      json_t **out)
{
    const char *vpc_id = ec2_str(vpc, "VpcId");
    const char *id = ec2_new_id(c, "subnet");
    const char *assoc = ec2_new_id(c, "aclassoc");
    const char *acl_id = ec2_str(vpc, "_DefaultNetworkAclId");
    if (out != NULL) {
        *out = NULL;
    }
    json_t *s = json_pack(
        "{s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s, s:s, s:s, s:b, s:[], s:s, s:b, s:b, "
        "s:{s:s, s:b, s:b}, s:{}, s:s}",
        "AvailabilityZone", zone->name, "AvailabilityZoneId", zone->id, "CidrBlock",
        ec2_cidr_text(c, block), "DefaultForAz", default_for_az, "MapPublicIpOnLaunch",
        default_for_az, "MapCustomerOwnedIpOnLaunch", 0, "State", "available", "SubnetId", id,
        "VpcId", vpc_id, "OwnerId", c->caller->account, "AssignIpv6AddressOnCreation", 0,
        "Ipv6CidrBlockAssociationSet", "SubnetArn", ec2_arn(c, "subnet", id), "EnableDns64", 0,
        "Ipv6Native", 0, "PrivateDnsNameOptionsOnLaunch", "HostnameType", "ip-name",
        "EnableResourceNameDnsARecord", 0, "EnableResourceNameDnsAAAARecord", 0, "_UsedIps",
        "_NetworkAclAssociationId", assoc);
    update_count(s, block);
    ec2_tags_init(kind(EC2_KIND_SUBNET), s, tags);

    struct store_obj aobj;
    json_t *acl = NULL;
    int rc = acl_id != NULL ? ec2_get(c, kind(EC2_KIND_ACL), acl_id, &aobj, &acl) : SB_ENOTFOUND;
    if (rc == 0) {
        json_t *list = json_object_get(acl, "Associations");
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(acl, "Associations", list);
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "NetworkAclAssociationId", assoc,
                                              "NetworkAclId", acl_id, "SubnetId", id));
        rc = ec2_replace(c, kind(EC2_KIND_ACL), &aobj, acl);
        json_decref(acl);
    } else if (rc == SB_ENOTFOUND) {
        struct store_err e;
        snprintf(e.msg, sizeof(e.msg), "VPC %s has no default network ACL", vpc_id);
        rc = ec2_store_error(c, SB_ECORRUPT, &e);
    }
    if (rc == 0) {
        rc = ec2_put(c, kind(EC2_KIND_SUBNET), id, vpc_id, NULL, s, STORE_CREATE);
    }
    if (rc == 0 && out != NULL) {
        *out = json_incref(s);
    }
    json_decref(s);
    return rc;
}

// The zones of the region joined as EC2 lists them in its error ("us-east-1a, us-east-1b").
static const char *zone_list(struct svc_call *c, bool ids)
{
    const struct ec2_zone *z;
    size_t n = ec2_region_zones(c->region, &z);
    const char *out = "";
    for (size_t i = 0; i < n; i++) {
        out = ec2_fmt(c, "%s%s%s", out, i ? ", " : "", ids ? z[i].id : z[i].name);
    }
    return out;
}

// The zone of a CreateSubnet: AvailabilityZone or AvailabilityZoneId, else the region's first.
// An unknown zone is 400 InvalidParameterValue "Value (us-east-1z) for parameter availabilityZone
// is invalid. Subnets can currently only be created in the following availability zones:
// us-east-1a, ..." (real EC2, boto/boto#1904); the availabilityZoneId variant follows it.
static int pick_zone(struct svc_call *c, const struct ec2_zone **zone)
{
    const char *name = ec2_in_str(c, "AvailabilityZone");
    const char *id = ec2_in_str(c, "AvailabilityZoneId");
    if (name != NULL && id != NULL) {
        return ec2_err_combination(c, "The parameter availabilityZone cannot be used with the "
                                      "parameter availabilityZoneId");
    }
    if (name != NULL || id != NULL) {
        *zone = ec2_zone_find(c->region, name, id);
        if (*zone == NULL) {
            return ec2_err_value(c,
                                 "Value (%s) for parameter %s is invalid. Subnets can currently "
                                 "only be created in the following availability zones: %s.",
                                 name ? name : id, name ? "availabilityZone" : "availabilityZoneId",
                                 zone_list(c, name == NULL));
        }
        return 0;
    }
    const struct ec2_zone *z;
    if (ec2_region_zones(c->region, &z) == 0) {
        return ec2_err_value(c,
                             "Value (%s) for parameter region is invalid. sagebox knows no "
                             "Availability Zones in it.",
                             c->region);
    }
    *zone = &z[0];
    return 0;
}

// Checks a new subnet's block against its VPC: /16../28 and inside one of the VPC's IPv4 blocks
// (else InvalidSubnet.Range "The CIDR '...' is invalid.", real EC2, pulumi/pulumi-awsx#111), and
// overlapping no other subnet (else InvalidSubnet.Conflict "The CIDR '...' conflicts with
// another subnet", real EC2, hashicorp/terraform#24317).
static int check_block(struct svc_call *c, const json_t *vpc, const char *text,
                       const struct cidr *b)
{
    struct cidr blocks[8];
    size_t n = ec2_vpc_blocks(vpc, blocks, 8);
    bool inside = false;
    unsigned p = cidr_family_prefix(b);
    for (size_t i = 0; i < n && !inside; i++) {
        inside = cidr_within(&blocks[i], b);
    }
    if (p < 16 || p > 28 || !inside) {
        return ec2_err(c, 400, "InvalidSubnet.Range", "The CIDR '%s' is invalid.", text);
    }
    struct store_obj *items;
    size_t count;
    if (ec2_list_all(c, kind(EC2_KIND_SUBNET), ec2_str(vpc, "VpcId"), NULL, &items, &count) != 0) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *s = ec2_parse(c, &items[i]);
        struct cidr sb;
        if (s == NULL || subnet_block(c, s, &sb) != 0) {
            json_decref(s);
            return -1;
        }
        json_decref(s);
        if (cidr_overlaps(&sb, b)) {
            return ec2_err(c, 400, "InvalidSubnet.Conflict",
                           "The CIDR '%s' conflicts with another subnet", text);
        }
    }
    return 0;
}

// CreateSubnet (IPv4 subnets; IPv6, IPv6-only and Outpost subnets are refused as unsupported).
static int create_subnet_body(struct svc_call *c)
{
    static const char *const unsupported[] = {"Ipv6CidrBlock", "OutpostArn", "Ipv6Native",
                                              "Ipv4IpamPoolId", "Ipv6IpamPoolId"};
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        if (json_object_get(c->in, unsupported[i]) != NULL) {
            return ec2_err(c, 400, "UnsupportedOperation",
                           "The parameter %s is not supported by sagebox.", unsupported[i]);
        }
    }
    const char *vpc_id = ec2_in_str(c, "VpcId");
    const char *text = ec2_in_str(c, "CidrBlock");
    json_t *vpc = NULL;
    json_t *tags = NULL;
    json_t *subnet = NULL;
    const struct ec2_zone *zone = NULL;
    struct cidr b;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_VPC), vpc_id, "ec2:CreateSubnet", NULL, &vpc) != 0) {
        goto out;
    }
    if (text == NULL) {
        ec2_err_missing(c, "cidrBlock");
        goto out;
    }
    if (ec2_parse_cidr_v4(c, text, "cidrBlock", &b) != 0 || pick_zone(c, &zone) != 0 ||
        check_block(c, vpc, text, &b) != 0 || ec2_tag_specs(c, "subnet", &tags) != 0) {
        goto out;
    }
    struct ec2_res r[2] = {
        {.arn = ec2_arn(c, "subnet", "*"),
         .vpc_id = vpc_id,
         .request_tags = tags,
         .keys = {"ec2:AvailabilityZone", zone->name}},
        {.arn = ec2_arn(c, "vpc", vpc_id),
         .doc = vpc,
         .keys = {"ec2:Tenancy", ec2_str(vpc, "InstanceTenancy")}},
    };
    if (ec2_authorize(c, "ec2:CreateSubnet", r, 2) != 0) {
        goto out;
    }
    rc = ec2_subnet_create(c, vpc, &b, zone, false, tags, &subnet);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "Subnet", ec2_doc_public(subnet));
    }
out:
    json_decref(vpc);
    json_decref(tags);
    json_decref(subnet);
    return rc;
}

EC2_OPERATION(create_subnet, true)

// DescribeSubnets filters (EC2 API Reference), with the older camel-case spellings EC2 still
// accepts (availabilityZone, cidrBlock, defaultForAz, ...).
static const struct ec2_filter_def subnet_filters[] = {
    {"availability-zone", "AvailabilityZone", NULL},
    {"availabilityZone", "AvailabilityZone", NULL},
    {"availability-zone-id", "AvailabilityZoneId", NULL},
    {"availabilityZoneId", "AvailabilityZoneId", NULL},
    {"available-ip-address-count", "AvailableIpAddressCount", NULL},
    {"availableIpAddressCount", "AvailableIpAddressCount", NULL},
    {"cidr-block", "CidrBlock", NULL},
    {"cidr", "CidrBlock", NULL},
    {"cidrBlock", "CidrBlock", NULL},
    {"customer-owned-ipv4-pool", "CustomerOwnedIpv4Pool", NULL},
    {"default-for-az", "DefaultForAz", NULL},
    {"defaultForAz", "DefaultForAz", NULL},
    {"enable-dns64", "EnableDns64", NULL},
    {"enable-lni-at-device-index", "EnableLniAtDeviceIndex", NULL},
    {"ipv6-cidr-block-association.ipv6-cidr-block", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlock",
     NULL},
    {"ipv6-cidr-block-association.association-id", "Ipv6CidrBlockAssociationSet.AssociationId",
     NULL},
    {"ipv6-cidr-block-association.state", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState.State",
     NULL},
    {"ipv6-native", "Ipv6Native", NULL},
    {"map-customer-owned-ip-on-launch", "MapCustomerOwnedIpOnLaunch", NULL},
    {"map-public-ip-on-launch", "MapPublicIpOnLaunch", NULL},
    {"outpost-arn", "OutpostArn", NULL},
    {"owner-id", "OwnerId", NULL},
    {"private-dns-name-options-on-launch.hostname-type",
     "PrivateDnsNameOptionsOnLaunch.HostnameType", NULL},
    {"private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
     "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord", NULL},
    {"private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
     "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord", NULL},
    {"state", "State", NULL},
    {"subnet-arn", "SubnetArn", NULL},
    {"subnet-id", "SubnetId", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

static int describe_subnets_body(struct svc_call *c)
{
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_SUBNET),
        .ids_member = "SubnetIds",
        .ids_wire = "subnetSet",
        .out_member = "Subnets",
        .filters = subnet_filters,
        .paged = true,
        .parent_filter = "vpc-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_subnets, false)

// Removes every association of kind k (ACL or route table) of the VPC that names the subnet.
static int drop_associations(struct svc_call *c, const char *store_kind, const char *vpc_id,
                             const char *subnet_id)
{
    const struct ec2_kind *k = kind(store_kind);
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, k, vpc_id, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        json_t *list = json_object_get(doc, "Associations");
        bool changed = false;
        for (size_t j = json_array_size(list); j-- > 0;) {
            const char *s = ec2_str(json_array_get(list, j), "SubnetId");
            if (s != NULL && strcmp(s, subnet_id) == 0) {
                json_array_remove(list, j);
                changed = true;
            }
        }
        int rc = changed ? ec2_replace(c, k, &items[i], doc) : 0;
        json_decref(doc);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

// DeleteSubnet: refused with DependencyViolation "The subnet '...' has dependencies and cannot be
// deleted." while ENIs are in it or any of its addresses is held (the VPC's wording with the
// subnet's noun; EC2 answers DependencyViolation here, DeleteSubnet API Reference). Its network ACL
// and route table associations go with it.
static int delete_subnet_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "SubnetId");
    json_t *s;
    if (ec2_load(c, kind(EC2_KIND_SUBNET), id, "ec2:DeleteSubnet", NULL, &s) != 0) {
        return -1;
    }
    struct ec2_res r = subnet_res(c, s);
    const char *v = ec2_str(s, "VpcId");
    const char *vpc_id = v != NULL ? arena_strndup(c->arena, v, strlen(v)) : "";
    int rc = ec2_authorize(c, "ec2:DeleteSubnet", &r, 1);
    bool held = json_object_size(json_object_get(s, "_UsedIps")) > 0;
    json_decref(s);
    if (rc != 0) {
        return -1;
    }
    int enis = ec2_any_child(c, kind(EC2_KIND_ENI), vpc_id, id);
    if (enis < 0) {
        return -1;
    }
    if (enis > 0 || held) {
        return ec2_err_dependency(c, "subnet", id);
    }
    if (drop_associations(c, EC2_KIND_ACL, vpc_id, id) != 0 ||
        drop_associations(c, EC2_KIND_RTB, vpc_id, id) != 0) {
        return -1;
    }
    return ec2_delete(c, kind(EC2_KIND_SUBNET), id);
}

EC2_OPERATION(delete_subnet, true)

// ---- ModifySubnetAttribute ----------------------------------------------------------------------

// The boolean attributes of ModifySubnetAttribute: request member and where the value goes.
struct battr {
    const char *member;
    const char *wire;
    const char *holder; // a nested member holding the value, or NULL for the top level
    const char *stored;
};

static const struct battr battrs[] = {
    {"AssignIpv6AddressOnCreation", "assignIpv6AddressOnCreation", NULL,
     "AssignIpv6AddressOnCreation"},
    {"MapPublicIpOnLaunch", "mapPublicIpOnLaunch", NULL, "MapPublicIpOnLaunch"},
    {"MapCustomerOwnedIpOnLaunch", "mapCustomerOwnedIpOnLaunch", NULL,
     "MapCustomerOwnedIpOnLaunch"},
    {"EnableDns64", "enableDns64", NULL, "EnableDns64"},
    {"EnableResourceNameDnsARecordOnLaunch", "enableResourceNameDnsARecordOnLaunch",
     "PrivateDnsNameOptionsOnLaunch", "EnableResourceNameDnsARecord"},
    {"EnableResourceNameDnsAAAARecordOnLaunch", "enableResourceNameDnsAAAARecordOnLaunch",
     "PrivateDnsNameOptionsOnLaunch", "EnableResourceNameDnsAAAARecord"},
    {"DisableLniAtDeviceIndex", "disableLniAtDeviceIndex", NULL, NULL},
};

#define BATTR_COUNT (sizeof(battrs) / sizeof(battrs[0]))

// Collects the attributes a ModifySubnetAttribute names, as a list of their wire names.
static size_t named_attributes(struct svc_call *c, const char **names)
{
    size_t count = 0;
    *names = "";
    for (size_t i = 0; i < BATTR_COUNT; i++) {
        if (ec2_in_attr_bool(c, battrs[i].member) >= 0) {
            *names = ec2_fmt(c, "%s%s%s", *names, count++ ? ", " : "", battrs[i].wire);
        }
    }
    static const char *const others[][2] = {
        {"PrivateDnsHostnameTypeOnLaunch", "privateDnsHostnameTypeOnLaunch"},
        {"EnableLniAtDeviceIndex", "enableLniAtDeviceIndex"},
    };
    for (size_t i = 0; i < 2; i++) {
        if (json_object_get(c->in, others[i][0]) != NULL) {
            *names = ec2_fmt(c, "%s%s%s", *names, count++ ? ", " : "", others[i][1]);
        }
    }
    return count;
}

// ModifySubnetAttribute: one attribute per call ("You can only modify one attribute at a time",
// ModifySubnetAttribute API Reference), with the messages of ModifyVpcAttribute. Customer-owned
// IP pools belong to Outposts, which sagebox does not model.
static int modify_subnet_attribute_body(struct svc_call *c)
{
    const char *names;
    size_t count = named_attributes(c, &names);
    if (count > 1) {
        return ec2_err_combination(c, "Fields for multiple attribute types specified: %s", names);
    }
    if (count == 0) {
        return ec2_err_combination(c, "No attributes specified.");
    }
    if (ec2_in_attr_bool(c, "MapCustomerOwnedIpOnLaunch") == 1 ||
        json_object_get(c->in, "CustomerOwnedIpv4Pool") != NULL) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "Customer-owned IP pools (AWS Outposts) are not supported by sagebox.");
    }
    const char *id = ec2_in_str(c, "SubnetId");
    struct store_obj obj;
    json_t *s;
    if (ec2_load(c, kind(EC2_KIND_SUBNET), id, "ec2:ModifySubnetAttribute", &obj, &s) != 0) {
        return -1;
    }
    struct ec2_res r = subnet_res(c, s);
    int rc = ec2_authorize(c, "ec2:ModifySubnetAttribute", &r, 1);
    for (size_t i = 0; i < BATTR_COUNT && rc == 0; i++) {
        int v = ec2_in_attr_bool(c, battrs[i].member);
        if (v < 0) {
            continue;
        }
        if (battrs[i].stored == NULL) {
            if (v == 1) {
                json_object_del(s, "EnableLniAtDeviceIndex");
            }
            continue;
        }
        json_t *holder = battrs[i].holder ? json_object_get(s, battrs[i].holder) : s;
        json_object_set_new(holder, battrs[i].stored, json_boolean(v == 1));
    }
    const char *type = ec2_in_str(c, "PrivateDnsHostnameTypeOnLaunch");
    if (rc == 0 && type != NULL) {
        json_object_set_new(json_object_get(s, "PrivateDnsNameOptionsOnLaunch"), "HostnameType",
                            json_string(type));
    }
    const json_t *lni = json_object_get(c->in, "EnableLniAtDeviceIndex");
    if (rc == 0 && json_is_integer(lni)) {
        json_object_set(s, "EnableLniAtDeviceIndex", (json_t *)lni);
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_SUBNET), &obj, s);
    }
    json_decref(s);
    return rc;
}

EC2_OPERATION(modify_subnet_attribute, true)

// ---- Private addresses --------------------------------------------------------------------------

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

// Picks the lowest free address of the subnet.
static int pick_free(struct svc_call *c, const json_t *used, const struct cidr *block,
                     struct cidr *addr)
{
    size_t n = json_object_size(used);
    uint64_t *offs = arena_calloc(c->arena, n + 1, sizeof(*offs));
    size_t k = 0;
    const char *ip;
    const json_t *holder;
    json_object_foreach((json_t *)used, ip, holder)
    {
        struct cidr a;
        uint64_t off;
        if (cidr_parse(ip, strlen(ip), &a) == 0 && cidr_offset(block, &a, &off) == 0) {
            offs[k++] = off;
        }
    }
    qsort(offs, k, sizeof(*offs), cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u == 0 || offs[u - 1] != offs[i]) {
            offs[u++] = offs[i];
        }
    }
    struct cidr_alloc al = {.block = block, .used = offs, .used_count = u};
    uint64_t index;
    if (cidr_alloc_next(&al, addr, &index) != 0) {
        // The EC2 error-code list's code, with the message real EC2 answers (quoted in
        // aws/amazon-vpc-cni-k8s#1773).
        return ec2_err(c, 400, "InsufficientFreeAddressesInSubnet",
                       "The specified subnet does not have enough free addresses to satisfy the "
                       "request.");
    }
    return 0;
}

// Checks an address a caller asks for. The wordings are sagebox's: EC2's answers for an address
// outside the subnet, a reserved one and one in use could not be checked (the codes are the EC2
// error-code list's).
static int check_requested(struct svc_call *c, const json_t *used, const struct cidr *block,
                           const char *ip, struct cidr *addr)
{
    uint64_t off;
    if (strchr(ip, '/') != NULL || cidr_parse(ip, strlen(ip), addr) != 0 || !addr->v4) {
        return ec2_err_value(c,
                             "Value (%s) for parameter privateIpAddress is invalid. This is not "
                             "a valid IP address.",
                             ip);
    }
    if (cidr_offset(block, addr, &off) != 0) {
        return ec2_err_value(c, "Address %s does not fall within the subnet's address range", ip);
    }
    if (cidr_ec2_reserved(block, off)) {
        return ec2_err_value(c, "Address %s is in subnet's reserved address range", ip);
    }
    char canon[CIDR_TEXT_MAX];
    cidr_format(addr, false, canon, sizeof(canon));
    if (json_object_get(used, canon) != NULL) {
        return ec2_err(c, 400, "InvalidIPAddress.InUse", "Address %s is in use.", canon);
    }
    return 0;
}

// Takes an address of a subnet; see ec2_common.h.
int ec2_subnet_take_ip(struct svc_call *c, const char *subnet_id, const char *requested_ip,
                       const char *holder_id, char *out, size_t cap)
{
    struct store_obj obj;
    json_t *s;
    int rc = ec2_get(c, kind(EC2_KIND_SUBNET), subnet_id, &obj, &s);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? ec2_err_not_found(c, kind(EC2_KIND_SUBNET), subnet_id) : -1;
    }
    struct cidr block;
    struct cidr addr;
    json_t *used = json_object_get(s, "_UsedIps");
    if (!json_is_object(used)) {
        used = json_object();
        json_object_set_new(s, "_UsedIps", used);
    }
    rc = subnet_block(c, s, &block);
    if (rc == 0) {
        rc = requested_ip != NULL ? check_requested(c, used, &block, requested_ip, &addr)
                                  : pick_free(c, used, &block, &addr);
    }
    char text[CIDR_TEXT_MAX];
    if (rc == 0 && cidr_format(&addr, false, text, sizeof(text)) < 0) {
        rc = ec2_store_error(c, SB_EINVAL, NULL);
    }
    if (rc == 0) {
        json_object_set_new(used, text, json_string(holder_id));
        update_count(s, &block);
        rc = ec2_replace(c, kind(EC2_KIND_SUBNET), &obj, s);
    }
    if (rc == 0) {
        size_t n = strlen(text);
        if (n + 1 > cap) {
            rc = ec2_store_error(c, SB_EINVAL, NULL);
        } else {
            memcpy(out, text, n + 1);
        }
    }
    json_decref(s);
    return rc;
}

// Gives an address back; see ec2_common.h.
int ec2_subnet_release_ip(struct svc_call *c, const char *subnet_id, const char *ip)
{
    struct store_obj obj;
    json_t *s;
    int rc = ec2_get(c, kind(EC2_KIND_SUBNET), subnet_id, &obj, &s);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? 0 : -1;
    }
    struct cidr block;
    json_t *used = json_object_get(s, "_UsedIps");
    rc = 0;
    if (json_object_get(used, ip) != NULL) {
        json_object_del(used, ip);
        rc = subnet_block(c, s, &block);
        if (rc == 0) {
            update_count(s, &block);
            rc = ec2_replace(c, kind(EC2_KIND_SUBNET), &obj, s);
        }
    }
    json_decref(s);
    return rc;
}

const struct svc_handler ec2_subnet_handlers[] = {
    {"CreateSubnet", create_subnet},
    {"DescribeSubnets", describe_subnets},
    {"DeleteSubnet", delete_subnet},
    {"ModifySubnetAttribute", modify_subnet_attribute},
    {NULL, NULL},
};
