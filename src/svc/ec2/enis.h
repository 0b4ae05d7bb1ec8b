// SPDX-License-Identifier: Apache-2.0
// Elastic network interfaces as other code creates them: the ENIs a NAT gateway, an interface VPC
// endpoint, and (in later issues) Studio apps, training jobs and EFS mount targets put into a
// subnet. Each takes its private address from the subnet (ec2_subnet_take_ip), so a subnet that
// runs out refuses them with AWS's error. The EC2 API of ENIs (CreateNetworkInterface,
// DescribeNetworkInterfaces, ...) is in enis.c. These functions do not authorize: the caller has
// authorized its own action (ec2:CreateNatGateway, ec2:CreateVpcEndpoint, sagemaker:CreateApp ...).
// Both join the caller's store transaction.
#ifndef SAGEBOX_EC2_ENIS_H
#define SAGEBOX_EC2_ENIS_H

#include "svc/svc.h"

#include <stdbool.h>
#include <stddef.h>

struct ec2_eni_spec {
    const char *subnet_id;        // required
    const char *description;      // NetworkInterface.Description ("" when NULL)
    const char *interface_type;   // NetworkInterface.InterfaceType: "interface", "nat_gateway",
                                  // "vpc_endpoint", "efs" ... (NULL: "interface")
    bool requester_managed;       // NetworkInterface.RequesterManaged
    const char *requester_id;     // NetworkInterface.RequesterId when requester-managed (e.g.
                                  // "amazon-elb", or an AWS account id); NULL for none
    const char *const *group_ids; // security groups of the ENI's VPC; none: the VPC's default
    size_t group_count;           // group (as CreateNetworkInterface does without Groups)
    bool no_groups;               // no security group at all (the ENI of a NAT gateway has none)
    const char *private_ip;       // NULL: the lowest free address of the subnet
    const json_t *tags;           // TagSet [{Key, Value}] or NULL
    const char *owner_resource;   // the id of the resource the ENI serves (nat-..., vpce-...),
                                  // kept as the internal member _Owner; NULL for none
};

// Creates an ENI as spec says (status "in-use" when owner_resource is set, else "available"),
// taking its private address from the subnet. Stores its id in *eni_id and its private address
// in *private_ip (both in the arena; either pointer may be NULL). Errors: InvalidSubnetID.NotFound,
// InvalidGroupId.Malformed / InvalidGroup.NotFound for a bad or unknown security group,
// InvalidParameter for a group of another VPC, SecurityGroupsPerInterfaceLimitExceeded beyond 5
// groups, and the address errors of ec2_subnet_take_ip (InsufficientFreeAddressesInSubnet when
// the subnet is full). Returns 0 or -1 with c->err set.
int ec2_eni_create(struct svc_call *c, const struct ec2_eni_spec *spec, const char **eni_id,
                   const char **private_ip);

// Deletes an ENI that ec2_eni_create made, releasing every address it holds in its subnet.
// Returns 0 (also when it is already gone) or -1 with c->err set.
int ec2_eni_delete(struct svc_call *c, const char *eni_id);

// Replaces the security groups of an ENI (a VPC endpoint's, when ModifyVpcEndpoint changes its
// groups) with group_ids[0..group_count), checked as ec2_eni_create checks them. Returns 0 or -1
// with c->err set (the ENI's NotFound when it does not exist); nothing changes on failure.
int ec2_eni_set_groups(struct svc_call *c, const char *eni_id, const char *const *group_ids,
                       size_t group_count);

#endif
