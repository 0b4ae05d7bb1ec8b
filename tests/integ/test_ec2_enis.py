# SPDX-License-Identifier: Apache-2.0
# Elastic network interfaces through Debian's boto3 and AWS CLI v2 against the real daemon:
# CreateNetworkInterface (default and explicit security groups, addresses, secondary addresses,
# tags), DescribeNetworkInterfaces (ids, every documented filter sagebox can hold, pagination),
# DeleteNetworkInterface, Modify/DescribeNetworkInterfaceAttribute, Assign/
# UnassignPrivateIpAddresses, the subnet's IP capacity, DryRun, and callers denied by IAM.
#
# Expected values are AWS's, each with its source:
#   - EC2 API Reference: each action's page (parameters, filters, MaxResults 5..1000, DryRun);
#   - Amazon VPC User Guide, "Subnet CIDR blocks": five reserved addresses, so a /28 holds 11
#     interfaces; addresses are handed out from the bottom;
#   - Amazon EC2 User Guide: private DNS names "ip-a-b-c-d.ec2.internal" in us-east-1 and
#     "ip-a-b-c-d.REGION.compute.internal" elsewhere; MAC addresses "02:..." (locally administered);
#   - real EC2 answers quoted in public reports, cited next to the assertions that use them.
# Where EC2's wording could not be found the test says so and checks the code and status only.
import json
import re

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_user(client, name, policy, region=REGION):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("ec2", key=k["AccessKeyId"], secret=k["SecretAccessKey"], region=region)


