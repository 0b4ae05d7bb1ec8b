// SPDX-License-Identifier: Apache-2.0
// What every EC2 handler shares (Amazon EC2 API Reference, API version 2016-11-15, EC2 Query
// protocol, signing name "ec2"): the store layout of every EC2 resource kind, ids and ARNs in
// AWS's formats, EC2's error codes and messages, authorization with EC2's condition keys and the
// DryRun flag, the Describe* filter engine, MaxResults/NextToken pagination, tags
// (TagSpecifications, CreateTags/DeleteTags/DescribeTags), and the resource graph of one VPC that
// reachability questions walk. The handlers of each resource family (vpcs.c, subnets.c, zones.c,
// dhcp.c, tags.c, and the security-group, route-table, gateway, ENI/endpoint and flow-log files
// that follow) are written against this header only.
//
// STORE LAYOUT. Every EC2 object lives at (account = the caller's account, region = the call's
// region, kind, id = the resource id) and is UNNAMED (EC2 objects never carry a store name: list
// order is id order, which NextToken relies on). Its document is the item of its Describe*
// output exactly as the botocore model shapes it (member names of the model, "Tags" as
// [{Key, Value}]), so that Describe returns documents nearly as stored; members whose name
// starts with '_' are internal (top level only), never shown to clients (ec2_doc_public drops
// them, and the protocol encoder ignores members its model does not have).
//
//   kind         id prefix  parent (VPC graph)        path (second index)  document (model shape)
//   ec2.vpc      vpc-       -                         -                    Vpc
//   ec2.subnet   subnet-    VPC id                    -                    Subnet
//   ec2.rtb      rtb-       VPC id                    -                    RouteTable
//   ec2.igw      igw-       attached VPC id, or none  -                    InternetGateway
//   ec2.eip      eipalloc-  VPC of its ENI, or none   ENI id when assoc.   Address
//   ec2.nat      nat-       VPC id                    subnet id            NatGateway
//   ec2.acl      acl-       VPC id                    -                    NetworkAcl
//   ec2.sg       sg-        VPC id                    -                    SecurityGroup
//   ec2.sgr      sgr-       VPC id                    security group id    SecurityGroupRule
//   ec2.dopt     dopt-      -                         -                    DhcpOptions
//   ec2.eni      eni-       VPC id                    subnet id            NetworkInterface
//   ec2.vpce     vpce-      VPC id                    -                    VpcEndpoint
//   ec2.fl       fl-        VPC id of its resource    resource id          FlowLog
//   ec2.pl       pl-        -                         -                    ManagedPrefixList
//   ec2.meta     (fixed)    -                         -                    region singletons
//
// Internal members kept so far:
//   ec2.vpc     _EnableDnsSupport, _EnableDnsHostnames, _EnableNetworkAddressUsageMetrics
//               (booleans, DescribeVpcAttribute), _MainRouteTableId, _DefaultNetworkAclId,
//               _DefaultSecurityGroupId (the objects CreateVpc made and DeleteVpc removes).
//   ec2.subnet  _UsedIps: {"a.b.c.d": "holder id"} the private addresses ENIs hold (see
//               ec2_subnet_take_ip); AvailableIpAddressCount is kept equal to
//               cidr_ec2_usable - |_UsedIps|. _NetworkAclAssociationId: its association with
//               the network ACL that holds it (the default ACL until ReplaceNetworkAclAssociation).
//   ec2.meta    id "default-vpc" {"VpcId"}, id "default-dopt" {"DhcpOptionsId"}: the region's
//               default VPC and the default DHCP options set created on demand.
// The security group of a VPC keeps its rules twice: aggregated in IpPermissions /
// IpPermissionsEgress of the SecurityGroup document (DescribeSecurityGroups) and one ec2.sgr
// object per rule (DescribeSecurityGroupRules), both written by the same transaction.
//
// TRANSACTIONS. A handler runs inside ec2_run (one store transaction; a failure or a denial rolls
// everything back). All functions here that read or write the store join the caller's
// transaction and leave c->err set when they return -1.
#ifndef SAGEBOX_EC2_COMMON_H
#define SAGEBOX_EC2_COMMON_H

