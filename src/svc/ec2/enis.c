// SPDX-License-Identifier: Apache-2.0
// Elastic network interfaces (EC2 API Reference: CreateNetworkInterface,
// DescribeNetworkInterfaces, DeleteNetworkInterface, ModifyNetworkInterfaceAttribute,
// DescribeNetworkInterfaceAttribute, AssignPrivateIpAddresses, UnassignPrivateIpAddresses; Amazon
// EC2 User Guide, "Elastic network interfaces" and "Requester-managed network interfaces"), and
// the ENIs other code creates for the resources it serves (enis.h: NAT gateways, interface VPC
// endpoints, and in later issues Studio apps, jobs and EFS mount targets).
//
// Objects follow the store layout of ec2_common.h: kind ec2.eni, parent the VPC, path the subnet,
// document NetworkInterface (its tags kept as "Tags" like every kind, shown as the model's
// "TagSet"), with the internal member _Owner (the resource a service-created ENI serves). Every
// private address comes from the subnet through ec2_subnet_take_ip, so AvailableIpAddressCount
// and the "subnet is full" answer are the subnet's. The private DNS name is AWS's
// "ip-a-b-c-d.ec2.internal" in us-east-1 and "ip-a-b-c-d.REGION.compute.internal" elsewhere
// (Amazon EC2 User Guide, "Amazon EC2 instance hostname types"); MAC addresses are locally
// administered unicast addresses "02:xx:xx:xx:xx:xx", the form EC2 shows.
//
// Authorization (Service Authorization Reference, Amazon EC2): CreateNetworkInterface on
// network-interface/* (ec2:Subnet, ec2:Vpc, ec2:AvailabilityZone, tags), on the subnet and on each
// security group; the per-interface actions on the interface (with ec2:Subnet, ec2:Vpc,
// ec2:AvailabilityZone, ec2:ResourceTag/*), ModifyNetworkInterfaceAttribute also on the groups it
// sets; the Describe actions on "*".
#include "svc/ec2/enis.h"

#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include "core/cidr.h"
#include "core/ids.h"

#include <stdio.h>
#include <string.h>

// Security groups per network interface: AWS's default quota ("Amazon VPC quotas", security
// groups per network interface: 5, adjustable up to 16; sagebox keeps the default).
#define ENI_GROUPS_MAX 5

// Private IPv4 addresses per interface. On AWS the limit comes from the instance type the
// interface is attached to (50 is the largest per-interface figure of current types); sagebox has
// no instances and uses that figure for every interface.
#define ENI_IPS_MAX 50

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

// The resource of a decision on an existing interface.
static struct ec2_res eni_res(struct svc_call *c, const json_t *eni)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "network-interface", ec2_str(eni, "NetworkInterfaceId")),
        .doc = eni,
        .vpc_id = ec2_str(eni, "VpcId"),
        .keys = {"ec2:AvailabilityZone", ec2_str(eni, "AvailabilityZone"), "ec2:Subnet",
                 ec2_arn(c, "subnet", ec2_str(eni, "SubnetId"))},
    };
    return r;
}

// The resource of a decision on a security group an interface uses.
static struct ec2_res group_res(struct svc_call *c, const json_t *sg)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "security-group", ec2_str(sg, "GroupId")),
        .doc = sg,
        .vpc_id = ec2_str(sg, "VpcId"),
    };
    return r;
}

// The private DNS name of an address: "ip-10-0-1-5.ec2.internal" in us-east-1,
// "ip-10-0-1-5.eu-west-1.compute.internal" elsewhere.
static const char *private_dns_name(struct svc_call *c, const char *ip)
{
    size_t n = strlen(ip);
    char *dashed = arena_strndup(c->arena, ip, n);
    for (size_t i = 0; i < n; i++) {
        if (dashed[i] == '.') {
            dashed[i] = '-';
        }
    }
    if (strcmp(c->region, "us-east-1") == 0) {
        return ec2_fmt(c, "ip-%s.ec2.internal", dashed);
    }
    return ec2_fmt(c, "ip-%s.%s.compute.internal", dashed, c->region);
}

