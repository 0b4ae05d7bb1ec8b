# SPDX-License-Identifier: Apache-2.0
# Network ACLs through Debian's boto3 and AWS CLI v2 against the real daemon: the default ACL of
# a VPC and its subnet associations, CreateNetworkAcl, DescribeNetworkAcls (ids, every documented
# filter, pagination), DeleteNetworkAcl (default, associated), Create/Replace/DeleteNetworkAclEntry
# (rule numbers, protocols, port ranges, ICMP, IPv4/IPv6 blocks, duplicates, the 20-rule quota),
# ReplaceNetworkAclAssociation (a new association id, the subnet kept consistent), DryRun, denied
# callers and condition keys.
#
# Expected codes and messages are AWS's with their sources: the EC2 API Reference (each action's
# page, "Error codes"), the Amazon VPC User Guide ("Control subnet traffic with network access
# control lists": the default ACL allows everything with rule 100 and denies the rest with "*";
# a custom ACL denies everything until rules are added; "Amazon VPC quotas"), and real EC2
# answers quoted in public issues, cited next to the assertion. Where no real wording could be
# found the test says so and checks the code and status only.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def fails(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    return err(e)


def allow(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(actions, resource="*", condition=None):
    s = {"Effect": "Allow", "Action": actions, "Resource": resource}
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


def star(egress, v6=False):
    e = {"Egress": egress, "Protocol": "-1", "RuleAction": "deny",
         "RuleNumber": 32768 if v6 else 32767}
    e["Ipv6CidrBlock" if v6 else "CidrBlock"] = "::/0" if v6 else "0.0.0.0/0"
    return e


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def lab(ec2):
    """The scenario's VPC 192.168.0.0/16 with two private subnets."""
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone=z)["Subnet"]["SubnetId"]
               for c, z in (("192.168.0.0/20", "us-east-1a"), ("192.168.16.0/20", "us-east-1b"))]
    return {"vpc": vpc, "subnets": subnets}


def acl(ec2, acl_id):
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def acl_of_subnet(ec2, subnet):
    got = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                              "Values": [subnet]}])["NetworkAcls"]
    assert len(got) == 1, got  # every subnet has exactly one ACL
    return got[0]


def entry(number, egress, proto, action, cidr=None, v6=None, ports=None, icmp=None):
    kw = {"RuleNumber": number, "Egress": egress, "Protocol": proto, "RuleAction": action}
    if cidr:
        kw["CidrBlock"] = cidr
    if v6:
        kw["Ipv6CidrBlock"] = v6
    if ports:
        kw["PortRange"] = {"From": ports[0], "To": ports[1]}
    if icmp:
        kw["IcmpTypeCode"] = {"Type": icmp[0], "Code": icmp[1]}
    return kw


# ---- Default and custom ACLs ---------------------------------------------------------------------


def test_default_acl_of_the_lab(ec2, lab):
    vpc = lab["vpc"]
    got = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
    assert len(got) == 1
    d = got[0]
    assert d["IsDefault"] is True and d["VpcId"] == vpc and d["OwnerId"] == ACCOUNT
    assert d["NetworkAclId"].startswith("acl-") and d["Tags"] == []
    # rule 100 allows all traffic, "*" denies the rest, each way
    assert sorted((e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in d["Entries"]) == [
        (False, 100, "allow"), (False, 32767, "deny"), (True, 100, "allow"), (True, 32767, "deny")]
    # one association per subnet (CreateSubnet)
    assert sorted(a["SubnetId"] for a in d["Associations"]) == sorted(lab["subnets"])
    assert all(a["NetworkAclAssociationId"].startswith("aclassoc-") and
               a["NetworkAclId"] == d["NetworkAclId"] for a in d["Associations"])


def test_create_custom_acl(ec2, lab):
    vpc = lab["vpc"]
    out = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "private"}]}])["NetworkAcl"]
    assert out["NetworkAclId"].startswith("acl-") and len(out["NetworkAclId"]) == 21
    assert out["IsDefault"] is False and out["VpcId"] == vpc and out["OwnerId"] == ACCOUNT
    assert out["Associations"] == []
    assert out["Tags"] == [{"Key": "Name", "Value": "private"}]
    # a custom ACL denies all traffic until rules are added (VPC User Guide)
    assert out["Entries"] == [star(True), star(False)]
    assert acl(ec2, out["NetworkAclId"]) == out
    # with an IPv6 block the "*" rules of IPv6 come too
    v6vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    six = ec2.create_network_acl(VpcId=v6vpc)["NetworkAcl"]
    assert six["Entries"] == [star(True), star(True, True), star(False), star(False, True)]
    # errors: unknown and malformed VPCs, the wrong tag type
    assert fails(ec2.create_network_acl, VpcId="vpc-0123456789abcdef0") == (
        400, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
    assert fails(ec2.create_network_acl, VpcId="vpc-x")[1] == "InvalidVpcID.Malformed"
    assert fails(ec2.create_network_acl, VpcId=vpc, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}]) == (
        400, "InvalidParameterValue", "'vpc' is not a valid taggable resource type for this "
                                      "operation.")
    assert len(ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]) == 2