#include "core/cidr.h"
#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>

#define EC2_KIND_VPC    "ec2.vpc"
#define EC2_KIND_SUBNET "ec2.subnet"
#define EC2_KIND_RTB    "ec2.rtb"
#define EC2_KIND_IGW    "ec2.igw"
#define EC2_KIND_EIP    "ec2.eip"
#define EC2_KIND_NAT    "ec2.nat"
#define EC2_KIND_ACL    "ec2.acl"
#define EC2_KIND_SG     "ec2.sg"
#define EC2_KIND_SGR    "ec2.sgr"
#define EC2_KIND_DOPT   "ec2.dopt"
#define EC2_KIND_ENI    "ec2.eni"
#define EC2_KIND_VPCE   "ec2.vpce"
#define EC2_KIND_FL     "ec2.fl"
#define EC2_KIND_PL     "ec2.pl"
#define EC2_KIND_META   "ec2.meta"

// Longest EC2 id we make: "vpc-cidr-assoc-" + 17 hex digits and the NUL, with room to spare.
#define EC2_ID_MAX 48

// Tags per resource (Amazon EC2 User Guide, "Tag restrictions": 50 user tags, keys up to 127
// and values up to 255 Unicode characters, the aws: prefix reserved).
#define EC2_TAGS_MAX          50
#define EC2_TAG_KEY_MAX       127
#define EC2_TAG_VALUE_MAX     255
#define EC2_FILTER_VALUES_MAX 200

// ---- Resource kinds ---------------------------------------------------------------------------

// One EC2 resource kind: how its ids, ARNs, tags and errors look. The table (ec2_kinds) is the
// one place that knows AWS's spellings, which are not derivable from each other
// (InvalidVpcID.Malformed but InvalidGroupId.Malformed; errors-overview.html of the EC2 API
// Reference lists each code).
struct ec2_kind {
    const char *prefix;         // id prefix without the dash: "vpc", "eipalloc"
    const char *kind;           // store kind: "ec2.vpc"
    const char *type;           // ARN resource type, also TagSpecification/TagDescription
                                // ResourceType: "vpc", "route-table", "natgateway"
    const char *id_member;      // the document member holding the id: "VpcId"
    const char *not_found_code; // "InvalidVpcID.NotFound"
    const char *not_found_fmt;  // message with one %s for the id: "The vpc ID '%s' does not exist"
    const char *malformed_code; // "InvalidVpcID.Malformed"; NULL where AWS documents none (then a
                                // malformed id is simply not found)
    bool vpc_scoped;            // parent is always the VPC id
    bool tags_always;           // Describe shows "Tags": [] even when empty (else omitted)
};

extern const struct ec2_kind ec2_kinds[];
extern const size_t ec2_kind_count;

// The region singletons (kind ec2.meta, ids "default-vpc" and "default-dopt"); not a resource, so
// not among ec2_kinds.
extern const struct ec2_kind ec2_meta_kind;

// Returns the kind whose id prefix starts id ("vpc-0a1b..." -> vpc; "sgr-..." -> sgr, not sg),
// or NULL when no kind uses the prefix. Only the prefix is looked at.
const struct ec2_kind *ec2_kind_of_id(const char *id);

// Returns the kind stored as kind ("ec2.vpc"), or NULL.
const struct ec2_kind *ec2_kind_by_store(const char *kind);

// Returns the kind whose ARN/tag resource type is type ("route-table"), or NULL.
const struct ec2_kind *ec2_kind_by_type(const char *type);

// ---- Ids, ARNs and small helpers --------------------------------------------------------------

// A new id: prefix, '-' and 17 random lowercase hex digits (EC2's long ids), in the arena. prefix
// may be any id-like prefix, also of things that are not resources ("vpc-cidr-assoc", "rtbassoc",
// "aclassoc", "subnet-cidr-assoc").
const char *ec2_new_id(struct svc_call *c, const char *prefix);

// True when id is prefix, '-' and 8 or 17 lowercase hex digits: the short ids EC2 issued until
// 2018 and the long ones it issues now (the forms AWS's .Malformed messages describe).
bool ec2_id_wellformed(const char *id, const char *prefix);

