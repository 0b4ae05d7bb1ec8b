// SPDX-License-Identifier: Apache-2.0
// Elastic IP addresses (EC2 API Reference: AllocateAddress, DescribeAddresses, ReleaseAddress,
// AssociateAddress, DisassociateAddress; Amazon VPC User Guide, "Elastic IP addresses").
//
// An Elastic IP is an ec2.eip object (id eipalloc-...) whose document is the Address of
// DescribeAddresses. Unassociated it has no store parent; associated with a private address of a
// network interface, its parent is the interface's VPC and its path the interface (so the VPC graph
// holds it). The interface's document carries the matching Association (IpOwnerId, PublicDnsName,
// PublicIp, AllocationId, AssociationId), at the top level for its primary address and in
// PrivateIpAddresses for each address.
//
// THE ADDRESS POOL. Public addresses come from a pool that sagebox owns and that can never be a
// routable address: the two IPv4 documentation ranges of RFC 5737, 198.51.100.0/24 (TEST-NET-2) and
// 203.0.113.0/24 (TEST-NET-3), .1 to .254 of each. An address belongs to one allocation at a time
// across all accounts of a region: the allocation claims it with an object of kind "ec2.pool.ip"
// (account "sagebox", id the address, document {Account, AllocationId}) written in the same
// transaction, and ReleaseAddress gives it back. Allocation starts at a random place of the pool,
// as EC2 hands out unpredictable addresses. Every account may hold 5 addresses per region, AWS's
// default quota ("Elastic IP address quota", Amazon VPC User Guide).
//
// Authorization (Service Authorization Reference, Amazon EC2): AllocateAddress on elastic-ip/*
// (tags, ec2:Domain), ReleaseAddress on the address, AssociateAddress and DisassociateAddress on
// the address and the network interface, DescribeAddresses on "*". An address carries
// ec2:AllocationId, ec2:Domain and ec2:PublicIpAddress; a network interface ec2:Vpc, ec2:Subnet,
// ec2:NetworkInterfaceID and ec2:AvailabilityZone.
#include "svc/ec2/addresses.h"

#include "core/ids.h"
#include "svc/ec2/ec2_common.h"
#include "svc/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// AWS's default quota of Elastic IP addresses per region.
#define EIP_QUOTA 5

// The pool: the RFC 5737 documentation ranges, host addresses .1 to .254 of each.
#define POOL_RANGES    2
#define POOL_PER_RANGE 254
#define POOL_SIZE      (POOL_RANGES * POOL_PER_RANGE)
static const char *const pool_prefix[POOL_RANGES] = {"198.51.100.", "203.0.113."};

#define POOL_KIND    "ec2.pool.ip"
#define POOL_ACCOUNT "sagebox"