def test_through_the_aws_cli(aws_cli, ec2, lab):
    rc, out, errtext = aws_cli("ec2", "create-network-acl", "--vpc-id", lab["vpc"])
    assert rc == 0, errtext
    acl_id = json.loads(out)["NetworkAcl"]["NetworkAclId"]
    # the CLI reference's own example: --protocol udp, kept as its number
    rc, out, errtext = aws_cli("ec2", "create-network-acl-entry", "--network-acl-id", acl_id,
                               "--ingress", "--rule-number", "100", "--protocol", "udp",
                               "--port-range", "From=53,To=53", "--cidr-block", "0.0.0.0/0",
                               "--rule-action", "allow")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "describe-network-acls", "--network-acl-ids", acl_id,
                               "--query", "NetworkAcls[0].Entries[?RuleNumber==`100`]")
    assert rc == 0, errtext
    assert json.loads(out) == [{"CidrBlock": "0.0.0.0/0", "Egress": False,
                                "PortRange": {"From": 53, "To": 53}, "Protocol": "17",
                                "RuleAction": "allow", "RuleNumber": 100}]
    # the same number again (real EC2's wording, ansible-collections/amazon.aws#2592)
    rc, out, errtext = aws_cli("ec2", "create-network-acl-entry", "--network-acl-id", acl_id,
                               "--ingress", "--rule-number", "100", "--protocol", "-1",
                               "--cidr-block", "0.0.0.0/0", "--rule-action", "deny")
    assert rc != 0 and "NetworkAclEntryAlreadyExists" in errtext
    assert "The network acl entry identified by 100 already exists." in errtext
    subnet = lab["subnets"][0]
    assoc = acl_of_subnet(ec2, subnet)["Associations"]
    assoc_id = [a for a in assoc if a["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    rc, out, errtext = aws_cli("ec2", "replace-network-acl-association", "--association-id",
                               assoc_id, "--network-acl-id", acl_id)
    assert rc == 0, errtext
    assert json.loads(out)["NewAssociationId"].startswith("aclassoc-")
    rc, out, errtext = aws_cli("ec2", "delete-network-acl", "--network-acl-id", acl_id)
    assert rc != 0 and "DependencyViolation" in errtext


# ---- Entries -------------------------------------------------------------------------------------


def test_entries(ec2, lab):
    acl_id = ec2.create_network_acl(VpcId=lab["vpc"])["NetworkAcl"]["NetworkAclId"]
    put = ec2.create_network_acl_entry
    put(NetworkAclId=acl_id, **entry(100, False, "6", "allow", "10.0.0.0/8", ports=(22, 22)))
    put(NetworkAclId=acl_id, **entry(90, False, "tcp", "deny", "10.1.0.0/16", ports=(22, 22)))
    put(NetworkAclId=acl_id, **entry(110, False, "udp", "allow", "0.0.0.0/0",
                                     ports=(1024, 65535)))
    put(NetworkAclId=acl_id, **entry(120, False, "1", "allow", "0.0.0.0/0", icmp=(8, -1)))
    put(NetworkAclId=acl_id, **entry(130, False, "-1", "allow", "192.168.0.0/16"))
    # other protocol numbers cover all ports whatever is given (API Reference)
    put(NetworkAclId=acl_id, **entry(140, False, "50", "allow", "10.0.0.0/8", ports=(1, 2)))
    # canonical form of blocks ("We modify the specified CIDR block to its canonical form")
    put(NetworkAclId=acl_id, **entry(100, True, "-1", "allow", "10.20.30.40/8"))
    put(NetworkAclId=acl_id, **entry(150, True, "icmpv6", "allow", v6="2001:DB8::/32",
                                     icmp=(-1, -1)))
    got = acl(ec2, acl_id)["Entries"]
    # egress first, then ingress, each in rule number order
    assert [(e["Egress"], e["RuleNumber"]) for e in got] == [
        (True, 100), (True, 150), (True, 32767),
        (False, 90), (False, 100), (False, 110), (False, 120), (False, 130), (False, 140),
        (False, 32767)]
    by = {(e["Egress"], e["RuleNumber"]): e for e in got}
    assert by[(False, 100)] == {"CidrBlock": "10.0.0.0/8", "Egress": False,
                                "PortRange": {"From": 22, "To": 22}, "Protocol": "6",
                                "RuleAction": "allow", "RuleNumber": 100}
    assert by[(False, 90)]["Protocol"] == "6"
    assert by[(False, 120)]["IcmpTypeCode"] == {"Code": -1, "Type": 8}
    assert "PortRange" not in by[(False, 140)] and "PortRange" not in by[(False, 130)]
    assert by[(True, 100)]["CidrBlock"] == "10.0.0.0/8"
    assert by[(True, 150)]["Ipv6CidrBlock"] == "2001:db8::/32"
    assert by[(True, 150)]["Protocol"] == "58"

    # replace: the entry must exist, keeps its number
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, **entry(130, False, "6", "deny",
                                                               "192.168.0.0/16",
                                                               ports=(3306, 3306)))
    by = {(e["Egress"], e["RuleNumber"]): e for e in acl(ec2, acl_id)["Entries"]}
    assert by[(False, 130)]["RuleAction"] == "deny"
    assert by[(False, 130)]["PortRange"] == {"From": 3306, "To": 3306}
    # real EC2's wording for a missing entry (hashicorp/terraform-provider-aws#12175)
    assert fails(ec2.replace_network_acl_entry, NetworkAclId=acl_id,
                 **entry(131, False, "-1", "deny", "0.0.0.0/0")) == (
        400, "InvalidNetworkAclEntry.NotFound", "no ingress entry with number 131")
    assert fails(ec2.replace_network_acl_entry, NetworkAclId=acl_id,
                 **entry(90, True, "-1", "deny", "0.0.0.0/0")) == (
        400, "InvalidNetworkAclEntry.NotFound", "no egress entry with number 90")
    # duplicates are per direction: ingress 100 exists, so does egress 100
    assert fails(put, NetworkAclId=acl_id, **entry(100, False, "-1", "deny", "0.0.0.0/0")) == (
        400, "NetworkAclEntryAlreadyExists",
        "The network acl entry identified by 100 already exists.")
    put(NetworkAclId=acl_id, **entry(200, True, "-1", "deny", "0.0.0.0/0"))
    # delete
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=90, Egress=False)
    assert fails(ec2.delete_network_acl_entry, NetworkAclId=acl_id, RuleNumber=90,
                 Egress=False) == (400, "InvalidNetworkAclEntry.NotFound",
                                   "no ingress entry with number 90")
    numbers = [(e["Egress"], e["RuleNumber"]) for e in acl(ec2, acl_id)["Entries"]]
    assert (False, 90) not in numbers and (True, 200) in numbers
    assert fails(ec2.create_network_acl_entry, NetworkAclId="acl-0123456789abcdef0",
                 **entry(1, False, "-1", "deny", "0.0.0.0/0")) == (
        400, "InvalidNetworkAclID.NotFound",
        "The networkAcl ID 'acl-0123456789abcdef0' does not exist")