// A random locally administered unicast MAC address, "02:" and five random bytes.
static const char *mac_address(struct svc_call *c)
{
    unsigned char b[5];
    ids_random_bytes(b, sizeof(b));
    return ec2_fmt(c, "02:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4]);
}

// One PrivateIpAddresses item.
static json_t *address_item(struct svc_call *c, const char *ip, bool primary)
{
    return json_pack("{s:b, s:s, s:s}", "Primary", primary, "PrivateDnsName",
                     private_dns_name(c, ip), "PrivateIpAddress", ip);
}

// The public form of an interface: internal members dropped, tags under the model's "TagSet".
static json_t *eni_public(const json_t *doc)
{
    json_t *out = ec2_doc_public(doc);
    json_t *tags = json_object_get(out, "Tags");
    json_object_set_new(out, "TagSet", tags != NULL ? json_incref(tags) : json_array());
    json_object_del(out, "Tags");
    return out;
}

// Resolves the security groups of an interface in VPC vpc_id: each id's form and existence, the
// group's VPC, at most ENI_GROUPS_MAX distinct groups. Stores a new reference to the Groups list
// ([{GroupName, GroupId}]) in *groups and, when docs is not NULL, a new reference to the list of
// the groups' documents in *docs. Errors: InvalidGroupId.Malformed, InvalidGroup.NotFound,
// SecurityGroupsPerInterfaceLimitExceeded "The maximum number of security groups per interface
// has been reached." (real EC2, kubernetes-sigs/aws-load-balancer-controller#682 and
// cloud-custodian/cloud-custodian#9787), and for a group of another VPC InvalidParameter
// "Security group SG and subnet SUBNET belong to different networks." (the wording RunInstances
// answers, quoted in public reports; CreateNetworkInterface's could not be checked).
static int resolve_groups(struct svc_call *c, const char *vpc_id, const char *subnet_id,
                          const char *const *ids, size_t n, json_t **groups, json_t **docs)
{
    const struct ec2_kind *k = kind(EC2_KIND_SG);
    json_t *list = json_array();
    json_t *dl = json_array();
    int rc = 0;
    *groups = NULL;
    if (docs != NULL) {
        *docs = NULL;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(ids[i], ids[j]) == 0;
        }
        if (seen) {
            continue;
        }
        if (json_array_size(list) == ENI_GROUPS_MAX) {
            rc = ec2_err(c, 400, "SecurityGroupsPerInterfaceLimitExceeded",
                         "The maximum number of security groups per interface has been reached.");
            break;
        }
        json_t *sg = NULL;
        if (!ec2_id_wellformed(ids[i], k->prefix)) {
            rc = ec2_err_malformed(c, k, ids[i]);
            break;
        }
        int g = ec2_get(c, k, ids[i], NULL, &sg);
        if (g == SB_ENOTFOUND) {
            rc = ec2_err_not_found(c, k, ids[i]);
            break;
        }
        if (g != 0) {
            rc = -1;
            break;
        }
        const char *gv = ec2_str(sg, "VpcId");
        if (gv == NULL || strcmp(gv, vpc_id) != 0) {
            rc = ec2_err(c, 400, "InvalidParameter",
                         "Security group %s and subnet %s belong to different networks.", ids[i],
                         subnet_id);
            json_decref(sg);
            break;
        }
        const char *name = ec2_str(sg, "GroupName");
        json_array_append_new(list, json_pack("{s:s, s:s}", "GroupId", ids[i], "GroupName",
                                              name != NULL ? name : ""));
        json_array_append_new(dl, sg);
    }
    if (rc != 0) {
        json_decref(list);
        json_decref(dl);
        return -1;
    }
    *groups = list;
    if (docs != NULL) {
        *docs = dl;
    } else {
        json_decref(dl);
    }
    return 0;
}

// What an interface is made of beyond struct ec2_eni_spec: the secondary addresses the API asks
// for (explicit ones, then a count of addresses to pick).
struct eni_extra {
    const char *const *secondary;
    size_t secondary_count;
    size_t pick;
};

// Builds and stores an interface; the shared body of ec2_eni_create and CreateNetworkInterface.
// groups is the resolved Groups list (NULL: the VPC's default group). Stores a new reference to
// the document in *out.
static int eni_make(struct svc_call *c, const struct ec2_eni_spec *spec, const json_t *groups,
                    const struct eni_extra *extra, json_t **out)
{
    json_t *subnet = NULL;
    json_t *vpc = NULL;
    json_t *own_groups = NULL;
    json_t *doc = NULL;
    int rc = -1;
    *out = NULL;
    int g = ec2_get(c, kind(EC2_KIND_SUBNET), spec->subnet_id, NULL, &subnet);
    if (g != 0) {
        return g == SB_ENOTFOUND ? ec2_err_not_found(c, kind(EC2_KIND_SUBNET), spec->subnet_id)
                                 : -1;
    }
    const char *vpc_id = ec2_str(subnet, "VpcId");
    if (vpc_id == NULL || ec2_get(c, kind(EC2_KIND_VPC), vpc_id, NULL, &vpc) != 0) {
        struct store_err e;
        snprintf(e.msg, sizeof(e.msg), "subnet %s has no readable VPC", spec->subnet_id);
        ec2_store_error(c, SB_ECORRUPT, &e);
        goto out;
    }
    if (groups == NULL) {
        const char *def = ec2_str(vpc, "_DefaultSecurityGroupId");
        if (spec->no_groups) {
            own_groups = json_array();
        } else if (spec->group_count > 0) {
            if (resolve_groups(c, vpc_id, spec->subnet_id, spec->group_ids, spec->group_count,
                               &own_groups, NULL) != 0) {
                goto out;
            }
        } else if (def != NULL &&
                   resolve_groups(c, vpc_id, spec->subnet_id, &def, 1, &own_groups, NULL) != 0) {
            goto out;
        } else if (def == NULL) {
            own_groups = json_array();
        }
        groups = own_groups;
    }
    const char *id = ec2_new_id(c, "eni");
    char primary[CIDR_TEXT_MAX];
    if (ec2_subnet_take_ip(c, spec->subnet_id, spec->private_ip, id, primary, sizeof(primary)) !=
        0) {
        goto out;
    }
    json_t *addrs = json_array();
    json_array_append_new(addrs, address_item(c, primary, true));
    size_t nsec = extra != NULL ? extra->secondary_count + extra->pick : 0;
    for (size_t i = 0; i < nsec; i++) {
        char ip[CIDR_TEXT_MAX];
        const char *want = i < extra->secondary_count ? extra->secondary[i] : NULL;
        if (ec2_subnet_take_ip(c, spec->subnet_id, want, id, ip, sizeof(ip)) != 0) {
            json_decref(addrs);
            goto out;
        }
        json_array_append_new(addrs, address_item(c, ip, false));
    }
    doc = json_pack(
        "{s:s, s:s, s:O, s:s, s:[], s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:s, s:s, s:s}",
        "AvailabilityZone", ec2_str(subnet, "AvailabilityZone"), "Description",
        spec->description != NULL ? spec->description : "", "Groups", groups, "InterfaceType",
        spec->interface_type != NULL ? spec->interface_type : "interface", "Ipv6Addresses",
        "MacAddress", mac_address(c), "NetworkInterfaceId", id, "OwnerId", c->caller->account,
        "PrivateDnsName", private_dns_name(c, primary), "PrivateIpAddress", primary,
        "PrivateIpAddresses", addrs, "RequesterManaged", spec->requester_managed, "SourceDestCheck",
        1, "Status", spec->owner_resource != NULL ? "in-use" : "available", "SubnetId",
        spec->subnet_id, "VpcId", vpc_id);
    if (spec->requester_id != NULL) {
        json_object_set_new(doc, "RequesterId", json_string(spec->requester_id));
    }
    if (spec->owner_resource != NULL) {
        json_object_set_new(doc, "_Owner", json_string(spec->owner_resource));
    }
    ec2_tags_init(kind(EC2_KIND_ENI), doc, spec->tags);
    rc = ec2_put(c, kind(EC2_KIND_ENI), id, vpc_id, spec->subnet_id, doc, STORE_CREATE);
    if (rc == 0) {
        *out = json_incref(doc);
    }
out:
    json_decref(subnet);
    json_decref(vpc);
    json_decref(own_groups);
    json_decref(doc);
    return rc;
}

