# SPDX-License-Identifier: Apache-2.0
# Internet gateways, Elastic IP addresses and NAT gateways through Debian's boto3 and AWS CLI v2
# against the real daemon: Create/Describe/Delete/Attach/DetachInternetGateway, Allocate/
# Describe/Release/Associate/DisassociateAddress, Create/Describe/DeleteNatGateway (pending, then
# available; deleting, then deleted; the failures EC2 reports in FailureCode), the routes that
# turn blackhole when a NAT gateway goes, the lab's step 8 (public subnets, an internet gateway,
# two Elastic IPs, two NAT gateways, a default route per private table to the NAT gateway of its
# zone), DryRun, and callers denied by IAM policies.
#
# Expected codes, statuses and messages are AWS's, each with its source:
#   - EC2 API Reference: each action's page, the NatGateway shape (failure codes and messages),
#     "Error codes for the Amazon EC2 API";
#   - Amazon VPC User Guide: "Elastic IP addresses" (5 per region), "NAT gateways";
#   - real EC2 answers quoted in public issues, cited next to the assertion that uses them.
# Where EC2's wording could not be found, the test says so and checks only the code and status.
import ipaddress
import json
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"
POOL = [ipaddress.ip_network("198.51.100.0/24"), ipaddress.ip_network("203.0.113.0/24")]


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def allow(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(actions, resource="*", condition=None, effect="Allow"):
    s = {"Effect": effect, "Action": actions, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


def make_user(client, name, policy):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("ec2", key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def arn(kind, rid):
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{rid}"


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def wait_for(fn, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def lab(ec2):
    """The lab VPC (192.168.0.0/16) with its private subnets 192.168.0.0/20 (us-east-1a) and
    192.168.16.0/20 (us-east-1b), each with its own route table."""
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    private, tables = [], []
    for cidr, az in (("192.168.0.0/20", "us-east-1a"), ("192.168.16.0/20", "us-east-1b")):
        s = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=s)
        private.append(s)
        tables.append(rt)
    return {"vpc": vpc, "private": private, "tables": tables}


def nat_of(ec2, nat_id):
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]


def route_to(ec2, rtb, dest):
    rt = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    found = [r for r in rt["Routes"] if r.get("DestinationCidrBlock") == dest]
    return found[0] if found else None


def in_pool(ip):
    return any(ipaddress.ip_address(ip) in net for net in POOL)


# ---- Internet gateways ---------------------------------------------------------------------------


def test_internet_gateways(ec2, lab):
    vpc = lab["vpc"]
    igw = ec2.create_internet_gateway(TagSpecifications=[
        {"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "lab-igw"}]}])[
        "InternetGateway"]
    gid = igw["InternetGatewayId"]
    assert gid.startswith("igw-") and len(gid) == 21
    assert igw["Attachments"] == [] and igw["OwnerId"] == ACCOUNT
    assert tags_of(igw) == {"Name": "lab-igw"}
    ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
    got = ec2.describe_internet_gateways(InternetGatewayIds=[gid])["InternetGateways"][0]
    # an attached internet gateway shows its attachment "available" (DescribeInternetGateways)
    assert got["Attachments"] == [{"State": "available", "VpcId": vpc}]

    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    spare = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]

    def refused(op, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            op(**kw)
        return err(e)

    # attached already (real EC2: berlioz-the/berlioz#1); the VPC has one (real EC2:
    # binlab/terraform-aws-vault-ha-raft#54)
    assert refused(ec2.attach_internet_gateway, InternetGatewayId=gid, VpcId=other) == (
        400, "Resource.AlreadyAssociated", f"resource {gid} is already attached to network {vpc}")
    assert refused(ec2.attach_internet_gateway, InternetGatewayId=spare, VpcId=vpc) == (
        400, "InvalidParameterValue", f"Network {vpc} already has an internet gateway attached")
    # delete while attached (real EC2: ernestio/ernest#333)
    assert refused(ec2.delete_internet_gateway, InternetGatewayId=gid) == (
        400, "DependencyViolation",
        f"The internetGateway '{gid}' has dependencies and cannot be deleted.")
    # detach from a VPC it is not attached to (the EC2 error list's code; wording not checked)
    assert refused(ec2.detach_internet_gateway, InternetGatewayId=spare, VpcId=vpc)[:2] == (
        400, "Gateway.NotAttached")
    # unknown and malformed ids (real EC2 wording: hashicorp/terraform-provider-aws#40788)
    assert refused(ec2.attach_internet_gateway, InternetGatewayId="igw-0000000000000000f",
                   VpcId=vpc) == (400, "InvalidInternetGatewayID.NotFound",
                                  "The internetGateway ID 'igw-0000000000000000f' does not exist")
    assert refused(ec2.delete_internet_gateway, InternetGatewayId="igw-x")[:2] == (
        400, "InvalidInternetGatewayId.Malformed")
    assert refused(ec2.attach_internet_gateway, InternetGatewayId=spare,
                   VpcId="vpc-0000000000000000f")[:2] == (400, "InvalidVpcID.NotFound")
    # DryRun changes nothing
    assert refused(ec2.detach_internet_gateway, InternetGatewayId=gid, VpcId=vpc,
                   DryRun=True)[:2] == (412, "DryRunOperation")
    assert refused(ec2.create_internet_gateway, DryRun=True)[:2] == (412, "DryRunOperation")

    # filters
    def f(name, *values):
        out = ec2.describe_internet_gateways(Filters=[{"Name": name, "Values": list(values)}])
        return sorted(g["InternetGatewayId"] for g in out["InternetGateways"])

    assert f("attachment.vpc-id", vpc) == [gid]
    assert f("attachment.state", "available") == [gid]
    assert f("internet-gateway-id", spare) == [spare]
    assert f("owner-id", ACCOUNT) == sorted([gid, spare])
    assert f("tag:Name", "lab-igw") == [gid]
    assert f("tag-key", "Name") == [gid]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_internet_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert err(e) == (400, "InvalidParameterValue", "The filter 'vpc-id' is invalid")
    page = ec2.describe_internet_gateways(MaxResults=5)
    assert len(page["InternetGateways"]) == 2 and "NextToken" not in page

    # DeleteVpc waits for the gateway; detach, then both go
    ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gid])["InternetGateways"][0][
        "Attachments"] == []
    assert f("attachment.vpc-id", vpc) == []
    ec2.attach_internet_gateway(InternetGatewayId=spare, VpcId=other)
    ec2.delete_internet_gateway(InternetGatewayId=gid)
    assert f("internet-gateway-id", gid) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=other)
    assert err(e)[1] == "DependencyViolation"
    ec2.detach_internet_gateway(InternetGatewayId=spare, VpcId=other)
    ec2.delete_vpc(VpcId=other)


def test_default_vpc_gateway(ec2):
    """CreateDefaultVpc's internet gateway is one of these: described attached, detachable, and its
    0.0.0.0/0 route in the main table turns blackhole when it is detached."""
    vpc = ec2.create_default_vpc()["Vpc"]["VpcId"]
    igw = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
    assert len(igw) == 1 and igw[0]["Attachments"] == [{"State": "available", "VpcId": vpc}]
    gid = igw[0]["InternetGatewayId"]
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    assert route_to(ec2, main, "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0",
                                                "GatewayId": gid, "Origin": "CreateRoute",
                                                "State": "active"}
    ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
    assert route_to(ec2, main, "0.0.0.0/0")["State"] == "blackhole"
    ec2.delete_internet_gateway(InternetGatewayId=gid)


# ---- Elastic IP addresses ------------------------------------------------------------------------


def test_addresses(ec2, lab):
    got = ec2.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "nat-a"}]}])
    alloc, ip = got["AllocationId"], got["PublicIp"]
    assert alloc.startswith("eipalloc-")
    assert in_pool(ip)  # sagebox's pool: the RFC 5737 documentation ranges, never routable
    assert got["Domain"] == "vpc" and got["PublicIpv4Pool"] == "amazon"
    assert got["NetworkBorderGroup"] == REGION
    more = [ec2.allocate_address()["AllocationId"] for _ in range(4)]
    # the sixth address of the region (real EC2: opstrace/opstrace#273)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.allocate_address(Domain="vpc")
    assert err(e) == (400, "AddressLimitExceeded",
                      "The maximum number of addresses has been reached.")
    addresses = ec2.describe_addresses()["Addresses"]
    assert len(addresses) == 5 and len({a["PublicIp"] for a in addresses}) == 5
    assert all(in_pool(a["PublicIp"]) for a in addresses)
    mine = [a for a in addresses if a["AllocationId"] == alloc][0]
    assert mine == {"PublicIp": ip, "AllocationId": alloc, "Domain": "vpc",
                    "PublicIpv4Pool": "amazon", "NetworkBorderGroup": REGION,
                    "Tags": [{"Key": "Name", "Value": "nat-a"}]}
    assert ec2.describe_addresses(AllocationIds=[alloc])["Addresses"] == [mine]
    assert ec2.describe_addresses(PublicIps=[ip])["Addresses"] == [mine]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_addresses(AllocationIds=["eipalloc-0000000000000000f"])
    # real EC2 wording: mitchellh/vagrant-aws#213, hashicorp/terraform#1815
    assert err(e) == (400, "InvalidAllocationID.NotFound",
                      "The allocation ID 'eipalloc-0000000000000000f' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_addresses(PublicIps=["192.0.2.1"])
    assert err(e)[:2] == (400, "InvalidAddress.NotFound")  # wording not checked against EC2

    # ReleaseAddress: both ids, or a VPC address by its public address (real EC2: fog/fog#879)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(AllocationId=alloc, PublicIp=ip)
    assert err(e) == (400, "InvalidParameterCombination",
                      "You may specify public IP or allocation id, but not both in the same call")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(PublicIp=ip)
    assert err(e) == (400, "InvalidParameterValue",
                      "You must specify an allocation id when releasing a VPC elastic IP address")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(AllocationId=more[0], DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    ec2.release_address(AllocationId=more[0])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(AllocationId=more[0])
    assert err(e)[:2] == (400, "InvalidAllocationID.NotFound")
    assert len(ec2.describe_addresses()["Addresses"]) == 4
    ec2.allocate_address()  # the quota has room again

    # EC2-Classic addresses are gone; other pools are not sagebox's
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.allocate_address(Domain="standard")
    assert err(e)[:2] == (400, "UnsupportedOperation")


def test_address_pool_across_accounts(make_daemon, tmp_path):
    """The pool is sagebox's, not an account's: an address one account holds is unavailable to
    every other account of the region until it is released (AllocateAddress with Address, the
    recovery of a specific address; its refusal is InvalidAddress.NotFound, the EC2 error list's
    code, with sagebox's wording). Two daemons with different root accounts share one store."""
    import boto3
    from botocore.config import Config

    def ec2_of(daemon, key, region=REGION):
        return boto3.client("ec2", endpoint_url=daemon.endpoint, region_name=region,
                            aws_access_key_id=key, aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    data = tmp_path / "shared"
    first = make_daemon(data_dir=data, extra_args=["--account-id", "111111111111"]).start()
    a = ec2_of(first, "test")
    held = a.allocate_address()
    released = a.allocate_address()
    a.release_address(AllocationId=released["AllocationId"])
    # the same account may recover the address it released
    again = a.allocate_address(Address=released["PublicIp"])
    assert again["PublicIp"] == released["PublicIp"]
    a.release_address(AllocationId=again["AllocationId"])
    first.stop()

    second = make_daemon(data_dir=data, extra_args=["--account-id", "222222222222"],
                         env={"SAGEBOX_ROOT_ACCESS_KEY_ID": "second"}).start()
    b = ec2_of(second, "second")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        b.allocate_address(Address=held["PublicIp"])
    assert err(e)[:2] == (400, "InvalidAddress.NotFound")
    # an address outside the pool is never handed out
    with pytest.raises(botocore.exceptions.ClientError) as e:
        b.allocate_address(Address="192.0.2.10")
    assert err(e)[:2] == (400, "InvalidAddress.NotFound")
    got = b.allocate_address(Address=released["PublicIp"])
    assert got["PublicIp"] == released["PublicIp"]
    ours = {b.allocate_address()["PublicIp"] for _ in range(4)} | {got["PublicIp"]}
    assert held["PublicIp"] not in ours and all(in_pool(ip) for ip in ours)
    # another region has its own pool and quota
    west = ec2_of(second, "second", "eu-west-1")
    west_ips = {west.allocate_address()["PublicIp"] for _ in range(5)}
    assert all(in_pool(ip) for ip in west_ips) and len(west_ips) == 5
    assert b.describe_addresses()["Addresses"] and len(b.describe_addresses()["Addresses"]) == 5
    second.stop()


def test_associate_addresses(ec2, lab):
    vpc, (a, b) = lab["vpc"], lab["private"]
    eni = ec2.create_network_interface(SubnetId=a, SecondaryPrivateIpAddressCount=1)[
        "NetworkInterface"]
    eni_id, primary = eni["NetworkInterfaceId"], eni["PrivateIpAddress"]
    secondary = [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"] if not p["Primary"]][0]
    alloc = ec2.allocate_address()
    # no internet gateway yet (real EC2: hashicorp/terraform-provider-aws#2181)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eni_id)
    assert err(e) == (400, "Gateway.NotAttached",
                      f"Network {vpc} is not attached to any internet gateway")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    assoc = ec2.associate_address(AllocationId=alloc["AllocationId"],
                                  NetworkInterfaceId=eni_id)["AssociationId"]
    assert assoc.startswith("eipassoc-")
    got = ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
    assert got["AssociationId"] == assoc and got["NetworkInterfaceId"] == eni_id
    assert got["PrivateIpAddress"] == primary and got["NetworkInterfaceOwnerId"] == ACCOUNT
    # the interface shows the association (NetworkInterfaceAssociation; public DNS names in
    # us-east-1 are ec2-a-b-c-d.compute-1.amazonaws.com)
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    dns = "ec2-" + alloc["PublicIp"].replace(".", "-") + ".compute-1.amazonaws.com"
    assert shown["Association"] == {"IpOwnerId": ACCOUNT, "PublicDnsName": dns,
                                    "PublicIp": alloc["PublicIp"],
                                    "AllocationId": alloc["AllocationId"],
                                    "AssociationId": assoc}
    prim = [p for p in shown["PrivateIpAddresses"] if p["Primary"]][0]
    assert prim["Association"]["PublicIp"] == alloc["PublicIp"]

    def f(name, *values):
        out = ec2.describe_addresses(Filters=[{"Name": name, "Values": list(values)}])
        return sorted(x["AllocationId"] for x in out["Addresses"])

    assert f("association-id", assoc) == [alloc["AllocationId"]]
    assert f("network-interface-id", eni_id) == [alloc["AllocationId"]]
    assert f("network-interface-owner-id", ACCOUNT) == [alloc["AllocationId"]]
    assert f("private-ip-address", primary) == [alloc["AllocationId"]]
    assert f("public-ip", alloc["PublicIp"]) == [alloc["AllocationId"]]
    assert f("allocation-id", alloc["AllocationId"]) == [alloc["AllocationId"]]
    assert f("domain", "vpc") == [alloc["AllocationId"]]
    assert f("instance-id", "i-*") == []

    # associated elsewhere: only with AllowReassociation (Resource.AlreadyAssociated, the EC2 error
    # list's code); a private address that has a public one (the wording is real EC2's,
    # aws-quickstart/quickstart-atlassian-confluence#14)
    other = ec2.create_network_interface(SubnetId=b)["NetworkInterface"]["NetworkInterfaceId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=other)
    assert err(e)[:2] == (400, "Resource.AlreadyAssociated")
    second = ec2.allocate_address()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_address(AllocationId=second["AllocationId"], NetworkInterfaceId=eni_id)
    assert err(e) == (400, "Resource.AlreadyAssociated",
                      f"resource {eni_id} and {primary} is already associated with public address "
                      f"{alloc['PublicIp']}")
    # the secondary private address takes the second address
    ec2.associate_address(AllocationId=second["AllocationId"], NetworkInterfaceId=eni_id,
                          PrivateIpAddress=secondary)
    assert f("private-ip-address", secondary) == [second["AllocationId"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_address(AllocationId=second["AllocationId"], NetworkInterfaceId=eni_id,
                              PrivateIpAddress="192.168.1.1", AllowReassociation=True)
    assert err(e)[:2] == (400, "InvalidParameterValue")  # wording is sagebox's
    # moved with AllowReassociation
    moved = ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=other,
                                  AllowReassociation=True)["AssociationId"]
    assert moved != assoc
    assert f("network-interface-id", other) == [alloc["AllocationId"]]
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert "Association" not in shown

    # ReleaseAddress while associated (InvalidIPAddress.InUse, the EC2 error list's code;
    # wording not checked for this action)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(AllocationId=alloc["AllocationId"])
    assert err(e)[:2] == (400, "InvalidIPAddress.InUse")
    # DetachInternetGateway with public addresses mapped (real EC2: hashicorp/terraform#497)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert err(e) == (400, "DependencyViolation",
                      f"Network {vpc} has some mapped public address(es). Please unmap those "
                      "public address(es) before detaching the gateway.")

    # DisassociateAddress: unknown association (wording not checked against EC2), DryRun, done
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_address(AssociationId="eipassoc-0000000000000000f")
    assert err(e)[:2] == (400, "InvalidAssociationID.NotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_address(AssociationId=moved, DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    ec2.disassociate_address(AssociationId=moved)
    ec2.disassociate_address(PublicIp=second["PublicIp"])
    for x in ec2.describe_addresses()["Addresses"]:
        assert "AssociationId" not in x and "NetworkInterfaceId" not in x
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert all("Association" not in p for p in shown["PrivateIpAddresses"])
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.release_address(AllocationId=alloc["AllocationId"])

    # instances are not modelled by sagebox: an InstanceId does not exist
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_address(AllocationId=second["AllocationId"], InstanceId="i-0000000000000000f")
    assert err(e) == (400, "InvalidInstanceID.NotFound",
                      "The instance ID 'i-0000000000000000f' does not exist")


# ---- NAT gateways --------------------------------------------------------------------------------


def test_lab_step_8(ec2, lab, aws_cli):
    """The lab's step 8: an internet gateway, public subnets 192.168.64.0/20 (us-east-1a) and
    192.168.96.0/20 (us-east-1b) with a route table to it, two Elastic IPs, two NAT gateways that
    become available, and in each private route table a 0.0.0.0/0 route to the NAT gateway of the
    same zone. The public part goes through the AWS CLI, the checks through boto3."""
    vpc = lab["vpc"]

    def cli(*args):
        rc, out, errtext = aws_cli("ec2", *args)
        assert rc == 0, (args, errtext)
        return json.loads(out) if out.strip() else {}

    igw = cli("create-internet-gateway", "--tag-specifications",
              "ResourceType=internet-gateway,Tags=[{Key=Name,Value=lab-igw}]")[
        "InternetGateway"]["InternetGatewayId"]
    cli("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    public = [cli("create-subnet", "--vpc-id", vpc, "--cidr-block", cidr, "--availability-zone",
                  az)["Subnet"]["SubnetId"]
              for cidr, az in (("192.168.64.0/20", "us-east-1a"),
                               ("192.168.96.0/20", "us-east-1b"))]
    pub_rt = cli("create-route-table", "--vpc-id", vpc)["RouteTable"]["RouteTableId"]
    cli("create-route", "--route-table-id", pub_rt, "--destination-cidr-block", "0.0.0.0/0",
        "--gateway-id", igw)
    for s in public:
        cli("associate-route-table", "--route-table-id", pub_rt, "--subnet-id", s)
        cli("modify-subnet-attribute", "--subnet-id", s, "--map-public-ip-on-launch")
    eips = [cli("allocate-address", "--domain", "vpc") for _ in public]
    nats = [cli("create-nat-gateway", "--subnet-id", s, "--allocation-id",
                e["AllocationId"], "--tag-specifications",
                f"ResourceType=natgateway,Tags=[{{Key=Name,Value=nat-{i}}}]")["NatGateway"]
            for i, (s, e) in enumerate(zip(public, eips))]
    # pending first, never available at once
    for n, s, e in zip(nats, public, eips):
        assert n["State"] == "pending"
        assert n["SubnetId"] == s and n["VpcId"] == vpc and n["ConnectivityType"] == "public"
        assert n["NatGatewayAddresses"] == [{"AllocationId": e["AllocationId"]}]
    ids = [n["NatGatewayId"] for n in nats]
    assert ec2.describe_nat_gateways(
        Filter=[{"Name": "state", "Values": ["pending"]}])["NatGateways"] != []

    # then available, with an interface of the public subnet and the Elastic IP
    def available():
        got = ec2.describe_nat_gateways(NatGatewayIds=ids)["NatGateways"]
        return got if all(g["State"] == "available" for g in got) else None

    got = {g["NatGatewayId"]: g for g in wait_for(available, "the NAT gateways")}
    for i, (nat_id, s, e) in enumerate(zip(ids, public, eips)):
        g = got[nat_id]
        [addr] = g["NatGatewayAddresses"]
        assert addr["AllocationId"] == e["AllocationId"] and addr["PublicIp"] == e["PublicIp"]
        assert ipaddress.ip_address(addr["PrivateIp"]) in ipaddress.ip_network(
            "192.168.64.0/20" if s == public[0] else "192.168.96.0/20")
        eni = ec2.describe_network_interfaces(
            NetworkInterfaceIds=[addr["NetworkInterfaceId"]])["NetworkInterfaces"][0]
        assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
        assert eni["SubnetId"] == s and eni["PrivateIpAddress"] == addr["PrivateIp"]
        assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
        assert eni["Association"]["PublicIp"] == e["PublicIp"]
        address = ec2.describe_addresses(AllocationIds=[e["AllocationId"]])["Addresses"][0]
        assert address["NetworkInterfaceId"] == addr["NetworkInterfaceId"]
        assert address["PrivateIpAddress"] == addr["PrivateIp"]
        assert tags_of(g) == {"Name": f"nat-{i}"}

    # each private table: 0.0.0.0/0 to the NAT gateway of its zone
    for rt, nat_id in zip(lab["tables"], ids):
        cli("create-route", "--route-table-id", rt, "--destination-cidr-block", "0.0.0.0/0",
            "--nat-gateway-id", nat_id)
        assert route_to(ec2, rt, "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0",
                                                  "NatGatewayId": nat_id, "Origin": "CreateRoute",
                                                  "State": "active"}
    by_nat = ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": ids}])
    assert sorted(t["RouteTableId"] for t in by_nat["RouteTables"]) == sorted(lab["tables"])
    public_subnets = ec2.describe_subnets(SubnetIds=public)["Subnets"]
    assert all(s["MapPublicIpOnLaunch"] for s in public_subnets)

    # filters of DescribeNatGateways
    def f(name, *values):
        out = ec2.describe_nat_gateways(Filter=[{"Name": name, "Values": list(values)}])
        return sorted(n["NatGatewayId"] for n in out["NatGateways"])

    assert f("vpc-id", vpc) == sorted(ids)
    assert f("subnet-id", public[1]) == [ids[1]]
    assert f("nat-gateway-id", ids[0]) == [ids[0]]
    assert f("state", "available") == sorted(ids)
    assert f("tag:Name", "nat-0") == [ids[0]]
    assert f("tag-key", "Name") == sorted(ids)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_nat_gateways(Filter=[{"Name": "zone", "Values": ["x"]}])
    assert err(e) == (400, "InvalidParameterValue", "The filter 'zone' is invalid")
    page = ec2.describe_nat_gateways(MaxResults=5)
    assert len(page["NatGateways"]) == 2

    # the network now carries public addresses: the gateway cannot be detached, the NAT
    # gateways' addresses cannot be released or moved by hand (AuthFailure, real EC2:
    # hashicorp/terraform-provider-aws#3572), their subnets cannot be deleted
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert err(e)[:2] == (400, "DependencyViolation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.release_address(AllocationId=eips[0]["AllocationId"])
    assert err(e) == (400, "AuthFailure", "You do not have permission to access the specified "
                                          "resource.")
    assoc = ec2.describe_addresses(AllocationIds=[eips[0]["AllocationId"]])["Addresses"][0][
        "AssociationId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_address(AssociationId=assoc)
    assert err(e)[:2] == (400, "AuthFailure")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_subnet(SubnetId=public[0])
    assert err(e)[:2] == (400, "DependencyViolation")


def test_nat_gateway_deletion_leaves_blackholes(ec2, lab):
    vpc, (a, b) = lab["vpc"], lab["private"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    pub = ec2.create_subnet(VpcId=vpc, CidrBlock="192.168.64.0/20",
                            AvailabilityZone="us-east-1a")["Subnet"]
    eip = ec2.allocate_address()
    nat = ec2.create_nat_gateway(SubnetId=pub["SubnetId"], AllocationId=eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    # a route to a pending NAT gateway is active
    ec2.create_route(RouteTableId=lab["tables"][0], DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat)
    assert route_to(ec2, lab["tables"][0], "0.0.0.0/0")["State"] == "active"
    wait_for(lambda: nat_of(ec2, nat)["State"] == "available", "the NAT gateway")
    eni = nat_of(ec2, nat)["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    # the NAT gateway's own interface: requester-managed, with no security group
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert shown["InterfaceType"] == "nat_gateway" and shown["RequesterManaged"] is True
    assert shown["Groups"] == []
    free_before = ec2.describe_subnets(SubnetIds=[pub["SubnetId"]])["Subnets"][0][
        "AvailableIpAddressCount"]
    assert free_before == pub["AvailableIpAddressCount"] - 1

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_nat_gateway(NatGatewayId=nat, DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert ec2.delete_nat_gateway(NatGatewayId=nat)["NatGatewayId"] == nat
    # at once: the route is a blackhole, the interface and its address are gone, the Elastic IP
    # is free again
    assert route_to(ec2, lab["tables"][0], "0.0.0.0/0")["State"] == "blackhole"
    bh = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])
    assert [t["RouteTableId"] for t in bh["RouteTables"]] == [lab["tables"][0]]
    assert nat_of(ec2, nat)["State"] == "deleting"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
    assert err(e)[1] == "InvalidNetworkInterfaceID.NotFound"
    assert ec2.describe_subnets(SubnetIds=[pub["SubnetId"]])["Subnets"][0][
        "AvailableIpAddressCount"] == pub["AvailableIpAddressCount"]
    assert "AssociationId" not in ec2.describe_addresses(
        AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    # a new route to it is refused; the old one can be replaced
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId=lab["tables"][1], DestinationCidrBlock="0.0.0.0/0",
                         NatGatewayId=nat)
    assert err(e)[1] == "InvalidNatGatewayID.NotFound"
    # then deleted, with its DeleteTime, still described
    gone = wait_for(lambda: (lambda g: g if g["State"] == "deleted" else None)(nat_of(ec2, nat)),
                    "the NAT gateway to be deleted")
    assert gone["DeleteTime"] >= gone["CreateTime"]
    assert ec2.delete_nat_gateway(NatGatewayId=nat)["NatGatewayId"] == nat  # changes nothing
    assert route_to(ec2, lab["tables"][0], "0.0.0.0/0")["State"] == "blackhole"
    # the address and the subnet are free; the route goes on request
    ec2.delete_subnet(SubnetId=pub["SubnetId"])
    ec2.release_address(AllocationId=eip["AllocationId"])
    ec2.delete_route(RouteTableId=lab["tables"][0], DestinationCidrBlock="0.0.0.0/0")
    # unknown NAT gateways (the kind's codes)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_nat_gateway(NatGatewayId="nat-0000000000000000f")
    assert err(e)[:2] == (400, "NatGatewayNotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_nat_gateways(NatGatewayIds=["nat-0000000000000000f"])
    assert err(e)[:2] == (400, "NatGatewayNotFound")


def test_nat_gateway_failures(ec2, lab):
    """How CreateNatGateway ends when it cannot succeed: the NAT gateway is created "pending" and
    then "failed" with the FailureCode and FailureMessage of the NatGateway shape (EC2 API
    Reference; the Elastic IP message with EC2's brackets, kubernetes-sigs/
    cluster-api-provider-aws#1418; giantswarm/aws-operator#1234 for the missing gateway)."""
    vpc, (a, b) = lab["vpc"], lab["private"]
    eip = ec2.allocate_address()["AllocationId"]
    no_gw = ec2.create_nat_gateway(SubnetId=a, AllocationId=eip)["NatGateway"]
    assert no_gw["State"] == "pending"
    failed = wait_for(lambda: (lambda g: g if g["State"] == "failed" else None)(
        nat_of(ec2, no_gw["NatGatewayId"])), "the NAT gateway to fail")
    assert failed["FailureCode"] == "Gateway.NotAttached"
    assert failed["FailureMessage"] == f"Network {vpc} has no Internet gateway attached"
    assert failed["NatGatewayAddresses"] == [{"AllocationId": eip}]
    # nothing was taken: no interface, the address is free
    assert ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [a]}])["NetworkInterfaces"] == []
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]
    # a route to a failed NAT gateway is refused
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId=lab["tables"][0], DestinationCidrBlock="0.0.0.0/0",
                         NatGatewayId=no_gw["NatGatewayId"])
    assert err(e)[1] == "InvalidNatGatewayID.NotFound"

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    first = ec2.create_nat_gateway(SubnetId=a, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    taken = ec2.create_nat_gateway(SubnetId=b, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    g = wait_for(lambda: (lambda x: x if x["State"] == "failed" else None)(nat_of(ec2, taken)),
                 "the second NAT gateway to fail")
    assert g["FailureCode"] == "Resource.AlreadyAssociated"
    assert g["FailureMessage"] == f"Elastic IP address [{eip}] is already associated"
    assert wait_for(lambda: nat_of(ec2, first)["State"] == "available", "the first")
    # a full subnet: InsufficientFreeAddressesInSubnet
    tiny = ec2.create_subnet(VpcId=vpc, CidrBlock="192.168.200.0/28")["Subnet"]["SubnetId"]
    ec2.create_network_interface(SubnetId=tiny, SecondaryPrivateIpAddressCount=10)
    spare = ec2.allocate_address()["AllocationId"]
    full = ec2.create_nat_gateway(SubnetId=tiny, AllocationId=spare)["NatGateway"]["NatGatewayId"]
    g = wait_for(lambda: (lambda x: x if x["State"] == "failed" else None)(nat_of(ec2, full)),
                 "the NAT gateway of a full subnet to fail")
    assert g["FailureCode"] == "InsufficientFreeAddressesInSubnet"
    assert g["FailureMessage"] == "Subnet has insufficient free addresses to create this NAT gateway"
    assert sorted(n["NatGatewayId"] for n in ec2.describe_nat_gateways(
        Filter=[{"Name": "state", "Values": ["failed"]}])["NatGateways"]) == sorted(
        [no_gw["NatGatewayId"], taken, full])

    # requests that are refused at once: no Elastic IP for a public one, one for a private one
    # (wordings are sagebox's), unknown subnet and allocation
    def refused(**kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_nat_gateway(**kw)
        return err(e)

    assert refused(SubnetId=a)[:2] == (400, "MissingParameter")
    assert refused(SubnetId=a, AllocationId=spare, ConnectivityType="private")[:2] == (
        400, "InvalidParameterCombination")
    assert refused(SubnetId="subnet-0000000000000000f", AllocationId=spare) == (
        400, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0000000000000000f' does not exist")
    assert refused(SubnetId=a, AllocationId="eipalloc-0000000000000000f") == (
        400, "InvalidAllocationID.NotFound",
        "The allocation ID 'eipalloc-0000000000000000f' does not exist")
    assert refused(SubnetId=a, AllocationId=spare, DryRun=True)[:2] == (412, "DryRunOperation")


def test_private_nat_gateway_and_client_token(ec2, lab):
    a = lab["private"][0]
    token = "step-8-private-a"
    first = ec2.create_nat_gateway(SubnetId=a, ConnectivityType="private", ClientToken=token)
    nat = first["NatGateway"]
    assert first["ClientToken"] == token
    assert nat["ConnectivityType"] == "private" and nat["NatGatewayAddresses"] == []
    # the same request again answers the same NAT gateway; other parameters with the same token
    # are IdempotentParameterMismatch (the EC2 error list's code; wording is sagebox's)
    again = ec2.create_nat_gateway(SubnetId=a, ConnectivityType="private", ClientToken=token)
    assert again["NatGateway"]["NatGatewayId"] == nat["NatGatewayId"]
    assert again["ClientToken"] == token
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_nat_gateway(SubnetId=lab["private"][1], ConnectivityType="private",
                               ClientToken=token)
    assert err(e)[:2] == (400, "IdempotentParameterMismatch")
    assert len(ec2.describe_nat_gateways()["NatGateways"]) == 1
    g = wait_for(lambda: (lambda x: x if x["State"] == "available" else None)(
        nat_of(ec2, nat["NatGatewayId"])), "the private NAT gateway")
    [addr] = g["NatGatewayAddresses"]
    assert "PublicIp" not in addr and "AllocationId" not in addr
    assert ipaddress.ip_address(addr["PrivateIp"]) in ipaddress.ip_network("192.168.0.0/20")
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    wait_for(lambda: nat_of(ec2, nat["NatGatewayId"])["State"] == "deleted", "deleted")


def test_nat_gateway_authorization(ec2, lab, client):
    vpc, (a, b) = lab["vpc"], lab["private"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address()["AllocationId"]
    policy = allow(
        # NAT gateways only in subnet a, with Name tags
        stmt(["ec2:CreateNatGateway"], arn("natgateway", "*"),
             {"StringLike": {"aws:RequestTag/Name": "nat-*"}}),
        stmt(["ec2:CreateNatGateway"], [arn("subnet", a), arn("elastic-ip", "*")]),
        stmt(["ec2:CreateTags"], "*", {"StringEquals": {"ec2:CreateAction": "CreateNatGateway"}}),
        stmt(["ec2:Describe*"]))
    carol = make_user(client, "carol", policy)
    tags = [{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-a"}]}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_nat_gateway(SubnetId=b, AllocationId=eip, TagSpecifications=tags)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert arn("subnet", b) in err(e)[2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_nat_gateway(SubnetId=a, AllocationId=eip)  # no Name tag
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert f"ec2:CreateNatGateway on resource: {arn('natgateway', '*')}" in err(e)[2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_nat_gateway(SubnetId=a, AllocationId=eip, TagSpecifications=tags,
                                 DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert ec2.describe_nat_gateways()["NatGateways"] == []
    nat = carol.create_nat_gateway(SubnetId=a, AllocationId=eip, TagSpecifications=tags)[
        "NatGateway"]["NatGatewayId"]
    # carol may not delete it, nor release or associate addresses, nor touch gateways
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.delete_nat_gateway(NatGatewayId=nat)
    assert err(e) == (
        403, "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: "
        f"arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: ec2:DeleteNatGateway on "
        f"resource: {arn('natgateway', nat)} because no identity-based policy allows the "
        "ec2:DeleteNatGateway action")
    for call in (lambda: carol.allocate_address(),
                 lambda: carol.release_address(AllocationId=eip),
                 lambda: carol.create_internet_gateway(),
                 lambda: carol.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert nat_of(ec2, nat)["State"] in ("pending", "available")
    assert len(ec2.describe_addresses()["Addresses"]) == 1

    # addresses by tag: a user who may release only addresses tagged team=ml
    tagged = ec2.allocate_address(TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "team", "Value": "ml"}]}])["AllocationId"]
    plain = ec2.allocate_address()["AllocationId"]
    dave = make_user(client, "dave", allow(
        stmt(["ec2:ReleaseAddress"], "*", {"StringEquals": {"ec2:ResourceTag/team": "ml"}})))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        dave.release_address(AllocationId=plain)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert arn("elastic-ip", plain) in err(e)[2]
    dave.release_address(AllocationId=tagged)
    assert sorted(x["AllocationId"] for x in ec2.describe_addresses()["Addresses"]) == sorted(
        [eip, plain])


def test_deleted_nat_gateways_are_described_for_an_hour(make_daemon, tmp_path, monkeypatch):
    """Deleted and failed NAT gateways are still described for a while, then no more ("Deleted NAT
    gateways are visible for about an hour", Amazon VPC User Guide); the daemon's clock is moved
    on with SAGEBOX_CLOCK_OFFSET_SECONDS over the same store, and the client signs with a clock
    moved as far (SigV4 refuses requests more than 15 minutes off)."""
    import datetime
    import importlib
    import types

    import boto3
    import botocore.auth
    from botocore.config import Config

    def shift_client_clock(seconds):
        class Shifted(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return datetime.datetime.utcnow() + datetime.timedelta(seconds=seconds)

        clock = types.SimpleNamespace(datetime=Shifted, timezone=datetime.timezone,
                                      timedelta=datetime.timedelta)
        monkeypatch.setattr(botocore.auth, "datetime", clock)
        try:  # botocore signs with awscrt's SigV4 when it is installed
            crt_auth = importlib.import_module("botocore.crt.auth")
            monkeypatch.setattr(crt_auth, "datetime", clock)
        except ImportError:
            pass

    def ec2_of(daemon):
        return boto3.client("ec2", endpoint_url=daemon.endpoint, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    data = tmp_path / "clock"
    now = make_daemon(data_dir=data).start()
    ec2 = ec2_of(now)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")["NatGateway"][
        "NatGatewayId"]
    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert nat_of(ec2, nat)["State"] == "deleting"
    now.stop()

    for offset, shown in (("60", True), ("3700", False)):
        later = make_daemon(data_dir=data, env={"SAGEBOX_CLOCK_OFFSET_SECONDS": offset}).start()
        shift_client_clock(int(offset))
        ec2 = ec2_of(later)
        got = ec2.describe_nat_gateways()["NatGateways"]
        if shown:
            assert [(g["NatGatewayId"], g["State"]) for g in got] == [(nat, "deleted")]
        else:
            assert got == []
            # a deleted NAT gateway does not keep its VPC
            ec2.delete_subnet(SubnetId=subnet)
            ec2.delete_vpc(VpcId=vpc)
        later.stop()