def test_entry_validation(ec2, lab):
    acl_id = ec2.create_network_acl(VpcId=lab["vpc"])["NetworkAcl"]["NetworkAclId"]
    before = acl(ec2, acl_id)
    cases = [
        # an unknown protocol (real EC2, aws/aws-cli#508)
        (entry(100, False, "tcpx", "allow", "0.0.0.0/0"), "InvalidParameterValue",
         "Invalid value 'tcpx' for IP protocol. Unknown protocol."),
        (entry(100, False, "256", "allow", "0.0.0.0/0"), "InvalidParameterValue",
         "Invalid value '256' for IP protocol. Unknown protocol."),
        # the block (the wording of CreateVpc/CreateSubnet for bad blocks)
        (entry(100, False, "-1", "allow", "10.0.0/8"), "InvalidParameterValue",
         "Value (10.0.0/8) for parameter cidrBlock is invalid. This is not a valid CIDR block."),
        (entry(100, False, "-1", "allow", "10.0.0.1"), "InvalidParameterValue",
         "Value (10.0.0.1) for parameter cidrBlock is invalid. This is not a valid CIDR block."),
        # rule numbers 1..32766 ("The range 32767 to 65535 is reserved for internal use"), TCP
        # without ports, ICMP without type and code, both or neither block: EC2's wordings could
        # not be found; code and status only
        (entry(0, False, "-1", "allow", "0.0.0.0/0"), "InvalidParameterValue", None),
        (entry(32767, False, "-1", "allow", "0.0.0.0/0"), "InvalidParameterValue", None),
        (entry(100, False, "6", "allow", "0.0.0.0/0"), "InvalidParameterValue", None),
        (entry(100, False, "17", "allow", "0.0.0.0/0", ports=(90, 80)), "InvalidParameterValue",
         None),
        (entry(100, False, "6", "allow", "0.0.0.0/0", ports=(1, 70000)), "InvalidParameterValue",
         None),
        (entry(100, False, "1", "allow", "0.0.0.0/0"), "InvalidParameterValue", None),
        (entry(100, False, "58", "allow", v6="::/0"), "InvalidParameterValue", None),
        (entry(100, False, "-1", "allow", "0.0.0.0/0", v6="::/0"), "InvalidParameterCombination",
         None),
        (entry(100, False, "-1", "allow"), "MissingParameter", None),
        (entry(100, False, "-1", "allow", v6="10.0.0.0/8"), "InvalidParameterValue", None),
    ]
    for kw, code, message in cases:
        status, got, text = fails(ec2.create_network_acl_entry, NetworkAclId=acl_id, **kw)
        assert (status, got) == (400, code), kw
        if message:
            assert text == message, kw
    # the "*" entries are not a client's to change
    assert fails(ec2.delete_network_acl_entry, NetworkAclId=acl_id, RuleNumber=32767,
                 Egress=False)[:2] == (400, "InvalidParameterValue")
    # ICMPv6 with an IPv4 block needs no type and code (all of them)
    ec2.create_network_acl_entry(NetworkAclId=acl_id,
                                 **entry(100, False, "58", "allow", "0.0.0.0/0"))
    assert len(acl(ec2, acl_id)["Entries"]) == len(before["Entries"]) + 1