// Creates an interface for another resource; see enis.h.
int ec2_eni_create(struct svc_call *c, const struct ec2_eni_spec *spec, const char **eni_id,
                   const char **private_ip)
{
    json_t *doc;
    if (eni_make(c, spec, NULL, NULL, &doc) != 0) {
        return -1;
    }
    const char *id = ec2_str(doc, "NetworkInterfaceId");
    const char *ip = ec2_str(doc, "PrivateIpAddress");
    if (eni_id != NULL) {
        *eni_id = arena_strndup(c->arena, id, strlen(id));
    }
    if (private_ip != NULL) {
        *private_ip = arena_strndup(c->arena, ip, strlen(ip));
    }
    json_decref(doc);
    return 0;
}

// Gives back every address of an interface document and deletes it.
static int eni_remove(struct svc_call *c, const json_t *doc)
{
    const char *subnet = ec2_str(doc, "SubnetId");
    const json_t *addrs = json_object_get(doc, "PrivateIpAddresses");
    for (size_t i = 0; subnet != NULL && i < json_array_size(addrs); i++) {
        const char *ip = ec2_str(json_array_get(addrs, i), "PrivateIpAddress");
        if (ip != NULL && ec2_subnet_release_ip(c, subnet, ip) != 0) {
            return -1;
        }
    }
    return ec2_delete(c, kind(EC2_KIND_ENI), ec2_str(doc, "NetworkInterfaceId"));
}

// Deletes an interface another resource made; see enis.h.
int ec2_eni_delete(struct svc_call *c, const char *eni_id)
{
    json_t *doc;
    int rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, NULL, &doc);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc != 0) {
        return -1;
    }
    rc = eni_remove(c, doc);
    json_decref(doc);
    return rc;
}

// Sets the security groups of an interface; see enis.h.
int ec2_eni_set_groups(struct svc_call *c, const char *eni_id, const char *const *group_ids,
                       size_t group_count)
{
    struct store_obj obj;
    json_t *doc;
    json_t *groups = NULL;
    int rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, &obj, &doc);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? ec2_err_not_found(c, kind(EC2_KIND_ENI), eni_id) : -1;
    }
    const char *vpc_id = ec2_str(doc, "VpcId");
    const char *subnet_id = ec2_str(doc, "SubnetId");
    rc = resolve_groups(c, vpc_id ? vpc_id : "", subnet_id ? subnet_id : "", group_ids, group_count,
                        &groups, NULL);
    if (rc == 0) {
        json_object_set_new(doc, "Groups", groups);
        rc = ec2_replace(c, kind(EC2_KIND_ENI), &obj, doc);
    }
    json_decref(doc);
    return rc;
}

// ---- CreateNetworkInterface ---------------------------------------------------------------------

// The strings of a request list member, in the arena. Returns how many.
static size_t in_strings(struct svc_call *c, const char *member, const char ***out)
{
    const json_t *list = json_object_get(c->in, member);
    size_t n = json_array_size(list);
    const char **v = arena_calloc(c->arena, n + 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(list, i));
        if (s != NULL) {
            v[k++] = s;
        }
    }
    *out = v;
    return k;
}

// PrivateIpAddressLimitExceeded, with the message real EC2 answers when an interface would hold
// more addresses than allowed (quoted in aws/amazon-vpc-cni-k8s issues).
static int too_many_addresses(struct svc_call *c)
{
    return ec2_err(c, 400, "PrivateIpAddressLimitExceeded",
                   "Number of private addresses will exceed limit.");
}