static const struct ec2_kind *kind(const char *store_kind)
{
    return ec2_kind_by_store(store_kind);
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *keep(struct svc_call *c, const char *s)
{
    return s != NULL ? arena_strndup(c->arena, s, strlen(s)) : NULL;
}

// ---- The pool ----------------------------------------------------------------------------------

// The address at index i of the pool (0 <= i < POOL_SIZE), in the arena.
static const char *pool_address(struct svc_call *c, unsigned i)
{
    return ec2_fmt(c, "%s%u", pool_prefix[i / POOL_PER_RANGE], i % POOL_PER_RANGE + 1);
}

// True when ip is an address of the pool.
static bool in_pool(const char *ip)
{
    for (size_t r = 0; r < POOL_RANGES; r++) {
        size_t n = strlen(pool_prefix[r]);
        if (strncmp(ip, pool_prefix[r], n) != 0) {
            continue;
        }
        const char *h = ip + n;
        unsigned v = 0;
        size_t digits = 0;
        for (; h[digits] >= '0' && h[digits] <= '9' && digits < 4; digits++) {
            v = v * 10 + (unsigned)(h[digits] - '0');
        }
        bool canonical = digits > 0 && h[digits] == '\0' && (digits == 1 || h[0] != '0');
        return canonical && v >= 1 && v <= POOL_PER_RANGE;
    }
    return false;
}

static struct store_scope pool_scope(const struct svc_call *c)
{
    struct store_scope sc = {POOL_ACCOUNT, c->region, POOL_KIND, false};
    return sc;
}

// Tells whether address ip of the pool is taken in the call's region. Returns 1, 0 or -1.
static int pool_taken(struct svc_call *c, const char *ip)
{
    struct store_scope sc = pool_scope(c);
    struct store_err e = {{0}};
    int rc = store_get(c->env->store, &sc, ip, NULL, NULL, &e);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    return rc == 0 ? 1 : ec2_store_error(c, rc, &e);
}

// Claims address ip of the pool for allocation alloc_id of the caller's account.
static int pool_claim(struct svc_call *c, const char *ip, const char *alloc_id)
{
    json_t *doc = json_pack("{s:s, s:s}", "Account", c->caller->account, "AllocationId", alloc_id);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct store_obj o = {
        .account = POOL_ACCOUNT,
        .region = c->region,
        .kind = POOL_KIND,
        .id = ip,
        .doc = text,
        .doc_len = strlen(text),
    };
    struct store_err e = {{0}};
    int rc = store_put(c->env->store, &o, STORE_CREATE, &e);
    free(text);
    return rc == 0 ? 0 : ec2_store_error(c, rc, &e);
}

// Gives address ip back to the pool.
static int pool_release(struct svc_call *c, const char *ip)
{
    struct store_scope sc = pool_scope(c);
    struct store_err e = {{0}};
    int rc = store_delete(c->env->store, &sc, ip, &e);
    return rc == 0 || rc == SB_ENOTFOUND ? 0 : ec2_store_error(c, rc, &e);
}

// Picks a free address of the pool, starting at a random place. Stores it in *ip (arena). Returns
// 0, 1 when the pool is exhausted, or -1.
static int pool_pick(struct svc_call *c, const char **ip)
{
    uint32_t start;
    ids_random_bytes(&start, sizeof(start));
    for (unsigned k = 0; k < POOL_SIZE; k++) {
        const char *cand = pool_address(c, (start + k) % POOL_SIZE);
        int taken = pool_taken(c, cand);
        if (taken < 0) {
            return -1;
        }
        if (taken == 0) {
            *ip = cand;
            return 0;
        }
    }
    return 1;
}

// ---- Documents and decisions -------------------------------------------------------------------

static struct ec2_res eip_res(struct svc_call *c, const json_t *eip)
{
    struct ec2_res r = {
        .arn = ec2_arn(c, "elastic-ip", ec2_str(eip, "AllocationId")),
        .doc = eip,
        .keys = {"ec2:AllocationId", ec2_str(eip, "AllocationId"), "ec2:Domain",
                 ec2_str(eip, "Domain"), "ec2:PublicIpAddress", ec2_str(eip, "PublicIp")},
    };
    return r;
}

static struct ec2_res eni_res(struct svc_call *c, const json_t *eni)
{
    const char *subnet = ec2_str(eni, "SubnetId");
    struct ec2_res r = {
        .arn = ec2_arn(c, "network-interface", ec2_str(eni, "NetworkInterfaceId")),
        .doc = eni,
        .vpc_id = ec2_str(eni, "VpcId"),
        .keys = {"ec2:NetworkInterfaceID", ec2_str(eni, "NetworkInterfaceId"), "ec2:Subnet",
                 subnet != NULL ? ec2_arn(c, "subnet", subnet) : NULL, "ec2:AvailabilityZone",
                 ec2_str(eni, "AvailabilityZone")},
    };
    return r;
}

// The public DNS name EC2 gives a public address: ec2-a-b-c-d.compute-1.amazonaws.com in us-east-1,
// ec2-a-b-c-d.REGION.compute.amazonaws.com elsewhere ("Amazon EC2 instance hostname types", Amazon
// EC2 User Guide).
static const char *public_dns(struct svc_call *c, const char *ip)
{
    char dashed[CIDR_TEXT_MAX];
    size_t n = strlen(ip);
    if (n >= sizeof(dashed)) {
        n = sizeof(dashed) - 1;
    }
    for (size_t i = 0; i < n; i++) {
        dashed[i] = ip[i] == '.' ? '-' : ip[i];
    }
    dashed[n] = '\0';
    if (strcmp(c->region, "us-east-1") == 0) {
        return ec2_fmt(c, "ec2-%s.compute-1.amazonaws.com", dashed);
    }
    return ec2_fmt(c, "ec2-%s.%s.compute.amazonaws.com", dashed, c->region);
}

// True when the interface is managed by a service (a NAT gateway's, an endpoint's): EC2 answers
// changes to its addresses with AuthFailure.
static bool service_managed(const json_t *eni)
{
    return json_is_true(json_object_get(eni, "RequesterManaged"));
}

// AuthFailure "You do not have permission to access the specified resource." (real EC2 when an
// address of a NAT gateway is associated or released by hand,
// hashicorp/terraform-provider-aws#3572).
static int auth_failure(struct svc_call *c)
{
    return ec2_err(c, 400, "AuthFailure",
                   "You do not have permission to access the specified "
                   "resource.");
}

// The association members of an Address.
static const char *const assoc_members[] = {"AssociationId", "NetworkInterfaceId",
                                            "NetworkInterfaceOwnerId", "PrivateIpAddress",
                                            "InstanceId"};

// Writes an Address document with the store parent (vpc_id: the VPC of its interface, NULL when
// unassociated) and path (its interface) of the layout.
static int put_eip(struct svc_call *c, const char *id, const json_t *eip, const char *vpc_id,
                   enum store_put_mode mode)
{
    const char *eni = ec2_str(eip, "NetworkInterfaceId");
    return ec2_put(c, kind(EC2_KIND_EIP), id, eni != NULL ? vpc_id : NULL, eni, eip, mode);
}

// Removes the Association of allocation alloc_id from interface document eni. Returns whether
// anything changed.
static bool drop_eni_association(json_t *eni, const char *alloc_id)
{
    bool changed = false;
    if (same(ec2_str(json_object_get(eni, "Association"), "AllocationId"), alloc_id)) {
        json_object_del(eni, "Association");
        changed = true;
    }
    json_t *list = json_object_get(eni, "PrivateIpAddresses");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        if (same(ec2_str(json_object_get(p, "Association"), "AllocationId"), alloc_id)) {
            json_object_del(p, "Association");
            changed = true;
        }
    }
    return changed;
}