def test_entry_quota(ec2, lab):
    acl_id = ec2.create_network_acl(VpcId=lab["vpc"])["NetworkAcl"]["NetworkAclId"]
    # "Rules per network ACL": 20 one way, the "*" rule included (Amazon VPC quotas); the EC2
    # error-code list's NetworkAclEntryLimitExceeded (its message could not be found)
    for i in range(19):
        ec2.create_network_acl_entry(NetworkAclId=acl_id,
                                     **entry(100 + i, False, "-1", "allow", f"10.{i}.0.0/16"))
    assert fails(ec2.create_network_acl_entry, NetworkAclId=acl_id,
                 **entry(200, False, "-1", "allow", "10.100.0.0/16"))[:2] == (
        400, "NetworkAclEntryLimitExceeded")
    # the other direction has its own quota, and a replace does not add an entry
    ec2.create_network_acl_entry(NetworkAclId=acl_id, **entry(200, True, "-1", "allow",
                                                               "10.100.0.0/16"))
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, **entry(100, False, "-1", "deny",
                                                                "10.0.0.0/16"))
    assert len(acl(ec2, acl_id)["Entries"]) == 20 + 2


# ---- DescribeNetworkAcls -------------------------------------------------------------------------


def test_describe_filters(ec2, lab):
    vpc = lab["vpc"]
    default = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "NetworkAcls"][0]["NetworkAclId"]
    custom = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "tier", "Value": "db"}]}]
    )["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=custom,
                                 **entry(100, False, "tcp", "allow", "10.0.0.0/8",
                                         ports=(5432, 5433)))
    ec2.create_network_acl_entry(NetworkAclId=custom,
                                 **entry(110, True, "icmp", "deny", "172.16.0.0/12",
                                         icmp=(3, 4)))
    ec2.create_network_acl_entry(NetworkAclId=custom,
                                 **entry(120, True, "-1", "allow", v6="2001:db8::/32"))
    subnet = lab["subnets"][1]
    assoc = [a for a in acl(ec2, default)["Associations"] if a["SubnetId"] == subnet][0]
    new_assoc = ec2.replace_network_acl_association(
        AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=custom)["NewAssociationId"]

    def f(name, *values):
        return sorted(a["NetworkAclId"] for a in ec2.describe_network_acls(
            Filters=[{"Name": name, "Values": list(values)},
                     {"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"])

    both = sorted([default, custom])
    assert f("network-acl-id", custom) == [custom]
    assert f("vpc-id", vpc) == both
    assert f("owner-id", ACCOUNT) == both
    assert f("default", "true") == [default]
    assert f("default", "false") == [custom]
    assert f("association.subnet-id", subnet) == [custom]
    assert f("association.subnet-id", lab["subnets"][0]) == [default]
    assert f("association.association-id", new_assoc) == [custom]
    assert f("association.association-id", assoc["NetworkAclAssociationId"]) == []
    assert f("association.network-acl-id", custom) == [custom]
    assert f("entry.cidr", "10.0.0.0/8") == [custom]
    assert f("entry.cidr", "0.0.0.0/0") == both
    assert f("entry.ipv6-cidr", "2001:db8::/32") == [custom]
    assert f("entry.egress", "true") == both
    assert f("entry.port-range.from", "5432") == [custom]
    assert f("entry.port-range.to", "5433") == [custom]
    assert f("entry.icmp.type", "3") == [custom]
    assert f("entry.icmp.code", "4") == [custom]
    # "tcp | udp | icmp or a protocol number"
    assert f("entry.protocol", "tcp") == [custom]
    assert f("entry.protocol", "6") == [custom]
    assert f("entry.protocol", "1") == [custom]
    assert f("entry.protocol", "-1") == both
    assert f("entry.rule-action", "allow") == both
    assert f("entry.rule-number", "110") == [custom]
    assert f("entry.rule-number", "100") == both
    assert f("tag:tier", "db") == [custom]
    assert f("tag-key", "tier") == [custom]
    assert fails(ec2.describe_network_acls, Filters=[{"Name": "entry.port", "Values": ["1"]}]) == (
        400, "InvalidParameterValue", "The filter 'entry.port' is invalid")
    # ids: malformed and unknown
    assert fails(ec2.describe_network_acls, NetworkAclIds=["acl-1"]) == (
        400, "InvalidNetworkAclId.Malformed", 'Invalid id: "acl-1" (expecting "acl-...")')
    assert fails(ec2.describe_network_acls, NetworkAclIds=["acl-0123456789abcdef0"])[1] == (
        "InvalidNetworkAclID.NotFound")


def test_pagination(ec2, lab):
    made = [ec2.create_network_acl(VpcId=lab["vpc"])["NetworkAcl"]["NetworkAclId"]
            for _ in range(11)]
    seen = []
    for page in ec2.get_paginator("describe_network_acls").paginate(
            Filters=[{"Name": "default", "Values": ["false"]}], PaginationConfig={"PageSize": 5}):
        assert len(page["NetworkAcls"]) <= 5
        seen += [a["NetworkAclId"] for a in page["NetworkAcls"]]
    assert sorted(seen) == sorted(made)
    status, code, _ = fails(ec2.describe_network_acls, NetworkAclIds=[made[0]], MaxResults=5)
    assert (status, code) == (400, "InvalidParameterCombination")


# ---- Associations and deletion -------------------------------------------------------------------


def test_associations_and_delete(ec2, lab):
    vpc = lab["vpc"]
    a, b = lab["subnets"]
    default = acl_of_subnet(ec2, a)
    assert default["IsDefault"] is True
    custom = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    old = [x for x in default["Associations"] if x["SubnetId"] == a][0]["NetworkAclAssociationId"]
    new = ec2.replace_network_acl_association(AssociationId=old,
                                              NetworkAclId=custom)["NewAssociationId"]
    assert new.startswith("aclassoc-") and new != old
    moved = acl_of_subnet(ec2, a)
    assert moved["NetworkAclId"] == custom
    assert moved["Associations"] == [{"NetworkAclAssociationId": new, "NetworkAclId": custom,
                                      "SubnetId": a}]
    assert [x["SubnetId"] for x in acl(ec2, default["NetworkAclId"])["Associations"]] == [b]
    # the old association is gone (real EC2's wording, hashicorp/terraform-provider-aws#31888)
    assert fails(ec2.replace_network_acl_association, AssociationId=old,
                 NetworkAclId=custom) == (400, "InvalidAssociationID.NotFound",
                                          f"The association ID '{old}' does not exist")
    # idempotent to the same ACL, with yet another id
    again = ec2.replace_network_acl_association(AssociationId=new,
                                                NetworkAclId=custom)["NewAssociationId"]
    assert again != new and acl_of_subnet(ec2, a)["Associations"][0][
        "NetworkAclAssociationId"] == again
    # an ACL of another VPC (code only: EC2's wording could not be found)
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    far = ec2.create_network_acl(VpcId=other)["NetworkAcl"]["NetworkAclId"]
    assert fails(ec2.replace_network_acl_association, AssociationId=again,
                 NetworkAclId=far)[:2] == (400, "InvalidParameterValue")
    assert fails(ec2.replace_network_acl_association, AssociationId=again,
                 NetworkAclId="acl-0123456789abcdef0")[1] == "InvalidNetworkAclID.NotFound"
    assert acl_of_subnet(ec2, a)["NetworkAclId"] == custom

    # the default ACL cannot be deleted (wording as cleanup tools match EC2's:
    # "cannot delete default network ACL", not verified against EC2 itself)
    assert fails(ec2.delete_network_acl, NetworkAclId=default["NetworkAclId"]) == (
        400, "InvalidParameterValue",
        f"cannot delete default network ACL {default['NetworkAclId']}")
    # nor an associated one ("You can't delete the ACL if it's associated with any subnets")
    assert fails(ec2.delete_network_acl, NetworkAclId=custom)[:2] == (400, "DependencyViolation")
    # deleting the subnet drops its association
    ec2.delete_subnet(SubnetId=a)
    assert acl(ec2, custom)["Associations"] == []
    ec2.delete_network_acl(NetworkAclId=custom)
    assert fails(ec2.delete_network_acl, NetworkAclId=custom) == (
        400, "InvalidNetworkAclID.NotFound", f"The networkAcl ID '{custom}' does not exist")
    # a VPC with a custom ACL cannot go; with only its default one it can
    ec2.delete_subnet(SubnetId=b)
    assert fails(ec2.delete_vpc, VpcId=other)[1] == "DependencyViolation"
    ec2.delete_network_acl(NetworkAclId=far)
    ec2.delete_vpc(VpcId=other)
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_network_acls()["NetworkAcls"] == []


def test_subnet_moves_back_and_forth(ec2, lab):
    """The subnet's association stays single and consistent through several moves."""
    vpc = lab["vpc"]
    subnet = lab["subnets"][0]
    acls = [acl_of_subnet(ec2, subnet)["NetworkAclId"]] + [
        ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"] for _ in range(2)]
    current = [x for x in acl_of_subnet(ec2, subnet)["Associations"]
               if x["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    for target in (acls[1], acls[2], acls[0], acls[2]):
        current = ec2.replace_network_acl_association(AssociationId=current,
                                                      NetworkAclId=target)["NewAssociationId"]
        now = acl_of_subnet(ec2, subnet)
        assert now["NetworkAclId"] == target
        mine = [x for x in now["Associations"] if x["SubnetId"] == subnet]
        assert [x["NetworkAclAssociationId"] for x in mine] == [current]
    everything = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assocs = [x for n in everything["NetworkAcls"] for x in n["Associations"]]
    assert sorted(x["SubnetId"] for x in assocs) == sorted(lab["subnets"])


# ---- DryRun, authorization, condition keys -------------------------------------------------------


def test_dry_run(ec2, lab):
    vpc = lab["vpc"]
    acl_id = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, **entry(100, False, "-1", "allow",
                                                               "0.0.0.0/0"))
    subnet = lab["subnets"][0]
    assoc = [x for x in acl_of_subnet(ec2, subnet)["Associations"]
             if x["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    calls = [
        lambda: ec2.create_network_acl(VpcId=vpc, DryRun=True),
        lambda: ec2.describe_network_acls(DryRun=True),
        lambda: ec2.create_network_acl_entry(NetworkAclId=acl_id, DryRun=True,
                                             **entry(101, False, "-1", "allow", "0.0.0.0/0")),
        lambda: ec2.replace_network_acl_entry(NetworkAclId=acl_id, DryRun=True,
                                              **entry(100, False, "-1", "deny", "0.0.0.0/0")),
        lambda: ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=False,
                                             DryRun=True),
        lambda: ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl_id,
                                                    DryRun=True),
        lambda: ec2.delete_network_acl(NetworkAclId=acl_id, DryRun=True),
    ]
    before = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    for call in calls:
        # 412 DryRunOperation (real EC2, getmoto/moto#1980)
        assert fails(call) == (412, "DryRunOperation",
                               "Request would have succeeded, but DryRun flag is set.")
    after = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert before["NetworkAcls"] == after["NetworkAcls"]


def denial(user, action, resource):
    return (f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:"
            f"user/{user} is not authorized to perform: {action} on resource: {resource} because "
            f"no identity-based policy allows the {action} action")


def test_denied_caller_and_condition_keys(client, ec2, lab):
    vpc = lab["vpc"]
    acl_id = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "owner", "Value": "net"}]}]
    )["NetworkAcl"]["NetworkAclId"]
    other = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    bob = make_user(client, "bob", allow(stmt(["ec2:Describe*"])))
    assert fails(bob.create_network_acl, VpcId=vpc) == (
        403, "UnauthorizedOperation", denial("bob", "ec2:CreateNetworkAcl",
                                             arn("network-acl", "*")))
    assert fails(bob.create_network_acl_entry, NetworkAclId=acl_id,
                 **entry(100, False, "-1", "allow", "0.0.0.0/0")) == (
        403, "UnauthorizedOperation", denial("bob", "ec2:CreateNetworkAclEntry",
                                             arn("network-acl", acl_id)))
    assert fails(bob.delete_network_acl, NetworkAclId="acl-0123456789abcdef0")[:2] == (
        403, "UnauthorizedOperation")
    assert len(bob.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]) == 1
    # entries only in ACLs tagged owner=net (ec2:ResourceTag) of the lab VPC (ec2:Vpc); moving a
    # subnet needs the ACL and the subnet (Service Authorization Reference)
    subnet = lab["subnets"][0]
    policy = allow(
        stmt(["ec2:CreateNetworkAclEntry", "ec2:ReplaceNetworkAclAssociation"],
             arn("network-acl", "*"),
             {"StringEquals": {"ec2:ResourceTag/owner": "net"},
              "ArnEquals": {"ec2:Vpc": arn("vpc", vpc)}}),
        stmt(["ec2:DeleteNetworkAcl"], "*", {"StringEquals": {"ec2:NetworkAclID": other}}),
        stmt(["ec2:Describe*"]))
    carol = make_user(client, "carol", policy)
    carol.create_network_acl_entry(NetworkAclId=acl_id,
                                   **entry(100, False, "-1", "allow", "0.0.0.0/0"))
    assert fails(carol.create_network_acl_entry, NetworkAclId=other,
                 **entry(100, False, "-1", "allow", "0.0.0.0/0"))[:2] == (
        403, "UnauthorizedOperation")
    assoc = [x for x in acl_of_subnet(ec2, subnet)["Associations"]
             if x["SubnetId"] == subnet][0]["NetworkAclAssociationId"]
    status, code, text = fails(carol.replace_network_acl_association, AssociationId=assoc,
                               NetworkAclId=acl_id)
    assert (status, code) == (403, "UnauthorizedOperation") and arn("subnet", subnet) in text
    assert acl_of_subnet(ec2, subnet)["IsDefault"] is True
    dave = make_user(client, "dave", allow(
        stmt(["ec2:ReplaceNetworkAclAssociation"], arn("network-acl", acl_id)),
        stmt(["ec2:ReplaceNetworkAclAssociation"], arn("subnet", "*"),
             {"StringEquals": {"ec2:SubnetID": subnet}})))
    dave.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl_id)
    assert acl_of_subnet(ec2, subnet)["NetworkAclId"] == acl_id
    assert fails(carol.delete_network_acl, NetworkAclId=acl_id)[:2] == (
        403, "UnauthorizedOperation")
    carol.delete_network_acl(NetworkAclId=other)