// Reads the addresses CreateNetworkInterface asks for: PrivateIpAddress, PrivateIpAddresses
// ([{Primary, PrivateIpAddress}], at most one primary), SecondaryPrivateIpAddressCount. The
// combination rules are the API Reference's ("You can't specify a count of secondary addresses
// together with more than one address in PrivateIpAddresses"); the wordings are sagebox's.
static int read_addresses(struct svc_call *c, const char **primary, struct eni_extra *extra)
{
    const json_t *list = json_object_get(c->in, "PrivateIpAddresses");
    const json_t *count = json_object_get(c->in, "SecondaryPrivateIpAddressCount");
    size_t n = json_array_size(list);
    const char **sec = arena_calloc(c->arena, n + 1, sizeof(*sec));
    size_t ns = 0;
    *primary = ec2_in_str(c, "PrivateIpAddress");
    bool explicit_primary = *primary != NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(list, i);
        const char *ip = ec2_str(item, "PrivateIpAddress");
        if (ip == NULL) {
            return ec2_err_missing(c, "privateIpAddresses.privateIpAddress");
        }
        if (json_is_true(json_object_get(item, "Primary"))) {
            if (*primary != NULL && (!explicit_primary || strcmp(*primary, ip) != 0)) {
                return ec2_err_value(c, "Only one primary private IP address can be specified.");
            }
            if (*primary == NULL) {
                *primary = ip;
            }
            continue;
        }
        sec[ns++] = ip;
    }
    if (*primary == NULL && ns > 0) {
        // EC2 makes the first listed address the primary one when none is marked.
        *primary = sec[0];
        for (size_t i = 1; i < ns; i++) {
            sec[i - 1] = sec[i];
        }
        ns--;
    }
    json_int_t pick = json_is_integer(count) ? json_integer_value(count) : 0;
    if (json_is_integer(count) && n > 1) {
        return ec2_err_combination(c, "The parameter secondaryPrivateIpAddressCount cannot be used "
                                      "together with more than one address in privateIpAddresses");
    }
    if (pick < 0 || (json_is_integer(count) && pick < 1)) {
        return ec2_err_value(c,
                             "Value (%lld) for parameter secondaryPrivateIpAddressCount is "
                             "invalid. The value must be at least 1.",
                             (long long)pick);
    }
    if ((size_t)pick + ns + 1 > ENI_IPS_MAX) {
        return too_many_addresses(c);
    }
    extra->secondary = sec;
    extra->secondary_count = ns;
    extra->pick = (size_t)pick;
    return 0;
}

static int create_network_interface_body(struct svc_call *c)
{
    static const char *const unsupported[] = {"Ipv6AddressCount", "Ipv6Addresses",
                                              "Ipv4Prefixes",     "Ipv4PrefixCount",
                                              "Ipv6Prefixes",     "Ipv6PrefixCount"};
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        if (json_object_get(c->in, unsupported[i]) != NULL) {
            return ec2_err(c, 400, "UnsupportedOperation",
                           "The parameter %s is not supported by sagebox (IPv6 addresses and "
                           "prefix delegation are not modelled).",
                           unsupported[i]);
        }
    }
    const char *subnet_id = ec2_in_str(c, "SubnetId");
    json_t *subnet = NULL;
    json_t *tags = NULL;
    json_t *groups = NULL;
    json_t *group_docs = NULL;
    json_t *doc = NULL;
    struct ec2_res *res = NULL;
    int rc = -1;
    if (ec2_load(c, kind(EC2_KIND_SUBNET), subnet_id, "ec2:CreateNetworkInterface", NULL,
                 &subnet) != 0) {
        goto out;
    }
    const char *vpc_id = ec2_str(subnet, "VpcId");
    const char **ids;
    size_t nids = in_strings(c, "Groups", &ids);
    const char *primary;
    struct eni_extra extra;
    if (read_addresses(c, &primary, &extra) != 0 ||
        ec2_tag_specs(c, "network-interface", &tags) != 0) {
        goto out;
    }
    if (nids == 0) {
        json_t *vpc = NULL;
        if (ec2_get(c, kind(EC2_KIND_VPC), vpc_id, NULL, &vpc) != 0) {
            ec2_store_error(c, SB_ECORRUPT, NULL);
            goto out;
        }
        const char *def = ec2_str(vpc, "_DefaultSecurityGroupId");
        ids = arena_calloc(c->arena, 2, sizeof(*ids));
        if (def != NULL) {
            ids[nids++] = arena_strndup(c->arena, def, strlen(def));
        }
        json_decref(vpc);
    }
    if (resolve_groups(c, vpc_id, subnet_id, ids, nids, &groups, &group_docs) != 0) {
        goto out;
    }
    size_t ng = json_array_size(group_docs);
    res = arena_calloc(c->arena, ng + 2, sizeof(*res));
    res[0] = (struct ec2_res){
        .arn = ec2_arn(c, "network-interface", "*"),
        .vpc_id = vpc_id,
        .request_tags = tags,
        .keys = {"ec2:AvailabilityZone", ec2_str(subnet, "AvailabilityZone"), "ec2:Subnet",
                 ec2_arn(c, "subnet", subnet_id)},
    };
    res[1] = (struct ec2_res){
        .arn = ec2_arn(c, "subnet", subnet_id),
        .doc = subnet,
        .vpc_id = vpc_id,
        .keys = {"ec2:AvailabilityZone", ec2_str(subnet, "AvailabilityZone")},
    };
    for (size_t i = 0; i < ng; i++) {
        res[2 + i] = group_res(c, json_array_get(group_docs, i));
    }
    if (ec2_authorize(c, "ec2:CreateNetworkInterface", res, ng + 2) != 0) {
        goto out;
    }
    struct ec2_eni_spec spec = {
        .subnet_id = subnet_id,
        .description = ec2_in_str(c, "Description"),
        .interface_type = ec2_in_str(c, "InterfaceType"),
        .private_ip = primary,
        .tags = tags,
    };
    rc = eni_make(c, &spec, groups, &extra, &doc);
    if (rc == 0) {
        c->out = json_pack("{s:o}", "NetworkInterface", eni_public(doc));
        const char *token = ec2_in_str(c, "ClientToken");
        if (token != NULL) {
            json_object_set_new(c->out, "ClientToken", json_string(token));
        }
    }