// Builds "arn:PARTITION:ec2:REGION:ACCOUNT:TYPE/ID" in the arena; id "*" gives the ARN AWS
// authorizes a resource that is being created with (".../vpc/*").
const char *ec2_arn(struct svc_call *c, const char *type, const char *id);

// printf into the request's arena.
const char *ec2_fmt(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// A string member of the request, or NULL when absent.
const char *ec2_in_str(const struct svc_call *c, const char *member);

// A boolean member of the request: *present tells whether it was given (present may be NULL).
bool ec2_in_bool(const struct svc_call *c, const char *member, bool *present);

// The value of an AttributeBooleanValue member ({"Value": bool}) of the request: returns 1 or 0,
// or -1 when the member (or its Value) is absent.
int ec2_in_attr_bool(const struct svc_call *c, const char *member);

// A string member of a document, or NULL.
const char *ec2_str(const json_t *doc, const char *member);

// Returns a new reference to a copy of doc without its internal ('_') top-level members.
json_t *ec2_doc_public(const json_t *doc);

// The current time as the ISO 8601 string EC2 timestamps are kept in ("...T07:11:28.000Z").
const char *ec2_now_iso(struct svc_call *c);

// Parses text as an IPv4 CIDR block as EC2 takes one in a request ("a.b.c.d/n"); host bits are
// cleared ("10.0.0.1/16" is 10.0.0.0/16), as EC2 does. Anything else is 400 InvalidParameterValue
// "Value (TEXT) for parameter PARAM is invalid. This is not a valid CIDR block." (param as on the
// wire: "cidrBlock"). Returns 0 or -1 with c->err set.
int ec2_parse_cidr_v4(struct svc_call *c, const char *text, const char *param, struct cidr *out);

// The canonical text of block b ("10.0.0.0/16"), in the arena.
const char *ec2_cidr_text(struct svc_call *c, const struct cidr *b);

// ---- Errors (EC2 error format: Response/Errors/Error, HTTP 400 for client errors) ------------
// Each fills c->err and returns -1, so that a handler can `return ec2_err_...(...)`.

// Any error: status, code, printf message.
int ec2_err(struct svc_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// 400 InvalidParameterValue with the message given.
int ec2_err_value(struct svc_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// 400 InvalidParameterCombination with the message given.
int ec2_err_combination(struct svc_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// 400 MissingParameter "The request must contain the parameter NAME" (name as on the wire,
// e.g. "cidrBlock").
int ec2_err_missing(struct svc_call *c, const char *name);

// The kind's NotFound error for id ("InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist").
int ec2_err_not_found(struct svc_call *c, const struct ec2_kind *k, const char *id);

// The kind's Malformed error: `Invalid id: "ID" (expecting "PREFIX-...")` (the wording of real
// EC2 answers, e.g. InvalidGroupId.Malformed in hashicorp/terraform-provider-aws#6104).
int ec2_err_malformed(struct svc_call *c, const struct ec2_kind *k, const char *id);

// 400 DependencyViolation "The NOUN 'ID' has dependencies and cannot be deleted." (noun "vpc",
// "subnet"; the VPC wording is AWS's, e.g. pulumi-zephyr/zephyr-app#9).
int ec2_err_dependency(struct svc_call *c, const char *noun, const char *id);

// Maps a failed store call to 500 InternalError "An internal error has occurred" (EC2's server
// error); the store's detail goes to the log only.
int ec2_store_error(struct svc_call *c, int rc, const struct store_err *e);

// ---- Store access ------------------------------------------------------------------------------

// The store scope of an EC2 kind in the caller's account and the call's region.
struct store_scope ec2_scope(const struct svc_call *c, const char *kind);

// Reads the object id of kind k. Returns 0 with *doc (a new reference; NULL allowed to only test
// existence) and, when obj is not NULL, the stored object (strings in the arena); returns
// SB_ENOTFOUND (c->err untouched) when absent; -1 with c->err set on store failure.
int ec2_get(struct svc_call *c, const struct ec2_kind *k, const char *id, struct store_obj *obj,
            json_t **doc);

// Like ec2_get for an id of any kind (told by its prefix); *k is set to that kind. Returns
// SB_ENOTFOUND also for a prefix no kind uses.
int ec2_get_any(struct svc_call *c, const char *id, const struct ec2_kind **k,
                struct store_obj *obj, json_t **doc);

// Loads the object a request names: checks the id's form (the kind's Malformed error), reads it,
// and when it does not exist answers the kind's NotFound error, after first deciding action
// (when not NULL) on the ARN the id would have, so that a caller without permission learns
// nothing. Returns 0 with *doc (a new reference) and optionally *obj, or -1 with c->err set.
int ec2_load(struct svc_call *c, const struct ec2_kind *k, const char *id, const char *action,
             struct store_obj *obj, json_t **doc);

// Writes doc (serialized compactly) as object id of kind k with the given parent and path
// (either may be NULL) and mode. Returns 0, or -1 with c->err set (500; an SB_EEXISTS on
// STORE_CREATE is a collision of random ids and also 500).
int ec2_put(struct svc_call *c, const struct ec2_kind *k, const char *id, const char *parent,
            const char *path, const json_t *doc, enum store_put_mode mode);

// Replaces the document of an existing object, keeping its parent and path (obj is what ec2_get
// returned for it). Returns 0 or -1 with c->err set.
int ec2_replace(struct svc_call *c, const struct ec2_kind *k, const struct store_obj *obj,
                const json_t *doc);

// Deletes object id of kind k; an absent object is not an error. Returns 0 or -1.
int ec2_delete(struct svc_call *c, const struct ec2_kind *k, const char *id);

// Reads every object of kind k whose parent is parent (NULL: any) and whose path is path (NULL:
// any) into an arena array, through all the store's pages. Returns 0 or -1.
int ec2_list_all(struct svc_call *c, const struct ec2_kind *k, const char *parent, const char *path,
                 struct store_obj **items, size_t *count);

// Tells whether at least one object of kind k has the parent (NULL: any) and path (NULL: any).
// Returns 1, 0, or -1 with c->err set.
int ec2_any_child(struct svc_call *c, const struct ec2_kind *k, const char *parent,
                  const char *path);

// Parses a stored document; returns a new reference, or NULL with c->err set (500).
json_t *ec2_parse(struct svc_call *c, const struct store_obj *obj);

// Runs body inside one store transaction (read-write when write, else read-only): commits when
// body returns 0, rolls back (and drops c->out) otherwise. Returns body's result, or -1 when the
// transaction cannot begin or commit.
int ec2_run(struct svc_call *c, bool write, svc_handler_fn body);

// Declares handler NAME running NAME_body in ec2_run: EC2_OPERATION(create_vpc, true).
#define EC2_OPERATION(name, write)                                                                 \
    static int name(struct svc_call *c)                                                            \
    {                                                                                              \
        return ec2_run(c, write, name##_body);                                                     \
    }

// ---- Authorization and DryRun ------------------------------------------------------------------

#define EC2_RES_KEYS_MAX 4

// One resource an action is decided on, with what its condition keys are made from (Service
// Authorization Reference, "Actions, resources, and condition keys for Amazon EC2"; every EC2
// action supports ec2:Region).
struct ec2_res {
    const char *arn;            // the resource's ARN (".../TYPE/*" for one being created), or "*"
    const json_t *doc;          // an existing resource's document: its Tags give
                                // aws:ResourceTag/K and ec2:ResourceTag/K; NULL otherwise
    const char *vpc_id;         // ec2:Vpc (as the VPC's ARN) of a resource inside a VPC; NULL for
                                // the VPC itself and for resources outside VPCs
    const json_t *request_tags; // the tags the request puts on this resource ([{Key,Value}]):
                                // aws:RequestTag/K and aws:TagKeys, and the extra ec2:CreateTags
                                // decision with ec2:CreateAction that tag-on-create needs
                                // ("Grant permission to tag resources during creation"); NULL none
    const char *keys[2 * EC2_RES_KEYS_MAX + 1]; // more keys of this resource: name, value, ...,
                                                // NULL (e.g. "ec2:Tenancy", "default")
    const char *resource_account; // the account the decision treats as the resource's owner;
                                  // NULL: the ARN's account. AWS-owned resources whose ARN names
                                  // the account "aws" (AWS-managed prefix lists) pass the
                                  // caller's, so that identity policies alone decide
};

// Decides action ("ec2:CreateSubnet") on each resource, with that resource's condition keys in the
// context only while it is decided, then the ec2:CreateTags decisions of resources with
// request_tags (not for ec2:CreateTags and ec2:DeleteTags themselves, whose request tags are
// their own keys), then applies DryRun: when every decision allowed and the request has
// DryRun=true, fails with 412 DryRunOperation "Request would have succeeded, but DryRun flag is
// set.". A denial is 403 UnauthorizedOperation with the engine's wording (svc_access_denied).
// Returns 0 when the handler may go on, -1 with c->err set otherwise.
int ec2_authorize(struct svc_call *c, const char *action, const struct ec2_res *res, size_t n);

// True when the request carries DryRun=true.
bool ec2_dry_run(const struct svc_call *c);

// ---- Filters -----------------------------------------------------------------------------------

// A custom matcher for a filter whose value is not one path of the document: returns true when
// any of values[0..count) matches doc (use ec2_filter_value_match for EC2's wildcards).
typedef bool (*ec2_filter_match_fn)(const json_t *doc, const char *const *values, size_t count);

// One filter name a Describe* documents. path names the document's value: member names joined
// by '.', each array on the way traversed element by element ("CidrBlockAssociationSet.CidrBlock"
// matches when any association's block matches); strings compare as written, booleans as
// "true"/"false", integers in decimal. match replaces path when set. The table ends with
// {NULL, NULL, NULL}; tag:KEY, tag-key and tag-value are understood for every table.
struct ec2_filter_def {
    const char *name;
    const char *path;
    ec2_filter_match_fn match;
};

struct ec2_filter_set;

// Compiles the request's Filters list ([{Name, Values}], may be NULL) against defs into *out (in
// arena a). Errors, in err: an unknown name is 400 InvalidParameterValue "The filter 'NAME' is
// invalid"; more than EC2_FILTER_VALUES_MAX values in all is 400 FilterLimitExceeded. Returns 0
// or -1.
int ec2_filters_compile(struct arena *a, struct awserr *err, const struct ec2_filter_def *defs,
                        const json_t *filters, struct ec2_filter_set **out);

// True when doc passes every filter of fs: filters are AND'ed, the values of one filter OR'ed. A
// filter with no values matches nothing. fs NULL or empty matches everything.
bool ec2_filters_match(const struct ec2_filter_set *fs, const json_t *doc);

// EC2's filter value matching: '*' any run of characters, '?' one character, '\' makes the next
// character literal; case-sensitive.
bool ec2_filter_value_match(const char *pattern, const char *text);

// True when any of values[0..count) matches text (ec2_filter_value_match).
bool ec2_filter_any(const char *const *values, size_t count, const char *text);

// ---- Describe* and pagination -----------------------------------------------------------------

// What a Describe* of stored documents needs to know.
struct ec2_describe_spec {
    const struct ec2_kind *kind;
    const char *ids_member; // request member with explicit ids ("VpcIds"), NULL if none
    const char *ids_wire;   // its name in EC2's InvalidParameterCombination message ("vpcSet")
    const char *out_member; // output list member ("Vpcs")
    const struct ec2_filter_def *filters;
    bool paged; // the operation has MaxResults/NextToken
    // Optional: adjusts a document (a private copy) before it is filtered and returned, e.g. to
    // compute a member. Returns 0 or -1 with c->err set.
    int (*prepare)(struct svc_call *c, json_t *doc);
    // Optional: filters answered from the store's indexes. When the request has the filter named
    // parent_filter with exactly one value and no wildcard, only objects whose store parent is
    // that value are read (e.g. "vpc-id" for VPC-scoped kinds); path_filter likewise narrows by
    // the store path ("subnet-id" for ENIs). The filter is still applied to each document, so
    // the answer is the same; only the number of objects read changes, which keeps Describe*
    // flat as an account grows.
    const char *parent_filter;
    const char *path_filter;
};

// Answers a Describe* from the store: validates Filters, the ids (each id's form first, then
// MaxResults together with ids is 400 InvalidParameterCombination "The parameter IDS_WIRE cannot
// be used with the parameter maxResults"), NextToken; decides "ec2:<Operation>" on "*" (Describe
// actions have no resource-level permissions) with DryRun; then reads the named ids (the first
// missing one is the kind's NotFound error) or pages through the kind in id order, keeping what
// the filters let through until MaxResults documents are found, and sets c->out to
// {out_member: [...], "NextToken": ...}. Returns 0 or -1 with c->err set.
int ec2_describe(struct svc_call *c, const struct ec2_describe_spec *spec);

// Reads MaxResults of a paged Describe*: 0 when absent. The model bounds it (5..1000 where the
// model says so).
int ec2_max_results(const struct svc_call *c);

// NextToken: an opaque text naming the last id returned. ec2_token_make builds it (in the arena)
// for kind tag tag ("vpc", "tags") and id; ec2_token_read checks a request's token, answering an
// invalid one with 400 InvalidParameterValue "Value ( TOKEN ) for parameter NextToken is invalid.
// The token is invalid." (real EC2, boto/boto3#2673), and stores the id in *id (NULL when the
// request has none). Returns 0 or -1.
const char *ec2_token_make(struct svc_call *c, const char *tag, const char *id);
int ec2_token_read(struct svc_call *c, const char *tag, const char **id);

// ---- Tags --------------------------------------------------------------------------------------

// Validates a list of tags a request sets ([{Key, Value}]), as EC2 does: keys 1..127 and values
// 0..255 characters, keys not starting with "aws:" (400 InvalidParameterValue "Tag keys starting
// with 'aws:' are reserved for internal use"). Returns 0 or -1 with c->err set.
int ec2_tags_check(struct svc_call *c, const json_t *tags);

// Reads the request's TagSpecifications for a resource of type type ("vpc"): every
// specification must name that type (else 400 InvalidParameterValue "'X' is not a valid taggable
// resource type for this operation."), tags are validated (ec2_tags_check), a later key replaces
// an earlier one, and more than EC2_TAGS_MAX is 400 TagLimitExceeded. Stores a new reference to
// the merged list in *tags, or NULL when the request has no TagSpecifications. Returns 0 or -1.
int ec2_tag_specs(struct svc_call *c, const char *type, json_t **tags);

// Sets tags ([{Key, Value}], a missing Value is "") on doc's "Tags", replacing the values of keys
// it has; an empty result is removed unless the kind shows empty lists (tags_always). Returns 0,
// or -1 with 400 TagLimitExceeded "The maximum number of Tags for a resource has been reached."
// when the resource would hold more than EC2_TAGS_MAX.
int ec2_tags_apply(struct svc_call *c, const struct ec2_kind *k, json_t *doc, const json_t *tags);

// Removes tags from doc's "Tags" as DeleteTags does: a tag given with a Value is removed only when
// the values are equal, one without a Value whatever its value; tags NULL removes them all.
void ec2_tags_remove(const struct ec2_kind *k, json_t *doc, const json_t *tags);

// The initial "Tags" member of a new document of kind k from tags (may be NULL).
void ec2_tags_init(const struct ec2_kind *k, json_t *doc, const json_t *tags);

// ---- The resource graph of one VPC -------------------------------------------------------------

// One resource of the graph: its kind, id, parent and path as stored, and its document.
struct ec2_node {
    const struct ec2_kind *kind;
    const char *id;
    const char *parent;
    const char *path;
    json_t *doc; // owned by the graph
};

// Every resource of one VPC, loaded in one go for questions that walk it (which route a packet
// takes, which rules let it through, which endpoint serves a name). Nodes are sorted by id.
struct ec2_graph {
    const char *vpc_id;
    const struct ec2_node *vpc; // the VPC itself (also among nodes)
    struct ec2_node *nodes;     // in the request's arena
    size_t count;
};

// Loads the VPC vpc_id and every object whose parent is that VPC (each VPC-scoped kind, the
// attached internet gateways and associated Elastic IPs), plus its DHCP options set. Returns 0
// with *g filled, SB_ENOTFOUND (c->err untouched) when the VPC does not exist, or -1 with c->err
// set. Release it with ec2_graph_release.
int ec2_graph_load(struct svc_call *c, const char *vpc_id, struct ec2_graph *g);

// The node with id, or NULL (binary search).
const struct ec2_node *ec2_graph_find(const struct ec2_graph *g, const char *id);

// The nodes of store kind kind ("ec2.subnet"), and, when path is not NULL, only those whose path
// is path (the ENIs of a subnet, the rules of a security group). Stores an arena array of
// pointers in *out and returns their number.
size_t ec2_graph_select(struct svc_call *c, const struct ec2_graph *g, const char *kind,
                        const char *path, const struct ec2_node ***out);

// Drops the graph's documents. g may have been filled partly; calling it twice is harmless.
void ec2_graph_release(struct ec2_graph *g);

// ---- Shared by the resource families (implemented in the file named) ---------------------------

// zones.c: an Availability Zone of a commercial region.
struct ec2_zone {
    const char *name; // "us-east-1a"
    const char *id;   // "use1-az1"
};

// zones.c: the zones of region (sagebox's fixed name -> id mapping; AWS maps names to zone ids
// differently per account). Stores the array in *zones and returns its length (0 for a region
// sagebox does not know).
size_t ec2_region_zones(const char *region, const struct ec2_zone **zones);

// zones.c: the zone of region named name, or with zone id id (pass one of them). NULL when none.
const struct ec2_zone *ec2_zone_find(const char *region, const char *name, const char *id);

// dhcp.c: the region's default DHCP options set (domain-name ec2.internal in us-east-1,
// REGION.compute.internal elsewhere; domain-name-servers AmazonProvidedDNS), created on first use
// and recorded in ec2.meta. Stores its id in *id (arena). Returns 0 or -1.
int ec2_default_dhcp_options(struct svc_call *c, const char **id);

// subnets.c: takes a private IPv4 address of subnet subnet_id for holder_id (an ENI id): the
// address requested (NULL: the lowest free one, as EC2 hands them out). Updates the subnet's
// _UsedIps and AvailableIpAddressCount inside the caller's transaction and writes the address
// (dotted quad) to out[0..cap). Errors: the subnet's NotFound; 400 InvalidParameterValue for an
// address outside the subnet or among its five reserved ones; 400 InvalidIPAddress.InUse for one
// already held; 400 InsufficientFreeAddressesInSubnet "The specified subnet does not have enough
// free addresses to satisfy the request." when it is full. Returns 0 or -1 with c->err set.
int ec2_subnet_take_ip(struct svc_call *c, const char *subnet_id, const char *requested_ip,
                       const char *holder_id, char *out, size_t cap);

// subnets.c: gives address ip of subnet subnet_id back (nothing happens when it is not held).
// Returns 0 or -1 with c->err set.
int ec2_subnet_release_ip(struct svc_call *c, const char *subnet_id, const char *ip);

// vpcs.c: the IPv4 blocks associated with VPC document vpc (CidrBlockAssociationSet entries in
// state "associated"), at most cap of them into out. Returns how many.
size_t ec2_vpc_blocks(const json_t *vpc, struct cidr *out, size_t cap);

// subnets.c: creates a subnet of VPC vpc (its document) with block in zone: builds the Subnet
// document (AvailableIpAddressCount of an empty subnet, DefaultForAz and MapPublicIpOnLaunch as
// default_for_az, tags from tags), associates it with the VPC's default network ACL, and stores
// both. Checks nothing: callers validate block and zone first. Stores a new reference to the
// document in *out when out is not NULL. Returns 0 or -1 with c->err set.
int ec2_subnet_create(struct svc_call *c, const json_t *vpc, const struct cidr *block,
                      const struct ec2_zone *zone, bool default_for_az, const json_t *tags,
                      json_t **out);

// vpcs.c: builds and stores what every new VPC gets (main route table with a local route per
// CIDR block, default network ACL, default security group and its two rules), recording their
// ids in the VPC document's internal members. vpc is the VPC's document (modified, not stored
// here). Returns 0 or -1.
int ec2_vpc_create_defaults(struct svc_call *c, json_t *vpc);

#endif