// Removes an association: from the interface (when it still exists) and from the Address.
static int detach(struct svc_call *c, const char *id, json_t *eip)
{
    const char *eni_id = keep(c, ec2_str(eip, "NetworkInterfaceId"));
    if (eni_id != NULL) {
        struct store_obj nobj;
        json_t *eni = NULL;
        int rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, &nobj, &eni);
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return -1;
        }
        if (rc == 0 && drop_eni_association(eni, id)) {
            rc = ec2_replace(c, kind(EC2_KIND_ENI), &nobj, eni);
        }
        json_decref(eni);
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof(assoc_members) / sizeof(assoc_members[0]); i++) {
        json_object_del(eip, assoc_members[i]);
    }
    return put_eip(c, id, eip, NULL, STORE_REPLACE);
}

// The private addresses of interface document eni: its primary PrivateIpAddress and those of
// PrivateIpAddresses. True when ip is one of them.
static bool eni_holds(const json_t *eni, const char *ip)
{
    if (same(ec2_str(eni, "PrivateIpAddress"), ip)) {
        return true;
    }
    const json_t *list = json_object_get(eni, "PrivateIpAddresses");
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (same(ec2_str(json_array_get(list, i), "PrivateIpAddress"), ip)) {
            return true;
        }
    }
    return false;
}

// The public address already mapped to private address ip of interface document eni (an Association
// of another allocation), or NULL.
static const json_t *eni_mapping(const json_t *eni, const char *ip)
{
    if (same(ec2_str(eni, "PrivateIpAddress"), ip) && json_object_get(eni, "Association")) {
        return json_object_get(eni, "Association");
    }
    const json_t *list = json_object_get(eni, "PrivateIpAddresses");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        if (same(ec2_str(p, "PrivateIpAddress"), ip) && json_object_get(p, "Association")) {
            return json_object_get(p, "Association");
        }
    }
    return NULL;
}

// Associates the (unassociated) Address eip with private address ip of interface eni: writes both
// documents. Stores the association id in *assoc_id.
static int attach(struct svc_call *c, const char *id, json_t *eip, struct store_obj *nobj,
                  json_t *eni, const char *ip, const char *ip_owner, const char **assoc_id)
{
    const char *aid = ec2_new_id(c, "eipassoc");
    const char *public_ip = ec2_str(eip, "PublicIp");
    json_t *assoc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "IpOwnerId", ip_owner, "PublicDnsName",
                              public_dns(c, public_ip), "PublicIp", public_ip, "AllocationId", id,
                              "AssociationId", aid);
    if (same(ec2_str(eni, "PrivateIpAddress"), ip)) {
        json_object_set(eni, "Association", assoc);
    }
    json_t *list = json_object_get(eni, "PrivateIpAddresses");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        if (same(ec2_str(p, "PrivateIpAddress"), ip)) {
            json_object_set(p, "Association", assoc);
        }
    }
    json_decref(assoc);
    json_object_set_new(eip, "AssociationId", json_string(aid));
    json_object_set_new(eip, "NetworkInterfaceId", json_string(ec2_str(eni, "NetworkInterfaceId")));
    const char *owner = ec2_str(eni, "OwnerId");
    json_object_set_new(eip, "NetworkInterfaceOwnerId",
                        json_string(owner != NULL ? owner : c->caller->account));
    json_object_set_new(eip, "PrivateIpAddress", json_string(ip));
    int rc = ec2_replace(c, kind(EC2_KIND_ENI), nobj, eni);
    rc = rc == 0 ? put_eip(c, id, eip, ec2_str(eni, "VpcId"), STORE_REPLACE) : rc;
    *assoc_id = aid;
    return rc;
}