out:
    json_decref(subnet);
    json_decref(tags);
    json_decref(groups);
    json_decref(group_docs);
    json_decref(doc);
    return rc;
}

EC2_OPERATION(create_network_interface, true)

// ---- DescribeNetworkInterfaces ------------------------------------------------------------------

// The filters of DescribeNetworkInterfaces (EC2 API Reference). private-ip-address matches any of
// the interface's addresses, as "The private IPv4 address or addresses of the network interface"
// says.
static const struct ec2_filter_def eni_filters[] = {
    {"addresses.private-ip-address", "PrivateIpAddresses.PrivateIpAddress", NULL},
    {"addresses.primary", "PrivateIpAddresses.Primary", NULL},
    {"addresses.association.public-ip", "PrivateIpAddresses.Association.PublicIp", NULL},
    {"addresses.association.owner-id", "PrivateIpAddresses.Association.IpOwnerId", NULL},
    {"association.association-id", "Association.AssociationId", NULL},
    {"association.allocation-id", "Association.AllocationId", NULL},
    {"association.ip-owner-id", "Association.IpOwnerId", NULL},
    {"association.public-ip", "Association.PublicIp", NULL},
    {"association.public-dns-name", "Association.PublicDnsName", NULL},
    {"attachment.attachment-id", "Attachment.AttachmentId", NULL},
    {"attachment.attach-time", "Attachment.AttachTime", NULL},
    {"attachment.delete-on-termination", "Attachment.DeleteOnTermination", NULL},
    {"attachment.device-index", "Attachment.DeviceIndex", NULL},
    {"attachment.instance-id", "Attachment.InstanceId", NULL},
    {"attachment.instance-owner-id", "Attachment.InstanceOwnerId", NULL},
    {"attachment.status", "Attachment.Status", NULL},
    {"availability-zone", "AvailabilityZone", NULL},
    {"description", "Description", NULL},
    {"group-id", "Groups.GroupId", NULL},
    {"group-name", "Groups.GroupName", NULL},
    {"ipv6-addresses.ipv6-address", "Ipv6Addresses.Ipv6Address", NULL},
    {"interface-type", "InterfaceType", NULL},
    {"mac-address", "MacAddress", NULL},
    {"network-interface-id", "NetworkInterfaceId", NULL},
    {"owner-id", "OwnerId", NULL},
    {"private-ip-address", "PrivateIpAddresses.PrivateIpAddress", NULL},
    {"private-dns-name", "PrivateDnsName", NULL},
    {"requester-id", "RequesterId", NULL},
    {"requester-managed", "RequesterManaged", NULL},
    {"source-dest-check", "SourceDestCheck", NULL},
    {"status", "Status", NULL},
    {"subnet-id", "SubnetId", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

// Shows the tags under "TagSet"; "Tags" stays for the tag filters (the encoder ignores it, the
// model's NetworkInterface has no such member).
static int prepare_eni(struct svc_call *c, json_t *doc)
{
    (void)c;
    json_t *tags = json_object_get(doc, "Tags");
    json_object_set_new(doc, "TagSet", tags != NULL ? json_incref(tags) : json_array());
    return 0;
}

static int describe_network_interfaces_body(struct svc_call *c)
{
    // The id list's name in EC2's "cannot be used with the parameter maxResults" message follows
    // the networkInterfaceId query parameter; EC2's exact wording for this action was not found.
    struct ec2_describe_spec spec = {
        .kind = kind(EC2_KIND_ENI),
        .ids_member = "NetworkInterfaceIds",
        .ids_wire = "networkInterfaceIdSet",
        .out_member = "NetworkInterfaces",
        .filters = eni_filters,
        .paged = true,
        .prepare = prepare_eni,
        .parent_filter = "vpc-id",
        .path_filter = "subnet-id",
    };
    return ec2_describe(c, &spec);
}

EC2_OPERATION(describe_network_interfaces, false)

// ---- DeleteNetworkInterface ---------------------------------------------------------------------

// Refuses to delete an interface that is in use: one attached to an instance (EC2 error-code list:
// InvalidNetworkInterface.InUse; the wording is sagebox's) or one a service uses — a VPC endpoint's
// or a NAT gateway's — which real EC2 answers with InvalidParameterValue "Network interface 'ID'
// is currently in use." (gruntwork-io/cloud-nuke#431 and #1132).
static int check_deletable(struct svc_call *c, const json_t *doc, const char *id)
{
    const char *att = ec2_str(json_object_get(doc, "Attachment"), "Status");
    if (att != NULL && strcmp(att, "detached") != 0) {
        return ec2_err(c, 400, "InvalidNetworkInterface.InUse",
                       "The network interface '%s' is currently attached and in use.", id);
    }
    const char *status = ec2_str(doc, "Status");
    if (json_is_true(json_object_get(doc, "RequesterManaged")) ||
        json_object_get(doc, "_Owner") != NULL || (status && strcmp(status, "in-use") == 0)) {
        return ec2_err_value(c, "Network interface '%s' is currently in use.", id);
    }
    return 0;
}

static int delete_network_interface_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "NetworkInterfaceId");
    json_t *doc;
    if (ec2_load(c, kind(EC2_KIND_ENI), id, "ec2:DeleteNetworkInterface", NULL, &doc) != 0) {
        return -1;
    }
    struct ec2_res r = eni_res(c, doc);
    int rc = ec2_authorize(c, "ec2:DeleteNetworkInterface", &r, 1);
    if (rc == 0) {
        rc = check_deletable(c, doc, id);
    }
    if (rc == 0) {
        rc = eni_remove(c, doc);
    }
    json_decref(doc);
    return rc;
}

