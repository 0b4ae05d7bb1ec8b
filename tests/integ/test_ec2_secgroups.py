# SPDX-License-Identifier: Apache-2.0
# Security groups and their rules through Debian's boto3 and AWS CLI v2 against the real daemon:
# CreateSecurityGroup, DescribeSecurityGroups (ids, default-VPC names, every documented filter,
# pagination), DeleteSecurityGroup (default group, dependencies), Authorize/Revoke ingress and
# egress (protocols, ports, ICMP, IPv4/IPv6 ranges, prefix lists, group references incl. self,
# duplicates, the 60-rule quota, UnknownIpPermissions in a default VPC), DescribeSecurityGroupRules,
# ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptions*, DryRun, denied callers and
# condition keys. The lab's groups are built first: the SageMaker group (all traffic from itself,
# NFS tcp/2049 from itself) and the endpoints group (tcp/443 from the SageMaker group, all traffic
# from the VPC CIDR 192.168.0.0/16).
#
# Expected codes and messages are AWS's, each with its source: the EC2 API Reference (each
# action's page, "Error codes"), the Amazon VPC User Guide ("Security group rules", "Amazon VPC
# quotas"), the Service Authorization Reference for EC2, and real EC2 answers quoted in public
# issues, cited next to the assertion. Where no real wording could be found the test says so and
# checks the code and status only.
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"
S3_PREFIX_LIST = "pl-63a5400a"  # the AWS-managed S3 prefix list of us-east-1


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def fails(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kwargs)
    return err(e)


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


def group(ec2, gid):
    return ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]


def rules_of(ec2, gid):
    return ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [gid]}])["SecurityGroupRules"]


def perm(proto, frm=None, to=None, cidrs=(), v6=(), groups=(), lists=()):
    p = {"IpProtocol": proto}
    if frm is not None:
        p["FromPort"] = frm
        p["ToPort"] = to
    if cidrs:
        p["IpRanges"] = [{"CidrIp": c} for c in cidrs]
    if v6:
        p["Ipv6Ranges"] = [{"CidrIpv6": c} for c in v6]
    if groups:
        p["UserIdGroupPairs"] = [{"GroupId": g} for g in groups]
    if lists:
        p["PrefixListIds"] = [{"PrefixListId": pl} for pl in lists]
    return p


def consistent(ec2, gid):
    """The group's IpPermissions/IpPermissionsEgress and its SecurityGroupRules describe the same
    rules (the double bookkeeping of ec2_common.h)."""
    g = group(ec2, gid)
    from_perms = set()
    for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
        for p in g[key]:
            ports = (p.get("FromPort", -1), p.get("ToPort", -1))
            for r in p["IpRanges"]:
                from_perms.add((egress, p["IpProtocol"], ports, "v4", r["CidrIp"],
                                r.get("Description")))
            for r in p["Ipv6Ranges"]:
                from_perms.add((egress, p["IpProtocol"], ports, "v6", r["CidrIpv6"],
                                r.get("Description")))
            for r in p["PrefixListIds"]:
                from_perms.add((egress, p["IpProtocol"], ports, "pl", r["PrefixListId"],
                                r.get("Description")))
            for r in p["UserIdGroupPairs"]:
                assert r["UserId"] == ACCOUNT
                from_perms.add((egress, p["IpProtocol"], ports, "sg", r["GroupId"],
                                r.get("Description")))
            # an IpPermission is never left empty
            assert p["IpRanges"] or p["Ipv6Ranges"] or p["PrefixListIds"] or p["UserIdGroupPairs"]
    from_rules = set()
    for r in rules_of(ec2, gid):
        assert r["GroupId"] == gid and r["GroupOwnerId"] == ACCOUNT
        assert r["SecurityGroupRuleId"].startswith("sgr-")
        has_ports = r["IpProtocol"] in ("tcp", "udp", "icmp", "icmpv6")
        ports = (r["FromPort"], r["ToPort"]) if has_ports else (-1, -1)
        if "CidrIpv4" in r:
            peer = ("v4", r["CidrIpv4"])
        elif "CidrIpv6" in r:
            peer = ("v6", r["CidrIpv6"])
        elif "PrefixListId" in r:
            peer = ("pl", r["PrefixListId"])
        else:
            peer = ("sg", r["ReferencedGroupInfo"]["GroupId"])
        from_rules.add((r["IsEgress"], r["IpProtocol"], ports) + peer + (r.get("Description"),))
    assert from_perms == from_rules
    return g


# ---- The lab's groups ----------------------------------------------------------------------------


def test_lab_groups(ec2, lab):
    vpc = lab["vpc"]
    sm = ec2.create_security_group(
        GroupName="sagemaker-studio", Description="SageMaker domain and apps", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": [{"Key": "Name", "Value": "sagemaker"}]}])
    assert sm["GroupId"].startswith("sg-") and len(sm["GroupId"]) == 20
    assert sm["Tags"] == [{"Key": "Name", "Value": "sagemaker"}]
    sm = sm["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=sm, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sm, "Description": "self"}]},
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
         "UserIdGroupPairs": [{"GroupId": sm, "Description": "NFS for EFS"}]}])
    assert out["Return"] is True
    made = out["SecurityGroupRules"]
    assert len(made) == 2 and all(r["SecurityGroupRuleId"].startswith("sgr-") for r in made)
    assert {(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in made} == {
        ("-1", -1, -1), ("tcp", 2049, 2049)}
    assert all(r["ReferencedGroupInfo"] == {"GroupId": sm, "UserId": ACCOUNT} for r in made)
    assert all(r["IsEgress"] is False and r["GroupId"] == sm for r in made)

    ep = ec2.create_security_group(GroupName="vpc-endpoints", Description="Interface endpoints",
                                   VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=ep, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": sm}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "192.168.0.0/16", "Description": "VPC"}]}])
    assert len(out["SecurityGroupRules"]) == 2

    g = consistent(ec2, sm)
    assert g["GroupName"] == "sagemaker-studio" and g["Description"] == "SageMaker domain and apps"
    assert g["VpcId"] == vpc and g["OwnerId"] == ACCOUNT
    assert tags_of(g) == {"Name": "sagemaker"}
    assert sorted(g["IpPermissions"], key=lambda p: p["IpProtocol"]) == [
        {"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
         "UserIdGroupPairs": [{"Description": "self", "GroupId": sm, "UserId": ACCOUNT}]},
        {"FromPort": 2049, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [],
         "PrefixListIds": [], "ToPort": 2049,
         "UserIdGroupPairs": [{"Description": "NFS for EFS", "GroupId": sm, "UserId": ACCOUNT}]}]
    # a new group allows all outbound IPv4 traffic ("Security group rules", VPC User Guide)
    assert g["IpPermissionsEgress"] == [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
         "PrefixListIds": [], "UserIdGroupPairs": []}]
    e = consistent(ec2, ep)
    assert {p["IpProtocol"] for p in e["IpPermissions"]} == {"tcp", "-1"}
    assert len(rules_of(ec2, ep)) == 3  # two ingress, the default egress

    # the VPC's default group is there too, with its two rules (CreateVpc)
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name",
                                                         "Values": ["default"]}])["SecurityGroups"]
    assert len(default) == 1 and default[0]["Description"] == "default VPC security group"
    consistent(ec2, default[0]["GroupId"])
    assert len(ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]) == 3