// ---- For the other families --------------------------------------------------------------------

// Associates an address with an interface's private address; see addresses.h.
int ec2_address_attach(struct svc_call *c, const char *allocation_id, const char *eni_id,
                       const char *private_ip, const char *ip_owner, const char **association_id,
                       const char **public_ip)
{
    struct store_obj nobj;
    json_t *eip = NULL;
    json_t *eni = NULL;
    const char *aid = NULL;
    int rc = ec2_get(c, kind(EC2_KIND_EIP), allocation_id, NULL, &eip);
    if (rc == SB_ENOTFOUND) {
        return ec2_err_not_found(c, kind(EC2_KIND_EIP), allocation_id);
    }
    if (rc != 0) {
        return -1;
    }
    rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, &nobj, &eni);
    if (rc == SB_ENOTFOUND) {
        rc = ec2_err_not_found(c, kind(EC2_KIND_ENI), eni_id);
    }
    const char *ip = private_ip;
    if (rc == 0 && ip == NULL) {
        ip = keep(c, ec2_str(eni, "PrivateIpAddress"));
    }
    if (rc == 0 && (ip == NULL || !eni_holds(eni, ip))) {
        rc = ec2_err_value(c, "The private IP address %s is not assigned to network interface %s",
                           ip != NULL ? ip : "", eni_id);
    }
    if (rc == 0 && ec2_str(eip, "AssociationId") != NULL) {
        rc = detach(c, allocation_id, eip);
    }
    if (rc == 0) {
        rc = attach(c, allocation_id, eip, &nobj, eni, ip, ip_owner, &aid);
    }
    if (rc == 0) {
        if (association_id != NULL) {
            *association_id = aid;
        }
        if (public_ip != NULL) {
            *public_ip = keep(c, ec2_str(eip, "PublicIp"));
        }
    }
    json_decref(eni);
    json_decref(eip);
    return rc;
}

// Removes an address's association; see addresses.h.
int ec2_address_detach(struct svc_call *c, const char *allocation_id)
{
    json_t *eip = NULL;
    int rc = ec2_get(c, kind(EC2_KIND_EIP), allocation_id, NULL, &eip);
    if (rc == SB_ENOTFOUND) {
        return 0;
    }
    if (rc == 0 && ec2_str(eip, "AssociationId") != NULL) {
        rc = detach(c, allocation_id, eip);
    }
    json_decref(eip);
    return rc == 0 ? 0 : -1;
}

// Tells whether a VPC has public addresses mapped; see addresses.h.
int ec2_address_vpc_has_public(struct svc_call *c, const char *vpc_id)
{
    int eips = ec2_any_child(c, kind(EC2_KIND_EIP), vpc_id, NULL);
    if (eips != 0) {
        return eips;
    }
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_ENI), vpc_id, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *eni = ec2_parse(c, &items[i]);
        if (eni == NULL) {
            return -1;
        }
        bool mapped = ec2_str(json_object_get(eni, "Association"), "PublicIp") != NULL;
        json_decref(eni);
        if (mapped) {
            return 1;
        }
    }
    return 0;
}

// ---- AllocateAddress ----------------------------------------------------------------------------

// Reads the request's Address (a specific address to recover). It must be an address of the pool
// that nobody holds; EC2's answer for an unavailable address is InvalidAddress.NotFound (its
// error-code list's code; the wording is sagebox's).
static int requested_address(struct svc_call *c, const char **ip)
{
    const char *want = ec2_in_str(c, "Address");
    *ip = NULL;
    if (want == NULL) {
        return 0;
    }
    int taken = in_pool(want) ? pool_taken(c, want) : 1;
    if (taken < 0) {
        return -1;
    }
    if (taken > 0) {
        return ec2_err(c, 400, "InvalidAddress.NotFound",
                       "The requested address %s does not exist or is unavailable", want);
    }
    *ip = want;
    return 0;
}