EC2_OPERATION(delete_network_interface, true)

// ---- ModifyNetworkInterfaceAttribute ------------------------------------------------------------

// The attributes ModifyNetworkInterfaceAttribute names, as their wire names joined.
static size_t named_attributes(struct svc_call *c, const char **names)
{
    static const char *const attrs[][2] = {
        {"Description", "description"},
        {"SourceDestCheck", "sourceDestCheck"},
        {"Groups", "groupSet"},
        {"Attachment", "attachment"},
        {"EnaSrdSpecification", "enaSrdSpecification"},
    };
    size_t count = 0;
    *names = "";
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (json_object_get(c->in, attrs[i][0]) != NULL) {
            *names = ec2_fmt(c, "%s%s%s", *names, count++ ? ", " : "", attrs[i][1]);
        }
    }
    return count;
}

// ModifyNetworkInterfaceAttribute: one attribute per call ("You can modify only one attribute at
// a time", API Reference), with the wordings ModifySubnetAttribute uses here. Interfaces have no
// attachments in sagebox (no instances), so an Attachment change names an attachment that does
// not exist (InvalidAttachmentID.NotFound, the EC2 error-code list's code; wording sagebox's).
// The security groups of a requester-managed interface belong to the service that manages it
// (for an endpoint: ModifyVpcEndpoint); changing them here is OperationNotPermitted (code of the
// error list, wording sagebox's).
static int modify_network_interface_attribute_body(struct svc_call *c)
{
    const char *names;
    size_t count = named_attributes(c, &names);
    if (count > 1) {
        return ec2_err_combination(c, "Fields for multiple attribute types specified: %s", names);
    }
    if (count == 0) {
        return ec2_err_combination(c, "No attributes specified.");
    }
    const char *id = ec2_in_str(c, "NetworkInterfaceId");
    struct store_obj obj;
    json_t *doc;
    json_t *groups = NULL;
    json_t *group_docs = NULL;
    if (ec2_load(c, kind(EC2_KIND_ENI), id, "ec2:ModifyNetworkInterfaceAttribute", &obj, &doc) !=
        0) {
        return -1;
    }
    int rc = 0;
    const json_t *in_groups = json_object_get(c->in, "Groups");
    size_t ng = 0;
    if (in_groups != NULL) {
        const char **ids;
        size_t n = in_strings(c, "Groups", &ids);
        if (n == 0) {
            rc = ec2_err_missing(c, "groupSet");
        } else {
            rc = resolve_groups(c, ec2_str(doc, "VpcId"), ec2_str(doc, "SubnetId"), ids, n, &groups,
                                &group_docs);
            ng = json_array_size(group_docs);
        }
    }
    struct ec2_res *res = arena_calloc(c->arena, ng + 1, sizeof(*res));
    res[0] = eni_res(c, doc);
    for (size_t i = 0; i < ng; i++) {
        res[1 + i] = group_res(c, json_array_get(group_docs, i));
    }
    if (rc == 0) {
        rc = ec2_authorize(c, "ec2:ModifyNetworkInterfaceAttribute", res, ng + 1);
    }
    const json_t *att = json_object_get(c->in, "Attachment");
    if (rc == 0 && att != NULL) {
        const char *aid = ec2_str(att, "AttachmentId");
        const char *have = ec2_str(json_object_get(doc, "Attachment"), "AttachmentId");
        if (aid == NULL || have == NULL || strcmp(aid, have) != 0) {
            rc = ec2_err(c, 400, "InvalidAttachmentID.NotFound",
                         "The attachment ID '%s' does not exist", aid ? aid : "");
        } else if (json_is_boolean(json_object_get(att, "DeleteOnTermination"))) {
            json_object_set(json_object_get(doc, "Attachment"), "DeleteOnTermination",
                            json_object_get(att, "DeleteOnTermination"));
        }
    }
    if (rc == 0 && json_object_get(c->in, "EnaSrdSpecification") != NULL) {
        rc = ec2_err(c, 400, "UnsupportedOperation",
                     "ENA Express settings belong to instance attachments, which sagebox does not "
                     "model.");
    }
    if (rc == 0 && groups != NULL) {
        if (json_is_true(json_object_get(doc, "RequesterManaged"))) {
            rc = ec2_err(c, 400, "OperationNotPermitted",
                         "The security groups of requester-managed network interface '%s' are "
                         "managed by the service that created it.",
                         id);
        } else {
            json_object_set(doc, "Groups", groups);
        }
    }
    const json_t *desc = json_object_get(c->in, "Description");
    if (rc == 0 && desc != NULL) {
        const char *v = ec2_str(desc, "Value");
        json_object_set_new(doc, "Description", json_string(v != NULL ? v : ""));
    }
    int sdc = ec2_in_attr_bool(c, "SourceDestCheck");
    if (rc == 0 && sdc >= 0) {
        json_object_set_new(doc, "SourceDestCheck", json_boolean(sdc == 1));
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_ENI), &obj, doc);
    }
    json_decref(doc);
    json_decref(groups);
    json_decref(group_docs);
    return rc;
}