def test_lab_groups_through_the_aws_cli(aws_cli, ec2, lab):
    vpc = lab["vpc"]
    rc, out, errtext = aws_cli("ec2", "create-security-group", "--group-name", "cli-sg",
                               "--description", "made by the CLI", "--vpc-id", vpc)
    assert rc == 0, errtext
    gid = json.loads(out)["GroupId"]
    rc, out, errtext = aws_cli("ec2", "authorize-security-group-ingress", "--group-id", gid,
                               "--protocol", "tcp", "--port", "443", "--cidr", "192.168.0.0/16")
    assert rc == 0, errtext
    assert json.loads(out)["Return"] is True
    rc, out, errtext = aws_cli("ec2", "authorize-security-group-ingress", "--group-id", gid,
                               "--ip-permissions",
                               f"IpProtocol=tcp,FromPort=2049,ToPort=2049,"
                               f"UserIdGroupPairs=[{{GroupId={gid}}}]")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "describe-security-groups", "--filters",
                               "Name=ip-permission.from-port,Values=2049", "--query",
                               "SecurityGroups[].GroupId")
    assert rc == 0 and json.loads(out) == [gid], errtext
    rc, out, errtext = aws_cli("ec2", "describe-security-group-rules", "--filters",
                               f"Name=group-id,Values={gid}")
    assert rc == 0 and len(json.loads(out)["SecurityGroupRules"]) == 3, errtext
    # the same rule again (real EC2's wording, hashicorp/terraform#1874)
    rc, out, errtext = aws_cli("ec2", "authorize-security-group-ingress", "--group-id", gid,
                               "--protocol", "tcp", "--port", "443", "--cidr", "192.168.0.0/16")
    assert rc != 0 and "InvalidPermission.Duplicate" in errtext
    assert ('the specified rule "peer: 192.168.0.0/16, TCP, from port: 443, to port: 443, ALLOW" '
            'already exists') in errtext
    rc, out, errtext = aws_cli("ec2", "revoke-security-group-ingress", "--group-id", gid,
                               "--protocol", "tcp", "--port", "443", "--cidr", "192.168.0.0/16")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "delete-security-group", "--group-id", gid, "--dry-run")
    assert rc != 0 and "DryRunOperation" in errtext
    rc, out, errtext = aws_cli("ec2", "delete-security-group", "--group-id", gid)
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "describe-security-groups", "--group-ids", gid)
    assert rc != 0 and "InvalidGroup.NotFound" in errtext


# ---- CreateSecurityGroup ---------------------------------------------------------------------------