// Refuses what sagebox has no pools for: EC2-Classic ("standard") addresses, bring-your-own-IP and
// customer-owned pools, other network border groups than the region.
static int check_allocate_params(struct svc_call *c)
{
    const char *domain = ec2_in_str(c, "Domain");
    const char *pool = ec2_in_str(c, "PublicIpv4Pool");
    const char *group = ec2_in_str(c, "NetworkBorderGroup");
    if (domain != NULL && strcmp(domain, "vpc") != 0) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "EC2-Classic has been retired: only addresses of domain vpc exist");
    }
    if ((pool != NULL && strcmp(pool, "amazon") != 0) ||
        json_object_get(c->in, "CustomerOwnedIpv4Pool") != NULL) {
        return ec2_err(c, 400, "UnsupportedOperation",
                       "sagebox has no BYOIP or customer-owned IPv4 pools: only "
                       "the amazon pool");
    }
    if (group != NULL && strcmp(group, c->region) != 0) {
        return ec2_err_value(c, "Value (%s) for parameter networkBorderGroup is invalid.", group);
    }
    return 0;
}

// AllocateAddress: a sixth address of the region is AddressLimitExceeded "The maximum number of
// addresses has been reached." (real EC2, opstrace/opstrace#273).
static int allocate_address_body(struct svc_call *c)
{
    json_t *tags = NULL;
    json_t *eip = NULL;
    const char *ip = NULL;
    int rc = -1;
    if (check_allocate_params(c) != 0 || ec2_tag_specs(c, "elastic-ip", &tags) != 0) {
        goto out;
    }
    struct ec2_res r = {
        .arn = ec2_arn(c, "elastic-ip", "*"),
        .request_tags = tags,
        .keys = {"ec2:Domain", "vpc"},
    };
    if (ec2_authorize(c, "ec2:AllocateAddress", &r, 1) != 0) {
        goto out;
    }
    struct store_obj *items;
    size_t held;
    if (ec2_list_all(c, kind(EC2_KIND_EIP), NULL, NULL, &items, &held) != 0) {
        goto out;
    }
    if (held >= EIP_QUOTA) {
        ec2_err(c, 400, "AddressLimitExceeded",
                "The maximum number of addresses has been reached.");
        goto out;
    }
    if (requested_address(c, &ip) != 0) {
        goto out;
    }
    if (ip == NULL) {
        int full = pool_pick(c, &ip);
        if (full != 0) {
            if (full > 0) {
                // The EC2 error list's code for an exhausted address pool; the wording is
                // sagebox's.
                ec2_err(c, 400, "InsufficientAddressCapacity",
                        "sagebox's address pool of region %s is exhausted", c->region);
            }
            goto out;
        }
    }
    const char *id = ec2_new_id(c, "eipalloc");
    eip = json_pack("{s:s, s:s, s:s, s:s, s:s}", "PublicIp", ip, "AllocationId", id, "Domain",
                    "vpc", "PublicIpv4Pool", "amazon", "NetworkBorderGroup", c->region);
    ec2_tags_init(kind(EC2_KIND_EIP), eip, tags);
    rc = pool_claim(c, ip, id);
    rc = rc == 0 ? put_eip(c, id, eip, NULL, STORE_CREATE) : rc;
    if (rc == 0) {
        c->out =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "PublicIp", ip, "AllocationId", id,
                      "PublicIpv4Pool", "amazon", "NetworkBorderGroup", c->region, "Domain", "vpc");
    }
out:
    json_decref(tags);
    json_decref(eip);
    return rc;
}

EC2_OPERATION(allocate_address, true)

// ---- DescribeAddresses --------------------------------------------------------------------------

static const struct ec2_filter_def address_filters[] = {
    {"allocation-id", "AllocationId", NULL},
    {"association-id", "AssociationId", NULL},
    {"domain", "Domain", NULL},
    {"instance-id", "InstanceId", NULL},
    {"network-border-group", "NetworkBorderGroup", NULL},
    {"network-interface-id", "NetworkInterfaceId", NULL},
    {"network-interface-owner-id", "NetworkInterfaceOwnerId", NULL},
    {"private-ip-address", "PrivateIpAddress", NULL},
    {"public-ip", "PublicIp", NULL},
    {"public-ipv4-pool", "PublicIpv4Pool", NULL},
    {NULL, NULL, NULL},
};

// True when list (a JSON array of strings) is empty or holds s.
static bool listed(const json_t *list, const char *s)
{
    if (json_array_size(list) == 0) {
        return true;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (same(json_string_value(json_array_get(list, i)), s)) {
            return true;
        }
    }
    return false;
}

// The first entry of list that no document of docs has as member, or NULL.
static const char *first_missing(const json_t *list, json_t *const *docs, size_t n,
                                 const char *member)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *want = json_string_value(json_array_get(list, i));
        bool found = false;
        for (size_t k = 0; k < n && !found; k++) {
            found = same(ec2_str(docs[k], member), want);
        }
        if (!found) {
            return want;
        }
    }
    return NULL;
}