EC2_OPERATION(modify_network_interface_attribute, true)

// ---- DescribeNetworkInterfaceAttribute ----------------------------------------------------------

// DescribeNetworkInterfaceAttribute: one attribute (description, groupSet, sourceDestCheck,
// attachment). Without Attribute EC2 has nothing to describe; the MissingParameter answer is
// sagebox's (the model does not mark it required, EC2's exact answer was not found).
static int describe_network_interface_attribute_body(struct svc_call *c)
{
    const char *attr = ec2_in_str(c, "Attribute");
    const char *id = ec2_in_str(c, "NetworkInterfaceId");
    json_t *doc;
    if (attr == NULL) {
        return ec2_err_missing(c, "attribute");
    }
    if (ec2_load(c, kind(EC2_KIND_ENI), id, "ec2:DescribeNetworkInterfaceAttribute", NULL, &doc) !=
        0) {
        return -1;
    }
    struct ec2_res any = {.arn = "*"};
    int rc = ec2_authorize(c, "ec2:DescribeNetworkInterfaceAttribute", &any, 1);
    if (rc == 0) {
        c->out = json_pack("{s:s}", "NetworkInterfaceId", id);
        if (strcmp(attr, "description") == 0) {
            json_object_set_new(
                c->out, "Description",
                json_pack("{s:s}", "Value",
                          ec2_str(doc, "Description") ? ec2_str(doc, "Description") : ""));
        } else if (strcmp(attr, "groupSet") == 0) {
            json_t *g = json_object_get(doc, "Groups");
            json_object_set_new(c->out, "Groups", g != NULL ? json_incref(g) : json_array());
        } else if (strcmp(attr, "sourceDestCheck") == 0) {
            json_object_set_new(
                c->out, "SourceDestCheck",
                json_pack("{s:b}", "Value",
                          json_is_true(json_object_get(doc, "SourceDestCheck")) ? 1 : 0));
        } else {
            json_t *a = json_object_get(doc, "Attachment");
            if (a != NULL) {
                json_object_set(c->out, "Attachment", a);
            }
        }
    }
    json_decref(doc);
    return rc;
}

EC2_OPERATION(describe_network_interface_attribute, false)

// ---- Assign/UnassignPrivateIpAddresses ----------------------------------------------------------

// Removes address ip from the interface whose id holder is (AllowReassignment): the address must
// be one of its secondary addresses. Returns 0 or -1 with c->err set.
static int take_from(struct svc_call *c, const char *holder, const char *ip)
{
    struct store_obj obj;
    json_t *doc;
    int rc = ec2_get(c, kind(EC2_KIND_ENI), holder, &obj, &doc);
    if (rc != 0) {
        return rc == SB_ENOTFOUND ? 0 : -1;
    }
    json_t *addrs = json_object_get(doc, "PrivateIpAddresses");
    rc = 0;
    for (size_t i = 0; i < json_array_size(addrs); i++) {
        const json_t *a = json_array_get(addrs, i);
        const char *have = ec2_str(a, "PrivateIpAddress");
        if (have == NULL || strcmp(have, ip) != 0) {
            continue;
        }
        if (json_is_true(json_object_get(a, "Primary"))) {
            // Only secondary addresses move (AssignPrivateIpAddresses API Reference); wording
            // sagebox's.
            rc = ec2_err(c, 400, "InvalidIPAddress.InUse",
                         "Address %s is the primary address of network interface %s.", ip, holder);
            break;
        }
        json_array_remove(addrs, i);
        rc = ec2_replace(c, kind(EC2_KIND_ENI), &obj, doc);
        if (rc == 0) {
            rc = ec2_subnet_release_ip(c, ec2_str(doc, "SubnetId"), ip);
        }
        break;
    }
    json_decref(doc);
    return rc;
}

// The interface that holds address ip in subnet subnet_id, or NULL.
static const char *holder_of(struct svc_call *c, const char *subnet_id, const char *ip)
{
    json_t *s = NULL;
    if (ec2_get(c, kind(EC2_KIND_SUBNET), subnet_id, NULL, &s) != 0) {
        return NULL;
    }
    const char *h = ec2_str(json_object_get(s, "_UsedIps"), ip);
    const char *out = h != NULL ? arena_strndup(c->arena, h, strlen(h)) : NULL;
    json_decref(s);
    return out;
}