def test_create_validation(ec2, lab):
    vpc = lab["vpc"]
    cases = [
        # real EC2 (pulumi/pulumi-awsx#477)
        ("sg-web", "d", "InvalidParameterValue",
         "Value (sg-web) for parameter GroupName is invalid. Group names may not be in the format "
         "sg-*."),
        # non-ASCII text (real EC2 for GroupDescription, hashicorp/terraform-provider-aws#43854;
        # the GroupName form is the same pattern, not verified)
        ("web", "s\u00e9curit\u00e9", "InvalidParameterValue",
         "Value (s\u00e9curit\u00e9) for parameter GroupDescription is invalid. Character sets "
         "beyond ASCII are not supported."),
        ("w\u00e9b", "d", "InvalidParameterValue",
         "Value (w\u00e9b) for parameter GroupName is invalid. Character sets beyond ASCII are not "
         "supported."),
        # a description outside the VPC set (real EC2, cds-snc/notification-terraform#561)
        ("web", "it's mine", "InvalidParameterValue",
         "Invalid security group description. Valid descriptions are strings less than 256 "
         "characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"),
        ("web", "x" * 256, "InvalidParameterValue",
         "Invalid security group description. Valid descriptions are strings less than 256 "
         "characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"),
        # the name's charset and length, and "default" (reserved for the VPC's own group):
        # EC2's wordings could not be found; code and status only
        ("web%", "d", "InvalidParameterValue", None),
        ("w" * 256, "d", "InvalidParameterValue", None),
        ("default", "d", "InvalidParameterValue", None),
    ]
    for name, desc, code, message in cases:
        status, got, text = fails(ec2.create_security_group, GroupName=name, Description=desc,
                                  VpcId=vpc)
        assert (status, got) == (400, code), name
        if message:
            assert text == message
    # the full allowed set and the maximum length are accepted
    ok = ec2.create_security_group(GroupName="a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
                                   Description="a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*" + "x" * 224,
                                   VpcId=vpc)["GroupId"]
    assert group(ec2, ok)["GroupName"] == "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
    ec2.create_security_group(GroupName="w" * 255, Description="d", VpcId=vpc)
    # a name taken in the VPC (real EC2, hashicorp/terraform#15428); the same name elsewhere is fine
    ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)
    assert fails(ec2.create_security_group, GroupName="web", Description="d", VpcId=vpc) == (
        400, "InvalidGroup.Duplicate", f"The security group 'web' already exists for VPC '{vpc}'")
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_security_group(GroupName="web", Description="d", VpcId=other)
    # unknown and malformed VPCs
    assert fails(ec2.create_security_group, GroupName="x", Description="d",
                 VpcId="vpc-0123456789abcdef0") == (
        400, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
    assert fails(ec2.create_security_group, GroupName="x", Description="d", VpcId="vpc-1")[1] == (
        "InvalidVpcID.Malformed")
    # tags go on with TagSpecifications of the security-group type only
    status, code, text = fails(ec2.create_security_group, GroupName="x", Description="d",
                               VpcId=vpc, TagSpecifications=[
                                   {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert (status, code) == (400, "InvalidParameterValue")
    # nothing was created by the failed calls
    names = {g["GroupName"] for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]}
    assert names == {"default", "web", "w" * 255, "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"}


def test_default_vpc_groups(ec2):
    # without a default VPC a group needs a VpcId (real EC2, rancher-archives/quickstart#126)
    assert fails(ec2.create_security_group, GroupName="web", Description="d") == (
        400, "VPCIdNotSpecified", "No default VPC for this user")
    assert fails(ec2.describe_security_groups, GroupNames=["default"]) == (
        400, "VPCIdNotSpecified", "No default VPC for this user")
    dvpc = ec2.create_default_vpc()["Vpc"]["VpcId"]
    gid = ec2.create_security_group(GroupName="web", Description="d")["GroupId"]
    assert group(ec2, gid)["VpcId"] == dvpc
    # GroupNames name groups of the default VPC
    got = ec2.describe_security_groups(GroupNames=["web", "default"])["SecurityGroups"]
    assert sorted(g["GroupName"] for g in got) == ["default", "web"]
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_security_group(GroupName="elsewhere", Description="d", VpcId=other)
    # real EC2's wording (mitchellh/vagrant-aws#231)
    assert fails(ec2.describe_security_groups, GroupNames=["elsewhere"]) == (
        400, "InvalidGroup.NotFound",
        f"The security group 'elsewhere' does not exist in default VPC '{dvpc}'")
    # rules and deletion by name in the default VPC
    ec2.authorize_security_group_ingress(GroupName="web", IpProtocol="tcp", FromPort=80,
                                         ToPort=80, CidrIp="0.0.0.0/0")
    g = consistent(ec2, gid)
    assert g["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    # in a default VPC a revoke of rules that do not exist answers them in UnknownIpPermissions
    # and revokes the rest (RevokeSecurityGroupIngress API Reference)
    out = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 80, 80, cidrs=["0.0.0.0/0"]), perm("tcp", 81, 81, cidrs=["10.0.0.0/8"])])
    assert out["Return"] is True
    assert out["UnknownIpPermissions"] == [
        {"FromPort": 81, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
         "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 81, "UserIdGroupPairs": []}]
    assert group(ec2, gid)["IpPermissions"] == []
    ec2.delete_security_group(GroupName="web")
    assert fails(ec2.describe_security_groups, GroupIds=[gid])[1] == "InvalidGroup.NotFound"


# ---- DescribeSecurityGroups ----------------------------------------------------------------------


def test_describe_filters(ec2, lab):
    vpc = lab["vpc"]
    a = ec2.create_security_group(GroupName="alpha", Description="first group", VpcId=vpc,
                                  TagSpecifications=[{"ResourceType": "security-group",
                                                      "Tags": [{"Key": "team", "Value": "ml"}]}]
                                  )["GroupId"]
    b = ec2.create_security_group(GroupName="beta", Description="second group",
                                  VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=a, IpPermissions=[
        perm("tcp", 22, 22, cidrs=["10.0.0.0/8"]),
        perm("udp", 53, 53, v6=["2001:db8::/32"]),
        perm("tcp", 443, 443, lists=[S3_PREFIX_LIST]),
        perm("icmp", 8, 0, groups=[b])])
    ec2.authorize_security_group_egress(GroupId=b, IpPermissions=[
        perm("tcp", 5432, 5433, cidrs=["172.16.0.0/12"]),
        perm("50", cidrs=["10.1.0.0/16"]),
        perm("tcp", 443, 443, groups=[a], v6=["::/0"], lists=[S3_PREFIX_LIST])])
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]

    def f(name, *values):
        return sorted(g["GroupId"] for g in ec2.describe_security_groups(
            Filters=[{"Name": name, "Values": list(values)},
                     {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"])

    everyone = sorted([a, b, default])
    assert f("group-id", a) == [a]
    assert f("group-name", "beta") == [b]
    assert f("group-name", "*a") == sorted([a, b])  # wildcards
    assert f("description", "first*") == [a]
    assert f("owner-id", ACCOUNT) == everyone
    assert f("vpc-id", vpc) == everyone
    assert f("tag:team", "ml") == [a]
    assert f("tag-key", "team") == [a]
    assert f("ip-permission.cidr", "10.0.0.0/8") == [a]
    assert f("ip-permission.from-port", "22") == [a]
    assert f("ip-permission.to-port", "53") == [a]
    # "tcp | udp | icmp, a protocol number, or -1"
    assert f("ip-permission.protocol", "udp") == [a]
    assert f("ip-permission.protocol", "17") == [a]
    assert f("ip-permission.protocol", "-1") == [default]  # the default group's self rule
    assert f("ip-permission.ipv6-cidr", "2001:db8::/32") == [a]
    assert f("ip-permission.prefix-list-id", S3_PREFIX_LIST) == [a]
    assert f("ip-permission.group-id", b) == [a]
    assert f("ip-permission.group-id", default) == [default]
    assert f("ip-permission.group-name", "beta") == [a]
    assert f("ip-permission.user-id", ACCOUNT) == sorted([a, default])
    assert f("egress.ip-permission.cidr", "172.16.0.0/12") == [b]
    assert f("egress.ip-permission.cidr", "0.0.0.0/0") == everyone
    assert f("egress.ip-permission.from-port", "5432") == [b]
    assert f("egress.ip-permission.to-port", "5433") == [b]
    assert f("egress.ip-permission.protocol", "50") == [b]
    assert f("egress.ip-permission.protocol", "tcp") == [b]
    assert f("egress.ip-permission.protocol", "6") == [b]
    assert f("egress.ip-permission.ipv6-cidr", "::/0") == [b]
    assert f("egress.ip-permission.prefix-list-id", S3_PREFIX_LIST) == [b]
    assert f("egress.ip-permission.group-id", a) == [b]
    assert f("egress.ip-permission.group-name", "alpha") == [b]
    assert f("egress.ip-permission.user-id", ACCOUNT) == [b]
    # "any combination of rules - not necessarily a single rule - match all filters"
    both = ec2.describe_security_groups(Filters=[
        {"Name": "ip-permission.cidr", "Values": ["10.0.0.0/8"]},
        {"Name": "ip-permission.protocol", "Values": ["udp"]}])["SecurityGroups"]
    assert [g["GroupId"] for g in both] == [a]
    # ids and filters together; unknown filters (EC2's wording, see test_ec2_vpc.py)
    got = ec2.describe_security_groups(GroupIds=[a, b], Filters=[
        {"Name": "group-name", "Values": ["beta"]}])["SecurityGroups"]
    assert [g["GroupId"] for g in got] == [b]
    assert fails(ec2.describe_security_groups, Filters=[{"Name": "port", "Values": ["22"]}]) == (
        400, "InvalidParameterValue", "The filter 'port' is invalid")


def test_describe_ids_and_pagination(ec2, lab):
    vpc = lab["vpc"]
    made = [ec2.create_security_group(GroupName=f"g{i}", Description="d", VpcId=vpc)["GroupId"]
            for i in range(12)]
    seen = []
    sizes = []
    for page in ec2.get_paginator("describe_security_groups").paginate(
            Filters=[{"Name": "group-name", "Values": ["g*"]}], PaginationConfig={"PageSize": 5}):
        seen += [g["GroupId"] for g in page["SecurityGroups"]]
        sizes.append(len(page["SecurityGroups"]))
    assert sorted(seen) == sorted(made)
    assert sizes[:2] == [5, 5]
    # rules page the same way
    seen = []
    for page in ec2.get_paginator("describe_security_group_rules").paginate(
            PaginationConfig={"PageSize": 5}):
        seen += [r["SecurityGroupRuleId"] for r in page["SecurityGroupRules"]]
    assert len(seen) == len(set(seen)) == 12 + 2  # one egress rule each, the default's two
    # MaxResults is 5..1000 (the model) and not combined with ids (EC2 API Reference,
    # "Pagination"; the list's name in the message could not be verified)
    status, code, _ = fails(ec2.describe_security_groups, GroupIds=[made[0]], MaxResults=5)
    assert (status, code) == (400, "InvalidParameterCombination")
    status, code, _ = fails(ec2.describe_security_group_rules, SecurityGroupRuleIds=[seen[0]],
                            MaxResults=5)
    assert (status, code) == (400, "InvalidParameterCombination")
    # malformed and unknown ids (InvalidGroupId.Malformed: real EC2's wording,
    # hashicorp/terraform-provider-aws#6104)
    assert fails(ec2.describe_security_groups, GroupIds=["sg-123"]) == (
        400, "InvalidGroupId.Malformed", 'Invalid id: "sg-123" (expecting "sg-...")')
    assert fails(ec2.describe_security_groups, GroupIds=["sg-0123456789abcdef0"]) == (
        400, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")
    status, code, _ = fails(ec2.describe_security_group_rules,
                            SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert (status, code) == (400, "InvalidSecurityGroupRuleId.NotFound")
    got = ec2.describe_security_group_rules(SecurityGroupRuleIds=[seen[0], seen[1]])
    assert sorted(r["SecurityGroupRuleId"] for r in got["SecurityGroupRules"]) == sorted(seen[:2])
    got = ec2.describe_security_group_rules(Filters=[
        {"Name": "security-group-rule-id", "Values": [seen[3]]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == [seen[3]]


# ---- Authorize -----------------------------------------------------------------------------------


def test_authorize_validation(ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="far", Description="d",
                                        VpcId=other_vpc)["GroupId"]
    cases = [
        # real EC2 wordings: aws/aws-cli#508, aws/aws-sdk-go-v2#1203, aws/aws-cli#1066,
        # lucidsoftware/cumulus#64, terraform-aws-modules/terraform-aws-security-group#7,
        # aws/aws-cli#2428, terraform-provider-aws#1793 ("all" is not a protocol)
        ([perm("tcpp", 1, 2, cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "Invalid value 'tcpp' for IP protocol. Unknown protocol."),
        ([perm("all", cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "Invalid value 'all' for IP protocol. Unknown protocol."),
        ([perm("256", cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "Invalid value '256' for IP protocol. Unknown protocol."),
        ([perm("tcp", cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."),
        ([{"IpProtocol": "udp", "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
         "InvalidParameterValue",
         "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."),
        ([perm("tcp", -1, -1, cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "TCP/UDP (from) port (-1) out of range"),
        ([perm("tcp", 80, 70000, cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "TCP/UDP (to) port (70000) out of range"),
        ([perm("icmp", cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "Invalid value 'Must specify both from and to ports with ICMP.' for portRange."),
        ([perm("icmp", 0, 65535, cidrs=["10.0.0.0/8"])], "InvalidParameterValue",
         "ICMP code (65535) out of range"),
        ([perm("tcp", 22, 22, cidrs=["10.0.0.0/33"])], "InvalidParameterValue",
         "CIDR block 10.0.0.0/33 is malformed"),
        ([perm("tcp", 22, 22, cidrs=["10.0.0.1"])], "InvalidParameterValue",
         "CIDR block 10.0.0.1 is malformed"),
        ([perm("tcp", 22, 22, v6=["::/0"], cidrs=["::/0"])], "InvalidParameterValue",
         "CIDR block ::/0 is malformed"),
        ([perm("tcp", 22, 22, v6=["2001:db8::/129"])], "InvalidParameterValue",
         "CIDR block 2001:db8::/129 is malformed"),
        # a permission without source (real EC2, boto/boto3#1078)
        ([perm("tcp", 22, 22)], "MissingParameter",
         "Missing source specification: include source security group or CIDR information"),
        # the same rule twice in one request (real EC2, input-output-hk/bitte#24)
        ([perm("tcp", 22, 22, cidrs=["10.0.0.0/8"]), perm("tcp", 22, 22, cidrs=["10.0.0.0/8"])],
         "InvalidParameterValue", "The same permission must not appear multiple times"),
        # rule descriptions (real EC2, agentic-community/mcp-gateway-registry#1728)
        ([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
           "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "a -> b"}]}],
         "InvalidParameterValue",
         "Invalid rule description. Valid descriptions are strings less than 256 characters from "
         "the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"),
        # referenced groups: unknown, malformed, of another VPC (real EC2's wording,
        # ansible/ansible#30053)
        ([perm("tcp", 22, 22, groups=["sg-0123456789abcdef0"])], "InvalidGroup.NotFound",
         "The security group 'sg-0123456789abcdef0' does not exist"),
        ([perm("tcp", 22, 22, groups=["sg-12"])], "InvalidGroupId.Malformed",
         'Invalid id: "sg-12" (expecting "sg-...")'),
        ([perm("tcp", 22, 22, groups=[foreign])], "InvalidGroup.NotFound",
         "You have specified two resources that belong to different networks."),
        # prefix lists: unknown (the kinds table's NotFound), malformed
        ([perm("tcp", 443, 443, lists=["pl-0123456789abcdef0"])], "InvalidPrefixListID.NotFound",
         "The prefix list ID 'pl-0123456789abcdef0' does not exist"),
        ([perm("tcp", 443, 443, lists=["pl-x"])], "InvalidPrefixListId.Malformed", None),
        # reversed ranges and bad ICMP types: EC2's wordings could not be found
        ([perm("tcp", 80, 70, cidrs=["10.0.0.0/8"])], "InvalidParameterValue", None),
        ([perm("icmp", 300, 0, cidrs=["10.0.0.0/8"])], "InvalidParameterValue", None),
        ([perm("icmp", -1, 0, cidrs=["10.0.0.0/8"])], "InvalidParameterValue", None),
    ]
    for perms, code, message in cases:
        status, got, text = fails(ec2.authorize_security_group_ingress, GroupId=gid,
                                  IpPermissions=perms)
        assert (status, got) == (400, code), perms
        if message:
            assert text == message, perms
    # a group that does not exist (the kinds table's wording, real EC2's for security groups)
    assert fails(ec2.authorize_security_group_ingress, GroupId="sg-0123456789abcdef0",
                 IpPermissions=[perm("tcp", 22, 22, cidrs=["10.0.0.0/8"])]) == (
        400, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")
    status, code, _ = fails(ec2.authorize_security_group_ingress, GroupId=gid)
    assert (status, code) == (400, "MissingParameter")
    # the legacy top-level form needs its protocol, and does not mix with IpPermissions
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid, CidrIp="10.0.0.0/8")[:2] == (
        400, "MissingParameter")
    status, code, _ = fails(ec2.authorize_security_group_ingress, GroupId=gid, IpProtocol="tcp",
                            FromPort=1, ToPort=2, CidrIp="10.0.0.0/8",
                            IpPermissions=[perm("tcp", 3, 3, cidrs=["10.0.0.0/8"])])
    assert (status, code) == (400, "InvalidParameterCombination")
    # egress takes IP permissions only
    status, code, _ = fails(ec2.authorize_security_group_egress, GroupId=gid, IpProtocol="tcp",
                            FromPort=1, ToPort=2, CidrIp="10.0.0.0/8")
    assert status == 400
    # nothing of that was stored
    assert group(ec2, gid)["IpPermissions"] == []
    assert len(rules_of(ec2, gid)) == 1


def test_authorize_kinds_of_rules(ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    peer = ec2.create_security_group(GroupName="peer", Description="d", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        # protocol numbers of tcp/udp/icmp are shown as names; others as numbers, without ports
        perm("6", 8000, 8100, cidrs=["10.1.2.3/16"]),
        perm("50", 1, 2, cidrs=["10.2.0.0/16"]),
        perm("icmp", -1, -1, cidrs=["0.0.0.0/0"]),
        perm("icmp", 3, 4, cidrs=["0.0.0.0/0"]),
        # ICMPv6 ports are optional: all types and codes
        perm("icmpv6", v6=["2001:DB8::/32"]),
        perm("tcp", 443, 443, lists=[S3_PREFIX_LIST]),
        # a source by group name is resolved in the group's VPC
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53,
         "UserIdGroupPairs": [{"GroupName": "peer", "UserId": ACCOUNT}]},
    ])
    made = {(r["IpProtocol"], r["FromPort"], r["ToPort"]): r for r in out["SecurityGroupRules"]}
    assert set(made) == {("tcp", 8000, 8100), ("50", -1, -1), ("icmp", -1, -1), ("icmp", 3, 4),
                         ("icmpv6", -1, -1), ("tcp", 443, 443), ("udp", 53, 53)}
    # CIDRs keep their host bits and IPv6 text is normalized (RFC 5952)
    assert made[("tcp", 8000, 8100)]["CidrIpv4"] == "10.1.2.3/16"
    assert made[("icmpv6", -1, -1)]["CidrIpv6"] == "2001:db8::/32"
    assert made[("tcp", 443, 443)]["PrefixListId"] == S3_PREFIX_LIST
    assert made[("udp", 53, 53)]["ReferencedGroupInfo"] == {"GroupId": peer, "UserId": ACCOUNT}
    g = consistent(ec2, gid)
    esp = [p for p in g["IpPermissions"] if p["IpProtocol"] == "50"][0]
    assert "FromPort" not in esp and "ToPort" not in esp
    assert len(g["IpPermissions"]) == 7
    # two sources with the same protocol and ports share one IpPermission
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 8000, 8100, cidrs=["172.16.0.0/12"], groups=[peer])])
    g = consistent(ec2, gid)
    tcp = [p for p in g["IpPermissions"] if p.get("FromPort") == 8000][0]
    assert [r["CidrIp"] for r in tcp["IpRanges"]] == ["10.1.2.3/16", "172.16.0.0/12"]
    assert [r["GroupId"] for r in tcp["UserIdGroupPairs"]] == [peer]
    # duplicates of stored rules: real EC2's text for tcp, for "ALL" and for a protocol number
    # (hashicorp/terraform#1874, lucidsoftware/cumulus#101, ansible/ansible-modules-core#3258)
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[perm("6", 8000, 8100, groups=[peer])]) == (
        400, "InvalidPermission.Duplicate",
        f'the specified rule "peer: {peer}, TCP, from port: 8000, to port: 8100, ALLOW" already '
        'exists')
    assert fails(ec2.authorize_security_group_egress, GroupId=gid,
                 IpPermissions=[perm("-1", cidrs=["0.0.0.0/0"])]) == (
        400, "InvalidPermission.Duplicate",
        'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists')
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[perm("50", cidrs=["10.2.0.0/16"])]) == (
        400, "InvalidPermission.Duplicate",
        'the specified rule "peer: 10.2.0.0/16, protocol: 50, ALLOW" already exists')
    # one bad permission refuses the whole request
    fails(ec2.authorize_security_group_ingress, GroupId=gid, IpPermissions=[
        perm("tcp", 9000, 9000, cidrs=["10.0.0.0/8"]), perm("tcp", 22, 22, cidrs=["bogus"])])
    assert not [p for p in group(ec2, gid)["IpPermissions"] if p.get("FromPort") == 9000]
    # egress rules with tags on them
    out = ec2.authorize_security_group_egress(
        GroupId=gid, IpPermissions=[perm("tcp", 443, 443, groups=[gid])],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "purpose", "Value": "self-https"}]}])
    rule = out["SecurityGroupRules"][0]
    assert rule["IsEgress"] is True and tags_of(rule) == {"purpose": "self-https"}
    got = ec2.describe_security_group_rules(Filters=[
        {"Name": "tag:purpose", "Values": ["self-https"]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == [rule["SecurityGroupRuleId"]]
    consistent(ec2, gid)


def test_rules_quota(ec2, lab):
    gid = ec2.create_security_group(GroupName="big", Description="d",
                                    VpcId=lab["vpc"])["GroupId"]
    # 60 inbound IPv4 rules ("Inbound or outbound rules per security group", Amazon VPC quotas)
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 1000 + i, 1000 + i, cidrs=["10.0.0.0/8"]) for i in range(60)])
    # the 61st: real EC2 (aws-samples/aws-cloudfront-samples#53)
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[perm("tcp", 22, 22, cidrs=["10.0.0.0/8"])]) == (
        400, "RulesPerSecurityGroupLimitExceeded",
        "The maximum number of rules per security group has been reached.")
    # IPv6 rules are counted apart; a group reference counts for both
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 22, 22, v6=["2001:db8::/32"])])
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[perm("tcp", 22, 22, groups=[gid])])[1] == (
        "RulesPerSecurityGroupLimitExceeded")
    # the outbound quota is separate: 59 more egress rules fit next to the default one
    ec2.authorize_security_group_egress(GroupId=gid, IpPermissions=[
        perm("tcp", 2000 + i, 2000 + i, cidrs=["10.0.0.0/8"]) for i in range(59)])
    assert fails(ec2.authorize_security_group_egress, GroupId=gid,
                 IpPermissions=[perm("udp", 1, 1, cidrs=["10.0.0.0/8"])])[1] == (
        "RulesPerSecurityGroupLimitExceeded")
    assert len(rules_of(ec2, gid)) == 60 + 1 + 60


# ---- Revoke --------------------------------------------------------------------------------------


def test_revoke(ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    made = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 22, 22, cidrs=["10.0.0.0/8", "172.16.0.0/12"]),
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "web"}]},
        perm("udp", 53, 53, groups=[gid])])["SecurityGroupRules"]
    by_port = {(r["FromPort"], r.get("CidrIpv4")): r["SecurityGroupRuleId"] for r in made}
    # by rule properties; a description need not be given (API Reference)
    out = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 443, 443, cidrs=["0.0.0.0/0"])])
    assert out["Return"] is True and "UnknownIpPermissions" not in out
    g = consistent(ec2, gid)
    assert not [p for p in g["IpPermissions"] if p.get("FromPort") == 443]  # emptied, removed
    # in a nondefault VPC a rule that does not exist is InvalidPermission.NotFound and nothing is
    # revoked (API Reference; wording real EC2's, cloud-custodian/cloud-custodian#9656)
    assert fails(ec2.revoke_security_group_ingress, GroupId=gid, IpPermissions=[
        perm("tcp", 22, 22, cidrs=["10.0.0.0/8"]), perm("tcp", 23, 23, cidrs=["10.0.0.0/8"])]) == (
        400, "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.")
    assert len(rules_of(ec2, gid)) == 4
    # by rule ids
    ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[by_port[(22,
                                                                                   "10.0.0.0/8")]])
    g = consistent(ec2, gid)
    ssh = [p for p in g["IpPermissions"] if p.get("FromPort") == 22][0]
    assert ssh["IpRanges"] == [{"CidrIp": "172.16.0.0/12"}]
    status, code, _ = fails(ec2.revoke_security_group_ingress, GroupId=gid,
                            SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert (status, code) == (400, "InvalidSecurityGroupRuleId.NotFound")
    # an egress rule's id is not an ingress rule
    egress_id = [r for r in rules_of(ec2, gid) if r["IsEgress"]][0]["SecurityGroupRuleId"]
    status, code, _ = fails(ec2.revoke_security_group_ingress, GroupId=gid,
                            SecurityGroupRuleIds=[egress_id])
    assert code == "InvalidSecurityGroupRuleId.NotFound"
    # the egress allow-all rule can go, leaving the group without outbound rules
    ec2.revoke_security_group_egress(GroupId=gid, IpPermissions=[perm("-1", cidrs=["0.0.0.0/0"])])
    g = consistent(ec2, gid)
    assert g["IpPermissionsEgress"] == []
    ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("udp", 53, 53, groups=[gid]), perm("tcp", 22, 22, cidrs=["172.16.0.0/12"])])
    assert consistent(ec2, gid)["IpPermissions"] == []
    assert rules_of(ec2, gid) == []


# ---- Modify and describe rules -------------------------------------------------------------------


def test_modify_rules_and_descriptions(ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    peer = ec2.create_security_group(GroupName="peer", Description="d", VpcId=vpc)["GroupId"]
    made = ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 22, 22, cidrs=["10.0.0.0/8"]), perm("tcp", 80, 80, cidrs=["10.0.0.0/8"])],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "k", "Value": "v"}]}])["SecurityGroupRules"]
    ssh = [r for r in made if r["FromPort"] == 22][0]["SecurityGroupRuleId"]
    web = [r for r in made if r["FromPort"] == 80][0]["SecurityGroupRuleId"]
    out = ec2.modify_security_group_rules(GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": ssh,
         "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222,
                               "ReferencedGroupId": peer, "Description": "jump host"}}])
    assert out["Return"] is True
    r = ec2.describe_security_group_rules(SecurityGroupRuleIds=[ssh])["SecurityGroupRules"][0]
    assert (r["FromPort"], r["ToPort"]) == (2222, 2222)
    assert r["ReferencedGroupInfo"]["GroupId"] == peer and "CidrIpv4" not in r
    assert r["Description"] == "jump host" and tags_of(r) == {"k": "v"}  # id and tags stay
    g = consistent(ec2, gid)
    assert not [p for p in g["IpPermissions"] if p.get("FromPort") == 22]
    # into a duplicate of another rule of the group
    assert fails(ec2.modify_security_group_rules, GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": ssh,
         "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                               "CidrIpv4": "10.0.0.0/8"}}])[1] == "InvalidPermission.Duplicate"
    # a rule of another group, an unknown rule, two sources
    other_rule = rules_of(ec2, peer)[0]["SecurityGroupRuleId"]
    assert fails(ec2.modify_security_group_rules, GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": other_rule,
         "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "1.0.0.0/8"}}])[1] == (
        "InvalidSecurityGroupRuleId.NotFound")
    status, code, _ = fails(ec2.modify_security_group_rules, GroupId=gid, SecurityGroupRules=[
        {"SecurityGroupRuleId": web,
         "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "1.0.0.0/8",
                               "CidrIpv6": "::/0"}}])
    assert status == 400
    consistent(ec2, gid)

    # UpdateSecurityGroupRuleDescriptionsIngress by IpPermissions and by rule id
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "intranet http"}]}])
    g = consistent(ec2, gid)
    http = [p for p in g["IpPermissions"] if p.get("FromPort") == 80][0]
    assert http["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "intranet http"}]
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, SecurityGroupRuleDescriptions=[
        {"SecurityGroupRuleId": ssh, "Description": "bastion"}])
    assert ec2.describe_security_group_rules(SecurityGroupRuleIds=[ssh])[
        "SecurityGroupRules"][0]["Description"] == "bastion"
    # omitting the description removes it
    ec2.update_security_group_rule_descriptions_ingress(GroupId=gid, IpPermissions=[
        perm("tcp", 80, 80, cidrs=["10.0.0.0/8"])])
    g = consistent(ec2, gid)
    assert [p for p in g["IpPermissions"] if p.get("FromPort") == 80][0]["IpRanges"] == [
        {"CidrIp": "10.0.0.0/8"}]
    assert fails(ec2.update_security_group_rule_descriptions_ingress, GroupId=gid, IpPermissions=[
        perm("tcp", 81, 81, cidrs=["10.0.0.0/8"])]) == (
        400, "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.")
    egress = [r for r in rules_of(ec2, gid) if r["IsEgress"]][0]["SecurityGroupRuleId"]
    ec2.update_security_group_rule_descriptions_egress(GroupId=gid, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "anywhere"}]}])
    assert ec2.describe_security_group_rules(SecurityGroupRuleIds=[egress])[
        "SecurityGroupRules"][0]["Description"] == "anywhere"
    assert fails(ec2.update_security_group_rule_descriptions_egress, GroupId=gid,
                 SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": ssh,
                                                 "Description": "x"}])[1] == (
        "InvalidSecurityGroupRuleId.NotFound")
    assert fails(ec2.update_security_group_rule_descriptions_egress, GroupId=gid,
                 SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": egress,
                                                 "Description": "caf\u00e9"}])[1] == (
        "InvalidParameterValue")
    consistent(ec2, gid)