// DescribeAddresses: every address of the region (there is no paging), or those named by
// AllocationIds and PublicIps, through the filters. A named allocation that does not exist is its
// NotFound; a named public address that is not the caller's is InvalidAddress.NotFound (the EC2
// error list's code; the wording is sagebox's).
static int describe_addresses_body(struct svc_call *c)
{
    struct ec2_filter_set *fs = NULL;
    if (ec2_filters_compile(c->arena, &c->err, address_filters, json_object_get(c->in, "Filters"),
                            &fs) != 0) {
        return -1;
    }
    struct ec2_res any = {.arn = "*"};
    if (ec2_authorize(c, "ec2:DescribeAddresses", &any, 1) != 0) {
        return -1;
    }
    const json_t *alloc_ids = json_object_get(c->in, "AllocationIds");
    const json_t *ips = json_object_get(c->in, "PublicIps");
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_EIP), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    json_t **docs = arena_calloc(c->arena, n + 1, sizeof(*docs));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        docs[i] = ec2_parse(c, &items[i]);
        rc = docs[i] != NULL ? 0 : -1;
    }
    const char *missing = rc == 0 ? first_missing(alloc_ids, docs, n, "AllocationId") : NULL;
    if (missing != NULL) {
        rc = ec2_err_not_found(c, kind(EC2_KIND_EIP), missing);
    }
    missing = rc == 0 ? first_missing(ips, docs, n, "PublicIp") : NULL;
    if (missing != NULL) {
        rc = ec2_err(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.", missing);
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (listed(alloc_ids, ec2_str(docs[i], "AllocationId")) &&
            listed(ips, ec2_str(docs[i], "PublicIp")) && ec2_filters_match(fs, docs[i])) {
            json_array_append_new(list, ec2_doc_public(docs[i]));
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(docs[i]);
    }
    if (rc != 0) {
        json_decref(list);
        return -1;
    }
    c->out = json_pack("{s:o}", "Addresses", list);
    return 0;
}

EC2_OPERATION(describe_addresses, false)

// ---- ReleaseAddress -----------------------------------------------------------------------------

// Finds the caller's Address with public address ip. Returns 0 with *id (arena), SB_ENOTFOUND or
// -1.
static int find_by_ip(struct svc_call *c, const char *ip, const char **id)
{
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_EIP), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        bool match = same(ec2_str(doc, "PublicIp"), ip);
        json_decref(doc);
        if (match) {
            *id = items[i].id;
            return 0;
        }
    }
    return SB_ENOTFOUND;
}

// ReleaseAddress. Both AllocationId and PublicIp is InvalidParameterCombination "You may specify
// public IP or allocation id, but not both in the same call", and PublicIp of a VPC address is
// InvalidParameterValue "You must specify an allocation id when releasing a VPC elastic IP address"
// (real EC2, both quoted in fog/fog#879). An associated address stays: one of a service's interface
// (a NAT gateway's) is AuthFailure, as EC2 answers changes to it; one of the caller's interface is
// InvalidIPAddress.InUse (the EC2 error list's code; "Address X is in use." is EC2's wording for
// private addresses, aws/aws-cli#7178, not checked for this action).
static int release_address_body(struct svc_call *c)
{
    const char *id = ec2_in_str(c, "AllocationId");
    const char *ip = ec2_in_str(c, "PublicIp");
    if (id != NULL && ip != NULL) {
        return ec2_err_combination(c, "You may specify public IP or allocation id, "
                                      "but not both in the same call");
    }
    if (id == NULL && ip == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter AllocationId");
    }
    if (ip != NULL) {
        const char *found;
        int rc = find_by_ip(c, ip, &found);
        if (rc == SB_ENOTFOUND) {
            return ec2_err(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.", ip);
        }
        return rc != 0 ? -1
                       : ec2_err_value(c, "You must specify an allocation id when releasing a VPC "
                                          "elastic IP address");
    }
    json_t *eip;
    if (ec2_load(c, kind(EC2_KIND_EIP), id, "ec2:ReleaseAddress", NULL, &eip) != 0) {
        return -1;
    }
    struct ec2_res r = eip_res(c, eip);
    int rc = ec2_authorize(c, "ec2:ReleaseAddress", &r, 1);
    const char *eni_id = keep(c, ec2_str(eip, "NetworkInterfaceId"));
    const char *public_ip = keep(c, ec2_str(eip, "PublicIp"));
    json_decref(eip);
    if (rc != 0) {
        return -1;
    }
    if (eni_id != NULL) {
        json_t *eni = NULL;
        rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, NULL, &eni);
        bool managed = rc == 0 && service_managed(eni);
        json_decref(eni);
        if (rc != 0 && rc != SB_ENOTFOUND) {
            return -1;
        }
        return managed
                   ? auth_failure(c)
                   : ec2_err(c, 400, "InvalidIPAddress.InUse", "Address %s is in use.", public_ip);
    }
    rc = pool_release(c, public_ip);
    return rc == 0 ? ec2_delete(c, kind(EC2_KIND_EIP), id) : -1;
}