def tags_of(eni):
    return {t["Key"]: t["Value"] for t in eni.get("TagSet", [])}


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def net(ec2):
    """A VPC 10.0.0.0/16 with two /24 subnets in us-east-1a and us-east-1b, and a second VPC."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    a = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24",
                          AvailabilityZone="us-east-1a")["Subnet"]
    b = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.2.0/24",
                          AvailabilityZone="us-east-1b")["Subnet"]
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    default_sg = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    return {"vpc": vpc["VpcId"], "a": a["SubnetId"], "b": b["SubnetId"],
            "other": other["VpcId"], "default_sg": default_sg}


def free(ec2, subnet):
    return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]


# ---- CreateNetworkInterface ------------------------------------------------------------------


def test_create_with_defaults(ec2, net):
    before = free(ec2, net["a"])
    eni = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"]
    assert re.fullmatch(r"eni-[0-9a-f]{17}", eni["NetworkInterfaceId"])
    assert eni["SubnetId"] == net["a"] and eni["VpcId"] == net["vpc"]
    assert eni["AvailabilityZone"] == "us-east-1a"
    assert eni["OwnerId"] == ACCOUNT
    assert eni["Status"] == "available"
    assert eni["InterfaceType"] == "interface"
    assert eni["RequesterManaged"] is False and "RequesterId" not in eni
    assert eni["SourceDestCheck"] is True
    assert eni["Description"] == ""
    # Without Groups, the VPC's default security group (CreateNetworkInterface API Reference).
    assert eni["Groups"] == [{"GroupName": "default", "GroupId": net["default_sg"]}]
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", eni["MacAddress"])
    # The first free address: .0-.3 are reserved, so .4.
    assert eni["PrivateIpAddress"] == "10.0.1.4"
    assert eni["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert eni["PrivateIpAddresses"] == [{"Primary": True, "PrivateIpAddress": "10.0.1.4",
                                          "PrivateDnsName": "ip-10-0-1-4.ec2.internal"}]
    assert eni["TagSet"] == [] and eni["Ipv6Addresses"] == []
    assert free(ec2, net["a"]) == before - 1
    got = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert got == [eni]


def test_create_with_everything(ec2, net):
    sg = ec2.create_security_group(VpcId=net["vpc"], GroupName="app",
                                   Description="app")["GroupId"]
    eni = ec2.create_network_interface(
        SubnetId=net["b"], Description="my interface", Groups=[sg, net["default_sg"]],
        PrivateIpAddress="10.0.2.50", SecondaryPrivateIpAddressCount=2,
        TagSpecifications=[{"ResourceType": "network-interface",
                            "Tags": [{"Key": "Name", "Value": "eni-1"}, {"Key": "env", "Value": "lab"}]}],
    )["NetworkInterface"]
    assert eni["Description"] == "my interface"
    assert [g["GroupId"] for g in eni["Groups"]] == [sg, net["default_sg"]]
    assert [g["GroupName"] for g in eni["Groups"]] == ["app", "default"]
    assert eni["PrivateIpAddress"] == "10.0.2.50"
    addrs = [(a["PrivateIpAddress"], a["Primary"]) for a in eni["PrivateIpAddresses"]]
    assert addrs == [("10.0.2.50", True), ("10.0.2.4", False), ("10.0.2.5", False)]
    assert tags_of(eni) == {"Name": "eni-1", "env": "lab"}
    assert free(ec2, net["b"]) == 251 - 3

    # PrivateIpAddresses: the one marked primary is the primary address.
    eni2 = ec2.create_network_interface(SubnetId=net["b"], PrivateIpAddresses=[
        {"PrivateIpAddress": "10.0.2.60", "Primary": False},
        {"PrivateIpAddress": "10.0.2.61", "Primary": True}])["NetworkInterface"]
    assert eni2["PrivateIpAddress"] == "10.0.2.61"
    assert [(a["PrivateIpAddress"], a["Primary"]) for a in eni2["PrivateIpAddresses"]] == [
        ("10.0.2.61", True), ("10.0.2.60", False)]


def test_private_dns_name_outside_us_east_1(client):
    ec2 = client("ec2", region="eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="172.20.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="172.20.3.0/24",
                           AvailabilityZone="eu-west-1b")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]
    assert eni["PrivateDnsName"] == "ip-172-20-3-4.eu-west-1.compute.internal"
    assert eni["AvailabilityZone"] == "eu-west-1b"
    # Interfaces live in their region.
    assert client("ec2").describe_network_interfaces()["NetworkInterfaces"] == []


def test_create_errors(ec2, net):
    def fails(**kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_network_interface(**kw)
        return err(e)

    assert fails(SubnetId="subnet-0123456789abcdef0") == (
        400, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist")
    assert fails(SubnetId="subnet-xyz")[:2] == (400, "InvalidSubnetID.Malformed")
    assert fails(SubnetId=net["a"], Groups=["sg-0123456789abcdef0"])[:2] == (
        400, "InvalidGroup.NotFound")
    assert fails(SubnetId=net["a"], Groups=["bogus"])[:2] == (400, "InvalidGroupId.Malformed")
    # A group of another VPC: EC2 answers InvalidParameter "Security group ... and subnet ...
    # belong to different networks." for instances; the wording for interfaces was not found.
    other_sg = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [net["other"]]}])["SecurityGroups"][0]["GroupId"]
    status, code, message = fails(SubnetId=net["a"], Groups=[other_sg])
    assert (status, code) == (400, "InvalidParameter") and other_sg in message
    # Six groups: "The maximum number of security groups per interface has been reached." (real
    # EC2, kubernetes-sigs/aws-load-balancer-controller#682).
    sgs = [ec2.create_security_group(VpcId=net["vpc"], GroupName=f"g{i}",
                                     Description="g")["GroupId"] for i in range(6)]
    assert fails(SubnetId=net["a"], Groups=sgs) == (
        400, "SecurityGroupsPerInterfaceLimitExceeded",
        "The maximum number of security groups per interface has been reached.")
    # Addresses: outside the subnet, reserved, taken (codes of the EC2 error list; wordings not
    # checked against EC2).
    assert fails(SubnetId=net["a"], PrivateIpAddress="10.0.2.10")[:2] == (
        400, "InvalidParameterValue")
    assert fails(SubnetId=net["a"], PrivateIpAddress="10.0.1.1")[:2] == (
        400, "InvalidParameterValue")
    assert fails(SubnetId=net["a"], PrivateIpAddress="not-an-ip")[:2] == (
        400, "InvalidParameterValue")
    ec2.create_network_interface(SubnetId=net["a"], PrivateIpAddress="10.0.1.9")
    assert fails(SubnetId=net["a"], PrivateIpAddress="10.0.1.9")[:2] == (
        400, "InvalidIPAddress.InUse")
    assert fails(SubnetId=net["a"], SecondaryPrivateIpAddressCount=60)[:2] == (
        400, "PrivateIpAddressLimitExceeded")
    assert fails(SubnetId=net["a"], TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]) == (
        400, "InvalidParameterValue",
        "'vpc' is not a valid taggable resource type for this operation.")
    # Nothing of the failed calls stayed: only the one interface holds an address.
    assert len(ec2.describe_network_interfaces()["NetworkInterfaces"]) == 1
    assert free(ec2, net["a"]) == 250


def test_a_full_subnet_refuses_interfaces(ec2, net):
    # A /28 has 16 addresses, 5 reserved: 11 interfaces fit, the twelfth finds none. The message
    # is real EC2's (aws/amazon-vpc-cni-k8s#1773).
    sn = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.9.0/28",
                           AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
    made = [ec2.create_network_interface(SubnetId=sn)["NetworkInterface"] for _ in range(11)]
    assert [e["PrivateIpAddress"] for e in made] == [f"10.0.9.{i}" for i in range(4, 15)]
    assert free(ec2, sn) == 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_interface(SubnetId=sn)
    assert err(e) == (400, "InsufficientFreeAddressesInSubnet",
                      "The specified subnet does not have enough free addresses to satisfy the "
                      "request.")
    # Secondary addresses count against the same capacity.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=made[0]["NetworkInterfaceId"],
                                        SecondaryPrivateIpAddressCount=1)
    assert err(e)[:2] == (400, "InsufficientFreeAddressesInSubnet")
    ec2.delete_network_interface(NetworkInterfaceId=made[3]["NetworkInterfaceId"])
    assert free(ec2, sn) == 1
    again = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]
    assert again["PrivateIpAddress"] == "10.0.9.7"


# ---- DescribeNetworkInterfaces ---------------------------------------------------------------


def ids_of(out):
    return sorted(e["NetworkInterfaceId"] for e in out["NetworkInterfaces"])


def test_describe_filters(ec2, net):
    sg = ec2.create_security_group(VpcId=net["vpc"], GroupName="web",
                                   Description="web")["GroupId"]
    e1 = ec2.create_network_interface(
        SubnetId=net["a"], Description="first", Groups=[sg],
        TagSpecifications=[{"ResourceType": "network-interface",
                            "Tags": [{"Key": "role", "Value": "web"}]}])["NetworkInterface"]
    e2 = ec2.create_network_interface(SubnetId=net["b"], Description="second",
                                      SecondaryPrivateIpAddressCount=1)["NetworkInterface"]
    i1, i2 = e1["NetworkInterfaceId"], e2["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=i2,
                                           SourceDestCheck={"Value": False})

    def f(name, *values):
        return ids_of(ec2.describe_network_interfaces(
            Filters=[{"Name": name, "Values": list(values)}]))

    assert f("network-interface-id", i1) == [i1]
    assert f("subnet-id", net["b"]) == [i2]
    assert f("vpc-id", net["vpc"]) == sorted([i1, i2])
    assert f("vpc-id", net["other"]) == []
    assert f("availability-zone", "us-east-1a") == [i1]
    assert f("description", "sec*") == [i2]
    assert f("group-id", sg) == [i1]
    assert f("group-name", "default") == [i2]
    assert f("interface-type", "interface") == sorted([i1, i2])
    assert f("mac-address", e1["MacAddress"]) == [i1]
    assert f("owner-id", ACCOUNT) == sorted([i1, i2])
    assert f("private-ip-address", e2["PrivateIpAddresses"][1]["PrivateIpAddress"]) == [i2]
    assert f("addresses.private-ip-address", e1["PrivateIpAddress"]) == [i1]
    assert f("addresses.primary", "false") == [i2]
    assert f("private-dns-name", e1["PrivateDnsName"]) == [i1]
    assert f("requester-managed", "false") == sorted([i1, i2])
    assert f("requester-id", "*") == []
    assert f("association.public-ip", "203.0.113.1") == []
    assert f("source-dest-check", "false") == [i2]
    assert f("status", "available") == sorted([i1, i2])
    assert f("tag:role", "web") == [i1]
    assert f("tag-key", "role") == [i1]
    assert f("tag-value", "nope") == []
    two = ec2.describe_network_interfaces(Filters=[
        {"Name": "vpc-id", "Values": [net["vpc"]]},
        {"Name": "availability-zone", "Values": ["us-east-1b", "us-east-1c"]}])
    assert ids_of(two) == [i2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert err(e) == (400, "InvalidParameterValue", "The filter 'bogus' is invalid")


def test_describe_ids_and_pages(ec2, net):
    made = sorted(ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"][
        "NetworkInterfaceId"] for _ in range(7))
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        out = ec2.describe_network_interfaces(**kw)
        seen += [e["NetworkInterfaceId"] for e in out["NetworkInterfaces"]]
        pages += 1
        token = out.get("NextToken")
        if not token:
            break
    assert seen == made and pages == 2
    paginator = ec2.get_paginator("describe_network_interfaces")
    assert sum(len(p["NetworkInterfaces"]) for p in paginator.paginate(
        PaginationConfig={"PageSize": 5})) == 7
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[made[3], made[0]])
    assert [e["NetworkInterfaceId"] for e in got["NetworkInterfaces"]] == [made[3], made[0]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[made[0]], MaxResults=5)
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0123456789abcdef0"])
    assert err(e) == (400, "InvalidNetworkInterfaceID.NotFound",
                      "The networkInterface ID 'eni-0123456789abcdef0' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-!"])
    assert err(e)[:2] == (400, "InvalidNetworkInterfaceId.Malformed")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interfaces(NextToken="garbage")
    assert err(e)[:2] == (400, "InvalidParameterValue")


# ---- Delete, Modify, Describe attribute ------------------------------------------------------


def test_delete(ec2, net):
    eni = ec2.create_network_interface(SubnetId=net["a"], SecondaryPrivateIpAddressCount=2)[
        "NetworkInterface"]
    assert free(ec2, net["a"]) == 248
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_subnet(SubnetId=net["a"])
    assert err(e)[:2] == (400, "DependencyViolation")
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert free(ec2, net["a"]) == 251
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert err(e) == (400, "InvalidNetworkInterfaceID.NotFound",
                      f"The networkInterface ID '{eni['NetworkInterfaceId']}' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId="eni-nope")
    assert err(e)[:2] == (400, "InvalidNetworkInterfaceId.Malformed")
    ec2.delete_subnet(SubnetId=net["a"])


def test_endpoint_interfaces_cannot_be_deleted_or_regrouped(ec2, net):
    ec2.modify_vpc_attribute(VpcId=net["vpc"], EnableDnsHostnames={"Value": True})
    ep = ec2.create_vpc_endpoint(VpcId=net["vpc"], VpcEndpointType="Interface",
                                 ServiceName=f"com.amazonaws.{REGION}.sts",
                                 SubnetIds=[net["a"]])["VpcEndpoint"]
    eni_id = ep["NetworkInterfaceIds"][0]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["RequesterManaged"] is True and eni["Status"] == "in-use"
    assert eni["InterfaceType"] == "vpc_endpoint"
    assert eni["Description"] == f"VPC Endpoint Interface {ep['VpcEndpointId']}"
    # Real EC2 answers InvalidParameterValue "Network interface 'eni-...' is currently in use."
    # for an endpoint's interface (gruntwork-io/cloud-nuke#431).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert err(e) == (400, "InvalidParameterValue",
                      f"Network interface '{eni_id}' is currently in use.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                               Groups=[net["default_sg"]])
    assert err(e)[:2] == (400, "OperationNotPermitted")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])
    assert ec2.describe_network_interfaces(
        Filters=[{"Name": "network-interface-id", "Values": [eni_id]}])["NetworkInterfaces"] == []


def test_modify_and_describe_attributes(ec2, net):
    eni_id = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"][
        "NetworkInterfaceId"]
    sg = ec2.create_security_group(VpcId=net["vpc"], GroupName="db", Description="db")["GroupId"]

    def attr(name):
        out = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute=name)
        assert out["NetworkInterfaceId"] == eni_id
        return out

    assert attr("description")["Description"] == {"Value": ""}
    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    assert attr("groupSet")["Groups"] == [{"GroupName": "default", "GroupId": net["default_sg"]}]
    assert "Attachment" not in attr("attachment")

    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                           Description={"Value": "changed"})
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                           SourceDestCheck={"Value": False})
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                           Groups=[sg, net["default_sg"]])
    assert attr("description")["Description"] == {"Value": "changed"}
    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": False}
    assert [g["GroupId"] for g in attr("groupSet")["Groups"]] == [sg, net["default_sg"]]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["Description"] == "changed" and eni["SourceDestCheck"] is False

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                               Description={"Value": "x"},
                                               SourceDestCheck={"Value": True})
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id)
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                               Groups=["sg-0123456789abcdef0"])
    assert err(e)[:2] == (400, "InvalidGroup.NotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni_id, Attachment={"AttachmentId": "eni-attach-0123456789abcdef0",
                                                   "DeleteOnTermination": True})
    assert err(e)[:2] == (400, "InvalidAttachmentID.NotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_network_interface_attribute(NetworkInterfaceId="eni-0123456789abcdef0",
                                                 Attribute="description")
    assert err(e)[:2] == (400, "InvalidNetworkInterfaceID.NotFound")


# ---- Secondary addresses ----------------------------------------------------------------------


def test_assign_and_unassign(ec2, net):
    e1 = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"]
    e2 = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"]
    i1, i2 = e1["NetworkInterfaceId"], e2["NetworkInterfaceId"]
    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=i1, SecondaryPrivateIpAddressCount=2)
    assert out["NetworkInterfaceId"] == i1
    assert [a["PrivateIpAddress"] for a in out["AssignedPrivateIpAddresses"]] == [
        "10.0.1.6", "10.0.1.7"]
    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.100"])
    assert [a["PrivateIpAddress"] for a in out["AssignedPrivateIpAddresses"]] == ["10.0.1.100"]
    assert free(ec2, net["a"]) == 251 - 5

    # An address another interface holds moves only with AllowReassignment.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.6"])
    assert err(e)[:2] == (400, "InvalidIPAddress.InUse")
    ec2.assign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.6"],
                                    AllowReassignment=True)
    got = {e["NetworkInterfaceId"]: [a["PrivateIpAddress"] for a in e["PrivateIpAddresses"]]
           for e in ec2.describe_network_interfaces(
               NetworkInterfaceIds=[i1, i2])["NetworkInterfaces"]}
    assert got[i1] == ["10.0.1.4", "10.0.1.7"]
    assert got[i2] == ["10.0.1.5", "10.0.1.100", "10.0.1.6"]
    assert free(ec2, net["a"]) == 251 - 5
    # A primary address never moves.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.4"],
                                        AllowReassignment=True)
    assert err(e)[:2] == (400, "InvalidIPAddress.InUse")

    ec2.unassign_private_ip_addresses(NetworkInterfaceId=i2,
                                      PrivateIpAddresses=["10.0.1.6", "10.0.1.100"])
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[i2])["NetworkInterfaces"][0]
    assert [a["PrivateIpAddress"] for a in got["PrivateIpAddresses"]] == ["10.0.1.5"]
    assert free(ec2, net["a"]) == 251 - 3
    # Not this interface's, and the primary one (InvalidParameterValue; EC2's wordings were not
    # checked).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.7"])
    assert err(e)[:2] == (400, "InvalidParameterValue")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=i2, PrivateIpAddresses=["10.0.1.5"])
    assert err(e)[:2] == (400, "InvalidParameterValue")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i1)
    assert err(e)[:2] == (400, "MissingParameter")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i1, PrivateIpAddresses=["10.0.1.50"],
                                        SecondaryPrivateIpAddressCount=1)
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i1, SecondaryPrivateIpAddressCount=49)
    assert err(e)[:2] == (400, "PrivateIpAddressLimitExceeded")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=i1, PrivateIpAddresses=["10.0.2.9"])
    assert err(e)[:2] == (400, "InvalidParameterValue")


# ---- DryRun and IAM ---------------------------------------------------------------------------


def test_dry_run(ec2, net):
    eni_id = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"][
        "NetworkInterfaceId"]
    calls = [
        lambda: ec2.create_network_interface(SubnetId=net["a"], DryRun=True),
        lambda: ec2.describe_network_interfaces(DryRun=True),
        lambda: ec2.delete_network_interface(NetworkInterfaceId=eni_id, DryRun=True),
        lambda: ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eni_id, Description={"Value": "d"}, DryRun=True),
        lambda: ec2.describe_network_interface_attribute(
            NetworkInterfaceId=eni_id, Attribute="description", DryRun=True),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e) == (412, "DryRunOperation",
                          "Request would have succeeded, but DryRun flag is set.")
    assert ids_of(ec2.describe_network_interfaces()) == [eni_id]
    assert free(ec2, net["a"]) == 250


def test_denied_callers(client, ec2, net):
    reader = make_user(client, "reader", doc(
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}))
    eni_id = ec2.create_network_interface(SubnetId=net["a"])["NetworkInterface"][
        "NetworkInterfaceId"]
    assert ids_of(reader.describe_network_interfaces()) == [eni_id]
    for dry in (False, True):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            reader.create_network_interface(SubnetId=net["a"], DryRun=dry)
        status, code, message = err(e)
        assert (status, code) == (403, "UnauthorizedOperation")
        assert "ec2:CreateNetworkInterface" in message and "reader" in message
    with pytest.raises(botocore.exceptions.ClientError) as e:
        reader.delete_network_interface(NetworkInterfaceId=eni_id)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    # Denied before existence is revealed.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        reader.delete_network_interface(NetworkInterfaceId="eni-0123456789abcdef0")
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert ids_of(ec2.describe_network_interfaces()) == [eni_id]

    # Condition keys: ec2:Subnet (the subnet's ARN) and aws:RequestTag on the new interface, the
    # subnet and security group resources, and ec2:CreateTags for tag-on-create.
    subnet_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{net['a']}"
    scoped = make_user(client, "scoped", doc(
        {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface",
         "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*",
         "Condition": {"ArnEquals": {"ec2:Subnet": subnet_arn},
                       "StringEquals": {"aws:RequestTag/team": "ml"}}},
        {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface",
         "Resource": [subnet_arn, f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/*"]},
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
         "Condition": {"StringEquals": {"ec2:CreateAction": "CreateNetworkInterface"}}}))
    tagged = [{"ResourceType": "network-interface", "Tags": [{"Key": "team", "Value": "ml"}]}]
    made = scoped.create_network_interface(SubnetId=net["a"], TagSpecifications=tagged)
    assert tags_of(made["NetworkInterface"]) == {"team": "ml"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        scoped.create_network_interface(SubnetId=net["b"], TagSpecifications=tagged)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        scoped.create_network_interface(SubnetId=net["a"])
    assert err(e)[:2] == (403, "UnauthorizedOperation")

    # ec2:ResourceTag on an existing interface.
    tagger = make_user(client, "tagger", doc(
        {"Effect": "Allow", "Action": "ec2:DeleteNetworkInterface", "Resource": "*",
         "Condition": {"StringEquals": {"ec2:ResourceTag/team": "ml"}}}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        tagger.delete_network_interface(NetworkInterfaceId=eni_id)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    tagger.delete_network_interface(NetworkInterfaceId=made["NetworkInterface"][
        "NetworkInterfaceId"])


# ---- AWS CLI ----------------------------------------------------------------------------------


def test_through_the_aws_cli(aws_cli, ec2, net):
    rc, out, errtext = aws_cli("ec2", "create-network-interface", "--subnet-id", net["b"],
                               "--description", "cli", "--secondary-private-ip-address-count",
                               "1", "--tag-specifications",
                               "ResourceType=network-interface,Tags=[{Key=Name,Value=cli-eni}]")
    assert rc == 0, errtext
    eni = json.loads(out)["NetworkInterface"]
    assert eni["Description"] == "cli" and len(eni["PrivateIpAddresses"]) == 2
    assert eni["TagSet"] == [{"Key": "Name", "Value": "cli-eni"}]
    rc, out, errtext = aws_cli("ec2", "describe-network-interfaces", "--filters",
                               "Name=tag:Name,Values=cli-*", "--query",
                               "NetworkInterfaces[].PrivateIpAddress")
    assert rc == 0, errtext
    assert json.loads(out) == [eni["PrivateIpAddress"]]
    rc, out, errtext = aws_cli("ec2", "assign-private-ip-addresses", "--network-interface-id",
                               eni["NetworkInterfaceId"], "--private-ip-addresses", "10.0.2.77")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "delete-network-interface", "--network-interface-id",
                               eni["NetworkInterfaceId"], "--dry-run")
    assert rc != 0 and "DryRunOperation" in errtext
    rc, out, errtext = aws_cli("ec2", "delete-network-interface", "--network-interface-id",
                               eni["NetworkInterfaceId"])
    assert rc == 0, errtext
    assert free(ec2, net["b"]) == 251