# ---- Delete --------------------------------------------------------------------------------------


def test_delete_and_dependencies(ec2, lab):
    vpc = lab["vpc"]
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    # real EC2's wording (matched by cleanup tools against EC2)
    assert fails(ec2.delete_security_group, GroupId=default) == (
        400, "CannotDelete",
        f'the specified group: "{default}" name: "default" cannot be deleted by a user')
    sm = ec2.create_security_group(GroupName="sagemaker", Description="d", VpcId=vpc)["GroupId"]
    ep = ec2.create_security_group(GroupName="endpoints", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sm, IpPermissions=[perm("-1", groups=[sm])])
    ec2.authorize_security_group_ingress(GroupId=ep, IpPermissions=[
        perm("tcp", 443, 443, groups=[sm])])
    # referenced by another group's rule (real EC2, hashicorp/terraform-provider-aws#1671)
    assert fails(ec2.delete_security_group, GroupId=sm) == (
        400, "DependencyViolation", f"resource {sm} has a dependent object")
    # a VPC with groups of its own cannot go (DeleteVpc)
    assert fails(ec2.delete_vpc, VpcId=vpc)[1] == "DependencyViolation"
    ec2.revoke_security_group_ingress(GroupId=ep, IpPermissions=[
        perm("tcp", 443, 443, groups=[sm])])
    # used by a network interface
    eni = ec2.create_network_interface(SubnetId=lab["subnets"][0],
                                       Groups=[sm])["NetworkInterface"]["NetworkInterfaceId"]
    assert fails(ec2.delete_security_group, GroupId=sm) == (
        400, "DependencyViolation", f"resource {sm} has a dependent object")
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    # a self-reference does not hold the group; its rules go with it
    ec2.delete_security_group(GroupId=sm)
    assert fails(ec2.delete_security_group, GroupId=sm) == (
        400, "InvalidGroup.NotFound", f"The security group '{sm}' does not exist")
    assert ec2.describe_security_group_rules(Filters=[
        {"Name": "group-id", "Values": [sm]}])["SecurityGroupRules"] == []
    assert fails(ec2.delete_security_group, GroupId="sg-1")[1] == "InvalidGroupId.Malformed"
    status, code, _ = fails(ec2.delete_security_group)
    assert (status, code) == (400, "MissingParameter")
    ec2.delete_security_group(GroupId=ep)
    for s in lab["subnets"]:
        ec2.delete_subnet(SubnetId=s)
    ec2.delete_vpc(VpcId=vpc)