// AssignPrivateIpAddresses: explicit addresses or a count (one of the two: sagebox's wordings for
// neither and both), AllowReassignment moving a secondary address from another interface of the
// subnet, at most ENI_IPS_MAX addresses per interface.
static int assign_private_ip_addresses_body(struct svc_call *c)
{
    if (json_object_get(c->in, "Ipv4Prefixes") != NULL ||
        json_object_get(c->in, "Ipv4PrefixCount") != NULL) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "Prefix delegation is not modelled by sagebox.");
    }
    const char **ips;
    size_t nips = in_strings(c, "PrivateIpAddresses", &ips);
    const json_t *count = json_object_get(c->in, "SecondaryPrivateIpAddressCount");
    if (nips > 0 && count != NULL) {
        return ec2_err_combination(c, "The parameter privateIpAddresses cannot be used with the "
                                      "parameter secondaryPrivateIpAddressCount");
    }
    if (nips == 0 && count == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "Either 'privateIpAddresses' or 'secondaryPrivateIpAddressCount' should "
                       "be provided.");
    }
    json_int_t pick = json_is_integer(count) ? json_integer_value(count) : 0;
    if (count != NULL && pick < 1) {
        return ec2_err_value(c,
                             "Value (%lld) for parameter secondaryPrivateIpAddressCount is "
                             "invalid. The value must be at least 1.",
                             (long long)pick);
    }
    const char *id = ec2_in_str(c, "NetworkInterfaceId");
    struct store_obj obj;
    json_t *doc;
    if (ec2_load(c, kind(EC2_KIND_ENI), id, "ec2:AssignPrivateIpAddresses", &obj, &doc) != 0) {
        return -1;
    }
    struct ec2_res r = eni_res(c, doc);
    int rc = ec2_authorize(c, "ec2:AssignPrivateIpAddresses", &r, 1);
    json_t *addrs = json_object_get(doc, "PrivateIpAddresses");
    size_t total = nips > 0 ? nips : (size_t)pick;
    if (rc == 0 && json_array_size(addrs) + total > ENI_IPS_MAX) {
        rc = too_many_addresses(c);
    }
    const char *subnet_id = ec2_str(doc, "SubnetId");
    bool reassign = ec2_in_bool(c, "AllowReassignment", NULL);
    json_t *assigned = json_array();
    for (size_t i = 0; i < total && rc == 0; i++) {
        const char *want = nips > 0 ? ips[i] : NULL;
        if (want != NULL && reassign) {
            const char *h = holder_of(c, subnet_id, want);
            if (h != NULL && strcmp(h, id) != 0) {
                rc = take_from(c, h, want);
            }
        }
        char ip[CIDR_TEXT_MAX];
        if (rc == 0) {
            rc = ec2_subnet_take_ip(c, subnet_id, want, id, ip, sizeof(ip));
        }
        if (rc == 0) {
            json_array_append_new(addrs, address_item(c, ip, false));
            json_array_append_new(assigned, json_pack("{s:s}", "PrivateIpAddress", ip));
        }
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_ENI), &obj, doc);
    }
    if (rc == 0) {
        c->out = json_pack("{s:s, s:O}", "NetworkInterfaceId", id, "AssignedPrivateIpAddresses",
                           assigned);
    }
    json_decref(assigned);
    json_decref(doc);
    return rc;
}

EC2_OPERATION(assign_private_ip_addresses, true)

// UnassignPrivateIpAddresses: every address must be a secondary address of the interface. Real
// EC2 answers an address the interface does not hold with InvalidParameterValue "Some of the
// specified addresses are not assigned to interface ID" (wording as reported publicly, not
// checked); the primary address cannot be unassigned (wording sagebox's).
static int unassign_private_ip_addresses_body(struct svc_call *c)
{
    if (json_object_get(c->in, "Ipv4Prefixes") != NULL) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "Prefix delegation is not modelled by sagebox.");
    }
    const char **ips;
    size_t nips = in_strings(c, "PrivateIpAddresses", &ips);
    if (nips == 0) {
        return ec2_err_missing(c, "privateIpAddress");
    }
    const char *id = ec2_in_str(c, "NetworkInterfaceId");
    struct store_obj obj;
    json_t *doc;
    if (ec2_load(c, kind(EC2_KIND_ENI), id, "ec2:UnassignPrivateIpAddresses", &obj, &doc) != 0) {
        return -1;
    }
    struct ec2_res r = eni_res(c, doc);
    int rc = ec2_authorize(c, "ec2:UnassignPrivateIpAddresses", &r, 1);
    json_t *addrs = json_object_get(doc, "PrivateIpAddresses");
    for (size_t i = 0; i < nips && rc == 0; i++) {
        size_t at = json_array_size(addrs);
        for (size_t j = 0; j < json_array_size(addrs); j++) {
            const char *have = ec2_str(json_array_get(addrs, j), "PrivateIpAddress");
            if (have != NULL && strcmp(have, ips[i]) == 0) {
                at = j;
                break;
            }
        }
        if (at == json_array_size(addrs)) {
            rc = ec2_err_value(
                c, "Some of the specified addresses are not assigned to interface %s", id);
        } else if (json_is_true(json_object_get(json_array_get(addrs, at), "Primary"))) {
            rc = ec2_err_value(c,
                               "The primary private IP address %s of network interface %s cannot "
                               "be unassigned.",
                               ips[i], id);
        } else {
            json_array_remove(addrs, at);
            rc = ec2_subnet_release_ip(c, ec2_str(doc, "SubnetId"), ips[i]);
        }
    }
    if (rc == 0) {
        rc = ec2_replace(c, kind(EC2_KIND_ENI), &obj, doc);
    }
    json_decref(doc);
    return rc;
}

EC2_OPERATION(unassign_private_ip_addresses, true)

const struct svc_handler ec2_eni_handlers[] = {
    {"CreateNetworkInterface", create_network_interface},
    {"DescribeNetworkInterfaces", describe_network_interfaces},
    {"DeleteNetworkInterface", delete_network_interface},
    {"ModifyNetworkInterfaceAttribute", modify_network_interface_attribute},
    {"DescribeNetworkInterfaceAttribute", describe_network_interface_attribute},
    {"AssignPrivateIpAddresses", assign_private_ip_addresses},
    {"UnassignPrivateIpAddresses", unassign_private_ip_addresses},
    {NULL, NULL},
};