EC2_OPERATION(release_address, true)

// ---- AssociateAddress ---------------------------------------------------------------------------

// Checks that the interface's VPC has an internet gateway: else Gateway.NotAttached "Network
// vpc-... is not attached to any internet gateway" (real EC2,
// hashicorp/terraform-provider-aws#2181).
static int check_gateway(struct svc_call *c, const char *vpc_id)
{
    int has = ec2_any_child(c, kind(EC2_KIND_IGW), vpc_id, NULL);
    if (has < 0) {
        return -1;
    }
    return has ? 0
               : ec2_err(c, 400, "Gateway.NotAttached",
                         "Network %s is not attached to any internet gateway", vpc_id);
}

// Reads the request of an AssociateAddress: a VPC address is named by AllocationId and goes to a
// network interface (instances are not modelled by sagebox, so an InstanceId does not exist). The
// wordings of a missing allocation id or interface are sagebox's.
static int associate_params(struct svc_call *c, const char **id, const char **eni_id)
{
    *id = ec2_in_str(c, "AllocationId");
    *eni_id = ec2_in_str(c, "NetworkInterfaceId");
    const char *instance = ec2_in_str(c, "InstanceId");
    if (*id == NULL) {
        return ec2_in_str(c, "PublicIp") != NULL
                   ? ec2_err_combination(c, "You must specify an allocation id when mapping an "
                                            "address to a VPC instance")
                   : ec2_err(c, 400, "MissingParameter",
                             "The request must contain the parameter AllocationId");
    }
    if (instance != NULL) {
        return ec2_err(c, 400, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist",
                       instance);
    }
    if (*eni_id == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter NetworkInterfaceId");
    }
    return 0;
}

// AssociateAddress. An address associated elsewhere, or a private address that already has a public
// one, moves only with AllowReassociation; otherwise Resource.AlreadyAssociated (the EC2 error
// list's code; the second wording is real EC2's, aws-quickstart/
// quickstart-atlassian-confluence#14, the first is sagebox's). Addresses of service-managed
// interfaces (a NAT gateway's) are AuthFailure.
static int associate_address_body(struct svc_call *c)
{
    const char *id;
    const char *eni_id;
    if (associate_params(c, &id, &eni_id) != 0) {
        return -1;
    }
    json_t *eip = NULL;
    json_t *eni = NULL;
    json_t *held_by = NULL;
    int rc = ec2_load(c, kind(EC2_KIND_EIP), id, "ec2:AssociateAddress", NULL, &eip);
    rc = rc == 0 ? ec2_load(c, kind(EC2_KIND_ENI), eni_id, "ec2:AssociateAddress", NULL, &eni) : rc;
    const char *ip = ec2_in_str(c, "PrivateIpAddress");
    if (rc == 0 && ip == NULL) {
        ip = keep(c, ec2_str(eni, "PrivateIpAddress"));
    }
    if (rc == 0 && (ip == NULL || !eni_holds(eni, ip))) {
        // Sagebox's wording (EC2's could not be found).
        rc = ec2_err_value(c, "The private IP address %s is not assigned to network interface %s",
                           ip != NULL ? ip : "", eni_id);
    }
    if (rc == 0) {
        struct ec2_res r[2] = {eip_res(c, eip), eni_res(c, eni)};
        rc = ec2_authorize(c, "ec2:AssociateAddress", r, 2);
    }
    const char *current_eni = rc == 0 ? keep(c, ec2_str(eip, "NetworkInterfaceId")) : NULL;
    if (rc == 0 && current_eni != NULL && !same(current_eni, eni_id)) {
        rc = ec2_get(c, kind(EC2_KIND_ENI), current_eni, NULL, &held_by);
        rc = rc == SB_ENOTFOUND ? 0 : rc;
    }
    if (rc == 0 && (service_managed(eni) || (held_by != NULL && service_managed(held_by)))) {
        rc = auth_failure(c);
    }
    if (rc == 0) {
        rc = check_gateway(c, ec2_str(eni, "VpcId"));
    }
    bool reassociate = ec2_in_bool(c, "AllowReassociation", NULL);
    const json_t *mapped = rc == 0 ? eni_mapping(eni, ip) : NULL;
    const char *mapped_alloc = mapped != NULL ? keep(c, ec2_str(mapped, "AllocationId")) : NULL;
    if (rc == 0 && mapped != NULL && !same(mapped_alloc, id) && !reassociate) {
        rc = ec2_err(c, 400, "Resource.AlreadyAssociated",
                     "resource %s and %s is already associated with public address %s", eni_id, ip,
                     ec2_str(mapped, "PublicIp"));
    }
    if (rc == 0 && current_eni != NULL && !reassociate) {
        rc = ec2_err(c, 400, "Resource.AlreadyAssociated",
                     "resource %s is already associated with associationId %s", id,
                     ec2_str(eip, "AssociationId"));
    }
    json_decref(held_by);
    json_decref(eni);
    json_decref(eip);
    if (rc != 0) {
        return -1;
    }
    if (mapped_alloc != NULL && !same(mapped_alloc, id) &&
        ec2_address_detach(c, mapped_alloc) != 0) {
        return -1;
    }
    const char *aid;
    if (ec2_address_attach(c, id, eni_id, ip, c->caller->account, &aid, NULL) != 0) {
        return -1;
    }
    c->out = json_pack("{s:s}", "AssociationId", aid);
    return 0;
}