# ---- DryRun, authorization, condition keys -------------------------------------------------------


def test_dry_run(ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    rule = rules_of(ec2, gid)[0]["SecurityGroupRuleId"]
    calls = [
        lambda: ec2.create_security_group(GroupName="x", Description="d", VpcId=vpc, DryRun=True),
        lambda: ec2.describe_security_groups(DryRun=True),
        lambda: ec2.describe_security_group_rules(DryRun=True),
        lambda: ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[perm("tcp", 1, 1, cidrs=["10.0.0.0/8"])], DryRun=True),
        lambda: ec2.authorize_security_group_egress(
            GroupId=gid, IpPermissions=[perm("tcp", 1, 1, cidrs=["10.0.0.0/8"])], DryRun=True),
        lambda: ec2.revoke_security_group_egress(GroupId=gid, SecurityGroupRuleIds=[rule],
                                                 DryRun=True),
        lambda: ec2.revoke_security_group_ingress(
            GroupId=gid, IpPermissions=[perm("tcp", 1, 1, cidrs=["10.0.0.0/8"])], DryRun=True),
        lambda: ec2.modify_security_group_rules(GroupId=gid, DryRun=True, SecurityGroupRules=[
            {"SecurityGroupRuleId": rule,
             "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "10.0.0.0/8"}}]),
        lambda: ec2.update_security_group_rule_descriptions_egress(
            GroupId=gid, DryRun=True,
            SecurityGroupRuleDescriptions=[{"SecurityGroupRuleId": rule, "Description": "x"}]),
        lambda: ec2.delete_security_group(GroupId=gid, DryRun=True),
    ]
    for call in calls:
        # 412 DryRunOperation (real EC2, getmoto/moto#1980)
        assert fails(call) == (412, "DryRunOperation",
                               "Request would have succeeded, but DryRun flag is set.")
    g = consistent(ec2, gid)
    assert g["IpPermissions"] == [] and len(g["IpPermissionsEgress"]) == 1
    assert "Description" not in rules_of(ec2, gid)[0]
    assert len(ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]) == 2
    # an invalid request answers its error, not DryRunOperation
    assert fails(ec2.authorize_security_group_ingress, GroupId=gid, DryRun=True,
                 IpPermissions=[perm("tcp", cidrs=["10.0.0.0/8"])])[1] == "InvalidParameterValue"


def denial(user, action, resource):
    return (f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:"
            f"user/{user} is not authorized to perform: {action} on resource: {resource} because "
            f"no identity-based policy allows the {action} action")


def test_denied_caller(client, ec2, lab):
    vpc = lab["vpc"]
    gid = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    bob = make_user(client, "bob", allow(stmt(["ec2:Describe*"])))
    assert fails(bob.create_security_group, GroupName="x", Description="d", VpcId=vpc) == (
        403, "UnauthorizedOperation",
        denial("bob", "ec2:CreateSecurityGroup", arn("security-group", "*")))
    assert fails(bob.authorize_security_group_ingress, GroupId=gid,
                 IpPermissions=[perm("tcp", 22, 22, cidrs=["0.0.0.0/0"])]) == (
        403, "UnauthorizedOperation",
        denial("bob", "ec2:AuthorizeSecurityGroupIngress", arn("security-group", gid)))
    assert fails(bob.delete_security_group, GroupId=gid) == (
        403, "UnauthorizedOperation",
        denial("bob", "ec2:DeleteSecurityGroup", arn("security-group", gid)))
    # a caller without permission learns nothing of groups that do not exist
    assert fails(bob.delete_security_group, GroupId="sg-0123456789abcdef0")[:2] == (
        403, "UnauthorizedOperation")
    assert fails(bob.revoke_security_group_egress, GroupId=gid,
                 IpPermissions=[perm("-1", cidrs=["0.0.0.0/0"])])[:2] == (
        403, "UnauthorizedOperation")
    # describing is allowed; nothing changed
    assert len(bob.describe_security_groups(GroupIds=[gid])["SecurityGroups"]) == 1
    assert len(rules_of(ec2, gid)) == 1
    eve = make_user(client, "eve", allow(stmt(["iam:GetUser"])))
    assert fails(eve.describe_security_group_rules)[:2] == (403, "UnauthorizedOperation")


def test_condition_keys(client, ec2, lab):
    vpc = lab["vpc"]
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    mine = ec2.create_security_group(GroupName="mine", Description="d", VpcId=vpc,
                                     TagSpecifications=[{"ResourceType": "security-group",
                                                         "Tags": [{"Key": "team",
                                                                   "Value": "ml"}]}])["GroupId"]
    theirs = ec2.create_security_group(GroupName="theirs", Description="d",
                                       VpcId=other)["GroupId"]
    policy = allow(
        # rules only on groups of the lab VPC tagged team=ml (ec2:Vpc, ec2:ResourceTag)
        stmt(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
             arn("security-group", "*"),
             {"ArnEquals": {"ec2:Vpc": arn("vpc", vpc)},
              "StringEquals": {"ec2:ResourceTag/team": "ml"}}),
        # groups only in the lab VPC (decided on the VPC, ec2:VpcID) and only with a Name tag
        stmt(["ec2:CreateSecurityGroup"], arn("security-group", "*"),
             {"StringLike": {"aws:RequestTag/Name": "*"}}),
        stmt(["ec2:CreateSecurityGroup"], arn("vpc", "*"),
             {"StringEquals": {"ec2:VpcID": vpc}}),
        stmt(["ec2:CreateTags"], "*", {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}}),
        # deleting a group by its id (ec2:SecurityGroupID)
        stmt(["ec2:DeleteSecurityGroup"], "*", {"StringEquals": {"ec2:SecurityGroupID": theirs}}),
        stmt(["ec2:Describe*"]))
    carol = make_user(client, "carol", policy)
    carol.authorize_security_group_ingress(GroupId=mine,
                                           IpPermissions=[perm("tcp", 22, 22,
                                                               cidrs=["10.0.0.0/8"])])
    assert fails(carol.authorize_security_group_ingress, GroupId=theirs,
                 IpPermissions=[perm("tcp", 22, 22, cidrs=["10.0.0.0/8"])])[:2] == (
        403, "UnauthorizedOperation")
    # tagging the new rules needs the security-group-rule resource and ec2:CreateTags
    # ("Policies using the security-group-rule resource-level permission are only enforced when
    # the API request includes TagSpecifications", Service Authorization Reference)
    status, code, text = fails(carol.authorize_security_group_ingress, GroupId=mine,
                               IpPermissions=[perm("tcp", 23, 23, cidrs=["10.0.0.0/8"])],
                               TagSpecifications=[{"ResourceType": "security-group-rule",
                                                   "Tags": [{"Key": "a", "Value": "b"}]}])
    assert (status, code) == (403, "UnauthorizedOperation")
    assert arn("security-group-rule", "*") in text
    made = carol.create_security_group(GroupName="new", Description="d", VpcId=vpc,
                                       TagSpecifications=[{"ResourceType": "security-group",
                                                           "Tags": [{"Key": "Name",
                                                                     "Value": "n"}]}])
    assert made["Tags"] == [{"Key": "Name", "Value": "n"}]
    assert fails(carol.create_security_group, GroupName="new2", Description="d", VpcId=vpc)[:2] == (
        403, "UnauthorizedOperation")  # no Name tag
    status, code, text = fails(carol.create_security_group, GroupName="new3", Description="d",
                               VpcId=other, TagSpecifications=[{"ResourceType": "security-group",
                                                                "Tags": [{"Key": "Name",
                                                                          "Value": "n"}]}])
    assert (status, code) == (403, "UnauthorizedOperation") and arn("vpc", other) in text
    assert fails(carol.delete_security_group, GroupId=mine)[:2] == (403, "UnauthorizedOperation")
    carol.delete_security_group(GroupId=theirs)
