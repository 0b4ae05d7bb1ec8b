// SPDX-License-Identifier: Apache-2.0
// Elastic IP addresses as the other EC2 families use them: the association of an address with a
// private address of a network interface (the NAT gateway of gateways.c associates its address with
// its own interface), its removal, and the question DetachInternetGateway asks ("has this VPC
// mapped public addresses?"). The EC2 API of addresses (AllocateAddress, DescribeAddresses,
// ReleaseAddress, AssociateAddress, DisassociateAddress) is in addresses.c. These functions do not
// authorize: the caller has decided its own action. They join the caller's store transaction.
#ifndef SAGEBOX_EC2_ADDRESSES_H
#define SAGEBOX_EC2_ADDRESSES_H

#include "svc/svc.h"

#include <stdbool.h>

// Associates Elastic IP allocation_id with private address private_ip (NULL: the interface's
// primary address) of network interface eni_id: the Address document gets AssociationId,
// NetworkInterfaceId, NetworkInterfaceOwnerId and PrivateIpAddress (and the ENI's VPC as store
// parent, the ENI as path), the NetworkInterface document the Association of that private address
// (IpOwnerId ip_owner: the account, or "amazon" for a service's interface). An address that is
// associated elsewhere is moved. Stores the new association id and the public address in
// *association_id and *public_ip (arena; either may be NULL). Errors: the allocation's and the
// interface's NotFound; 400 InvalidParameterValue for a private address the interface does not
// hold. Returns 0 or -1 with c->err set.
int ec2_address_attach(struct svc_call *c, const char *allocation_id, const char *eni_id,
                       const char *private_ip, const char *ip_owner, const char **association_id,
                       const char **public_ip);

// Removes the association of Elastic IP allocation_id (from the Address and from its interface,
// which may be gone already). Nothing happens when it is not associated or does not exist. Returns
// 0 or -1 with c->err set.
int ec2_address_detach(struct svc_call *c, const char *allocation_id);

// Tells whether VPC vpc_id has public addresses mapped: an associated Elastic IP or a network
// interface with a public address (DetachInternetGateway refuses to leave them without a gateway).
// Returns 1, 0, or -1 with c->err set.
int ec2_address_vpc_has_public(struct svc_call *c, const char *vpc_id);

#endif