EC2_OPERATION(associate_address, true)

// ---- DisassociateAddress ------------------------------------------------------------------------

// Finds the Address with association assoc_id. Returns 0 with *id (arena), SB_ENOTFOUND or -1.
static int find_by_association(struct svc_call *c, const char *assoc_id, const char **id)
{
    struct store_obj *items;
    size_t n;
    if (ec2_list_all(c, kind(EC2_KIND_EIP), NULL, NULL, &items, &n) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *doc = ec2_parse(c, &items[i]);
        if (doc == NULL) {
            return -1;
        }
        bool match = same(ec2_str(doc, "AssociationId"), assoc_id);
        json_decref(doc);
        if (match) {
            *id = items[i].id;
            return 0;
        }
    }
    return SB_ENOTFOUND;
}

// DisassociateAddress, by AssociationId (or by the PublicIp of an associated address). An unknown
// association is InvalidAssociationID.NotFound (the EC2 error list's code; the wording follows its
// "The ... ID '...' does not exist" messages). An address of a service's interface (a NAT
// gateway's) is AuthFailure.
static int disassociate_address_body(struct svc_call *c)
{
    const char *assoc_id = ec2_in_str(c, "AssociationId");
    const char *ip = ec2_in_str(c, "PublicIp");
    const char *id = NULL;
    int rc;
    if (assoc_id == NULL && ip == NULL) {
        return ec2_err(c, 400, "MissingParameter",
                       "The request must contain the parameter AssociationId");
    }
    if (assoc_id != NULL) {
        rc = find_by_association(c, assoc_id, &id);
        if (rc == SB_ENOTFOUND) {
            return ec2_err(c, 400, "InvalidAssociationID.NotFound",
                           "The association ID '%s' does not exist", assoc_id);
        }
    } else {
        rc = find_by_ip(c, ip, &id);
        if (rc == SB_ENOTFOUND) {
            return ec2_err(c, 400, "InvalidAddress.NotFound", "Address '%s' not found.", ip);
        }
    }
    if (rc != 0) {
        return -1;
    }
    json_t *eip = NULL;
    json_t *eni = NULL;
    rc = ec2_get(c, kind(EC2_KIND_EIP), id, NULL, &eip);
    const char *eni_id = rc == 0 ? keep(c, ec2_str(eip, "NetworkInterfaceId")) : NULL;
    if (rc == 0 && eni_id != NULL) {
        rc = ec2_get(c, kind(EC2_KIND_ENI), eni_id, NULL, &eni);
        rc = rc == SB_ENOTFOUND ? 0 : rc;
    }
    if (rc == 0) {
        struct ec2_res r[2] = {eip_res(c, eip)};
        size_t n = 1;
        if (eni != NULL) {
            r[n++] = eni_res(c, eni);
        }
        rc = ec2_authorize(c, "ec2:DisassociateAddress", r, n);
    }
    if (rc == 0 && eni != NULL && service_managed(eni)) {
        rc = auth_failure(c);
    }
    bool associated = rc == 0 && ec2_str(eip, "AssociationId") != NULL;
    json_decref(eni);
    json_decref(eip);
    if (rc != 0) {
        return -1;
    }
    return associated ? ec2_address_detach(c, id) : 0;
}

EC2_OPERATION(disassociate_address, true)

const struct svc_handler ec2_address_handlers[] = {
    {"AllocateAddress", allocate_address},         {"DescribeAddresses", describe_addresses},
    {"ReleaseAddress", release_address},           {"AssociateAddress", associate_address},
    {"DisassociateAddress", disassociate_address}, {NULL, NULL},
};
