// SPDX-License-Identifier: Apache-2.0
// The EC2 service's shared code, part 3 (see ec2_common.h): the resource graph of one VPC. The
// store layout makes it cheap: every resource inside a VPC has the VPC's id as its store parent,
// so one listing per kind by parent loads the whole network of a VPC (subnets, route tables,
// ACLs, security groups and their rules, ENIs, endpoints, NAT gateways, flow logs, attached
// internet gateways, associated Elastic IPs), and each node keeps the store path that ties it to
// its other owner (an ENI's subnet, a rule's security group).
#include "svc/ec2/ec2_common.h"

#include <stdlib.h>
#include <string.h>

struct grow {
    struct ec2_node *items;
    size_t count;
    size_t cap;
};

static struct ec2_node *grow_add(struct svc_call *c, struct grow *g)
{
    if (g->count == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 32;
        struct ec2_node *n = arena_alloc(c->arena, ncap * sizeof(*n));
        if (g->count > 0) {
            memcpy(n, g->items, g->count * sizeof(*n));
        }
        g->items = n;
        g->cap = ncap;
    }
    struct ec2_node *n = &g->items[g->count++];
    memset(n, 0, sizeof(*n));
    return n;
}

static int node_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ec2_node *)a)->id, ((const struct ec2_node *)b)->id);
}

// Adds obj (of kind k) to the graph with its parsed document.
static int add_obj(struct svc_call *c, struct grow *g, const struct ec2_kind *k,
                   const struct store_obj *obj)
{
    json_t *doc = ec2_parse(c, obj);
    if (doc == NULL) {
        return -1;
    }
    struct ec2_node *n = grow_add(c, g);
    n->kind = k;
    n->id = obj->id;
    n->parent = obj->parent;
    n->path = obj->path;
    n->doc = doc;
    return 0;
}

// Loads a VPC's graph; see ec2_common.h.
int ec2_graph_load(struct svc_call *c, const char *vpc_id, struct ec2_graph *g)
{
    memset(g, 0, sizeof(*g));
    struct grow nodes = {0};
    const struct ec2_kind *vk = ec2_kind_by_store(EC2_KIND_VPC);
    struct store_obj vobj;
    int rc = ec2_get(c, vk, vpc_id, &vobj, NULL);
    if (rc != 0) {
        return rc;
    }
    if (add_obj(c, &nodes, vk, &vobj) != 0) {
        goto fail;
    }
    for (size_t i = 0; i < ec2_kind_count; i++) {
        const struct ec2_kind *k = &ec2_kinds[i];
        bool child = k->vpc_scoped || strcmp(k->kind, EC2_KIND_IGW) == 0 ||
                     strcmp(k->kind, EC2_KIND_EIP) == 0;
        if (!child) {
            continue;
        }
        struct store_obj *items;
        size_t count;
        if (ec2_list_all(c, k, vpc_id, NULL, &items, &count) != 0) {
            goto fail;
        }
        for (size_t j = 0; j < count; j++) {
            if (add_obj(c, &nodes, k, &items[j]) != 0) {
                goto fail;
            }
        }
    }
    const char *dopt = ec2_str(nodes.items[0].doc, "DhcpOptionsId");
    const struct ec2_kind *dk = ec2_kind_by_store(EC2_KIND_DOPT);
    if (dopt != NULL && ec2_id_wellformed(dopt, dk->prefix)) {
        struct store_obj dobj;
        rc = ec2_get(c, dk, dopt, &dobj, NULL);
        if (rc == 0 && add_obj(c, &nodes, dk, &dobj) != 0) {
            goto fail;
        }
        if (rc != 0 && rc != SB_ENOTFOUND) {
            goto fail;
        }
    }
    qsort(nodes.items, nodes.count, sizeof(*nodes.items), node_cmp);
    g->vpc_id = vobj.id;
    g->nodes = nodes.items;
    g->count = nodes.count;
    g->vpc = ec2_graph_find(g, vpc_id);
    return 0;
fail:
    g->nodes = nodes.items;
    g->count = nodes.count;
    ec2_graph_release(g);
    return -1;
}

// Finds a node by id; see ec2_common.h.
const struct ec2_node *ec2_graph_find(const struct ec2_graph *g, const char *id)
{
    size_t lo = 0;
    size_t hi = g->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(g->nodes[mid].id, id);
        if (cmp == 0) {
            return &g->nodes[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

// Selects nodes by kind and path; see ec2_common.h.
size_t ec2_graph_select(struct svc_call *c, const struct ec2_graph *g, const char *kind,
                        const char *path, const struct ec2_node ***out)
{
    size_t n = 0;
    const struct ec2_node **sel = arena_calloc(c->arena, g->count + 1, sizeof(*sel));
    for (size_t i = 0; i < g->count; i++) {
        const struct ec2_node *node = &g->nodes[i];
        if (strcmp(node->kind->kind, kind) != 0) {
            continue;
        }
        if (path != NULL && (node->path == NULL || strcmp(node->path, path) != 0)) {
            continue;
        }
        sel[n++] = node;
    }
    *out = sel;
    return n;
}

// Releases a graph; see ec2_common.h.
void ec2_graph_release(struct ec2_graph *g)
{
    for (size_t i = 0; i < g->count; i++) {
        json_decref(g->nodes[i].doc);
        g->nodes[i].doc = NULL;
    }
    g->count = 0;
    g->nodes = NULL;
    g->vpc = NULL;
}
