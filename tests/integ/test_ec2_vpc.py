# SPDX-License-Identifier: Apache-2.0
# The EC2 network foundation through Debian's boto3 and AWS CLI v2 against the real daemon: VPCs,
# subnets, Availability Zones and regions, DHCP options sets, tags, Describe* filters and
# pagination, DryRun, authorization with EC2's condition keys, dependency errors, the default
# VPC, and state that survives a restart. The lab network of the scenario (a VPC 192.168.0.0/16
# with DNS support and hostnames, two private /20 subnets in two zones) is built first.
#
# Expected codes, statuses and messages are AWS's, each with its source:
#   - EC2 API Reference: each action's page (filters, MaxResults 5..1000, DryRun) and
#     "Error codes for the Amazon EC2 API" (errors-overview.html);
#   - Amazon VPC User Guide: "VPC CIDR blocks", "Subnet CIDR blocks" (5 reserved addresses),
#     "Default VPCs", "DHCP option sets";
#   - real EC2 answers quoted in public issues, cited next to the assertion that uses them.
# Where EC2's wording could not be found, the test says so and checks only what is certain (the
# code and the status).
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"


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


def make_keys(client, name, policy):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def make_user(client, name, policy, region=REGION):
    key, secret = make_keys(client, name, policy)
    return client("ec2", key=key, secret=secret, region=region)


def health_state(daemon):
    import urllib.request
    with urllib.request.urlopen(daemon.endpoint + "/_sagebox/health", timeout=5) as r:
        return json.loads(r.read())["state"]


def vpc_arn(vpc_id, region=REGION):
    return f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{vpc_id}"


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def lab(ec2):
    """The scenario's network (step 2): VPC 192.168.0.0/16 with DNS support and hostnames and two
    private /20 subnets in us-east-1a and us-east-1b."""
    vpc = ec2.create_vpc(
        CidrBlock="192.168.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc",
                            "Tags": [{"Key": "Name", "Value": "sagemaker-vpc"},
                                     {"Key": "env", "Value": "lab"}]}])["Vpc"]
    vpc_id = vpc["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnets = []
    for cidr, az in (("192.168.0.0/20", "us-east-1a"), ("192.168.16.0/20", "us-east-1b")):
        subnets.append(ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
            TagSpecifications=[{"ResourceType": "subnet",
                                "Tags": [{"Key": "Name", "Value": f"private-{az[-1]}"}]}])["Subnet"])
    return {"vpc": vpc, "subnets": subnets}


# ---- The lab network ---------------------------------------------------------------------------


def test_lab_vpc_as_created_and_described(ec2, lab, daemon):
    vpc = lab["vpc"]
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    assert vpc["CidrBlock"] == "192.168.0.0/16"
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == ACCOUNT
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["IsDefault"] is False
    assert vpc["DhcpOptionsId"].startswith("dopt-")
    assoc = vpc["CidrBlockAssociationSet"]
    assert len(assoc) == 1 and assoc[0]["CidrBlock"] == "192.168.0.0/16"
    assert assoc[0]["AssociationId"].startswith("vpc-cidr-assoc-")
    assert assoc[0]["CidrBlockState"] == {"State": "associated"}
    assert tags_of(vpc) == {"Name": "sagemaker-vpc", "env": "lab"}
    assert "Ipv6CidrBlockAssociationSet" not in vpc

    described = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert described == [vpc]
    for attr, key in (("enableDnsSupport", "EnableDnsSupport"),
                      ("enableDnsHostnames", "EnableDnsHostnames"),
                      ("enableNetworkAddressUsageMetrics", "EnableNetworkAddressUsageMetrics")):
        out = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attr)
        assert out["VpcId"] == vpc["VpcId"]
        assert out[key] == {"Value": attr != "enableNetworkAddressUsageMetrics"}

    # What every VPC comes with: a main route table, the default network ACL, the default
    # security group with its two rules ("Default security groups for your VPCs"), and the
    # region's default DHCP options set. The families that describe them come later; the store's
    # counts show them.
    state = health_state(daemon)
    assert state["ec2.rtb"] == 1 and state["ec2.acl"] == 1
    assert state["ec2.sg"] == 1 and state["ec2.sgr"] == 2
    assert state["ec2.dopt"] == 1 and state["ec2.subnet"] == 2

    dopt = ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"][0]
    assert sorted(dopt["DhcpConfigurations"], key=lambda c: c["Key"]) == [
        {"Key": "domain-name", "Values": [{"Value": "ec2.internal"}]},
        {"Key": "domain-name-servers", "Values": [{"Value": "AmazonProvidedDNS"}]}]


def test_lab_subnets(ec2, lab):
    a, b = lab["subnets"]
    vpc_id = lab["vpc"]["VpcId"]
    assert a["CidrBlock"] == "192.168.0.0/20" and b["CidrBlock"] == "192.168.16.0/20"
    assert (a["AvailabilityZone"], b["AvailabilityZone"]) == ("us-east-1a", "us-east-1b")
    assert a["AvailabilityZoneId"].startswith("use1-az") and b["AvailabilityZoneId"] != a[
        "AvailabilityZoneId"]
    # 4096 addresses minus the 5 AWS reserves ("Subnet CIDR blocks")
    assert a["AvailableIpAddressCount"] == 4091
    assert a["SubnetArn"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{a['SubnetId']}"
    assert a["VpcId"] == vpc_id and a["State"] == "available" and a["OwnerId"] == ACCOUNT
    assert a["DefaultForAz"] is False and a["MapPublicIpOnLaunch"] is False
    assert a["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "ip-name"
    assert tags_of(a) == {"Name": "private-a"}
    got = ec2.describe_subnets(SubnetIds=[b["SubnetId"], a["SubnetId"]])["Subnets"]
    assert {s["SubnetId"] for s in got} == {a["SubnetId"], b["SubnetId"]}
    assert [s for s in got if s["SubnetId"] == a["SubnetId"]][0] == a

    ec2.modify_subnet_attribute(SubnetId=a["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    got = ec2.describe_subnets(SubnetIds=[a["SubnetId"]])["Subnets"][0]
    assert got["MapPublicIpOnLaunch"] is True
    ec2.modify_subnet_attribute(SubnetId=a["SubnetId"], PrivateDnsHostnameTypeOnLaunch="resource-name")
    got = ec2.describe_subnets(SubnetIds=[a["SubnetId"]])["Subnets"][0]
    assert got["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=a["SubnetId"], MapPublicIpOnLaunch={"Value": True},
                                    EnableDns64={"Value": True})
    assert err(e)[:2] == (400, "InvalidParameterCombination")


def test_lab_through_the_aws_cli(aws_cli):
    rc, out, errtext = aws_cli("ec2", "create-vpc", "--cidr-block", "192.168.0.0/16",
                               "--tag-specifications",
                               "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]")
    assert rc == 0, errtext
    vpc_id = json.loads(out)["Vpc"]["VpcId"]
    rc, out, errtext = aws_cli("ec2", "modify-vpc-attribute", "--vpc-id", vpc_id,
                               "--enable-dns-hostnames", "{\"Value\":true}")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block",
                               "192.168.0.0/20", "--availability-zone", "us-east-1a")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli-*")
    assert rc == 0, errtext
    assert [v["VpcId"] for v in json.loads(out)["Vpcs"]] == [vpc_id]
    rc, out, errtext = aws_cli("ec2", "describe-subnets", "--filters",
                               f"Name=vpc-id,Values={vpc_id}", "--query",
                               "Subnets[0].AvailableIpAddressCount")
    assert rc == 0 and out.strip() == "4091", errtext
    rc, out, errtext = aws_cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block",
                               "192.168.16.0/20", "--dry-run")
    assert rc != 0
    assert "DryRunOperation" in errtext and "Request would have succeeded, but DryRun flag is set." in errtext
    rc, out, errtext = aws_cli("ec2", "delete-vpc", "--vpc-id", vpc_id)
    assert rc != 0 and "DependencyViolation" in errtext
    rc, out, errtext = aws_cli("ec2", "describe-vpcs", "--vpc-ids", "vpc-nope")
    assert rc != 0 and 'Invalid id: "vpc-nope" (expecting "vpc-...")' in errtext


# ---- Filters -------------------------------------------------------------------------------------


def ids(items, key):
    return sorted(i[key] for i in items)


def test_vpc_filters(ec2, lab):
    vpc = lab["vpc"]
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    vid, oid = vpc["VpcId"], other["VpcId"]
    assoc = vpc["CidrBlockAssociationSet"][0]["AssociationId"]

    def f(name, *values):
        return ids(ec2.describe_vpcs(Filters=[{"Name": name, "Values": list(values)}])["Vpcs"],
                   "VpcId")

    assert f("cidr", "192.168.0.0/16") == [vid]
    assert f("cidr-block-association.cidr-block", "10.0.0.0/16") == [oid]
    assert f("cidr-block-association.association-id", assoc) == [vid]
    assert f("cidr-block-association.state", "associated") == sorted([vid, oid])
    assert f("dhcp-options-id", vpc["DhcpOptionsId"]) == sorted([vid, oid])
    assert f("is-default", "false") == sorted([vid, oid])
    assert f("is-default", "true") == []
    assert f("isDefault", "false") == sorted([vid, oid])
    assert f("owner-id", ACCOUNT) == sorted([vid, oid])
    assert f("state", "available") == sorted([vid, oid])
    assert f("state", "pending") == []
    assert f("vpc-id", vid) == [vid]
    assert f("vpc-id", vid, oid) == sorted([vid, oid])  # values are OR'ed
    assert f("vpc-id", "vpc-*") == sorted([vid, oid])  # wildcards
    assert f("tag:Name", "sagemaker-vpc") == [vid]
    assert f("tag:Name", "sagemaker-?pc") == [vid]
    assert f("tag-key", "env") == [vid]
    assert f("tag-value", "lab") == [vid]
    # filters are AND'ed
    both = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["192.168.0.0/16"]},
                                      {"Name": "tag:env", "Values": ["prod"]}])["Vpcs"]
    assert both == []
    # ids and filters together
    got = ec2.describe_vpcs(VpcIds=[vid, oid], Filters=[{"Name": "tag-key", "Values": ["Name"]}])
    assert ids(got["Vpcs"], "VpcId") == [vid]

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(Filters=[{"Name": "vpc-idd", "Values": ["x"]}])
    # the wording EC2 gives an unknown filter ("The filter 'vpc-id' is invalid",
    # mondoohq/mql#4454); InvalidParameterValue as the code is not checked against EC2 itself
    assert err(e) == (400, "InvalidParameterValue", "The filter 'vpc-idd' is invalid")


def test_subnet_filters(ec2, lab):
    a, b = lab["subnets"]
    vid = lab["vpc"]["VpcId"]
    ec2.modify_subnet_attribute(SubnetId=b["SubnetId"], MapPublicIpOnLaunch={"Value": True})

    def f(name, *values):
        return ids(ec2.describe_subnets(
            Filters=[{"Name": name, "Values": list(values)}])["Subnets"], "SubnetId")

    both = sorted([a["SubnetId"], b["SubnetId"]])
    assert f("availability-zone", "us-east-1a") == [a["SubnetId"]]
    assert f("availabilityZone", "us-east-1b") == [b["SubnetId"]]
    assert f("availability-zone-id", a["AvailabilityZoneId"]) == [a["SubnetId"]]
    assert f("available-ip-address-count", "4091") == both
    assert f("cidr-block", "192.168.16.0/20") == [b["SubnetId"]]
    assert f("cidr-block", "192.168.*") == both
    assert f("default-for-az", "false") == both
    assert f("map-public-ip-on-launch", "true") == [b["SubnetId"]]
    assert f("state", "available") == both
    assert f("subnet-id", a["SubnetId"]) == [a["SubnetId"]]
    assert f("subnet-arn", a["SubnetArn"]) == [a["SubnetId"]]
    assert f("vpc-id", vid) == both
    assert f("owner-id", ACCOUNT) == both
    assert f("tag:Name", "private-b") == [b["SubnetId"]]
    assert f("tag-key", "Name") == both
    assert f("vpc-id", "vpc-00000000000000000") == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_subnets(Filters=[{"Name": "zone", "Values": ["x"]}])
    assert err(e) == (400, "InvalidParameterValue", "The filter 'zone' is invalid")


# ---- Pagination --------------------------------------------------------------------------------


def test_pagination_of_vpcs_and_subnets(ec2):
    made = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16",
                           TagSpecifications=[{"ResourceType": "vpc", "Tags": [
                               {"Key": "parity", "Value": "even" if i % 2 == 0 else "odd"}]}]
                           )["Vpc"]["VpcId"] for i in range(35)]
    pages = []
    token = None
    while True:
        kw = {"MaxResults": 10}
        if token:
            kw["NextToken"] = token
        out = ec2.describe_vpcs(**kw)
        pages.append([v["VpcId"] for v in out["Vpcs"]])
        token = out.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [10, 10, 10, 5]
    assert sorted(sum(pages, [])) == sorted(made)

    # with a filter, pages are filled from what passes it
    paginator = ec2.get_paginator("describe_vpcs")
    got = []
    sizes = []
    for page in paginator.paginate(Filters=[{"Name": "tag:parity", "Values": ["even"]}],
                                   PaginationConfig={"PageSize": 5}):
        got += [v["VpcId"] for v in page["Vpcs"]]
        sizes.append(len(page["Vpcs"]))
    assert sorted(got) == sorted(made[0::2])
    assert sizes[:3] == [5, 5, 5]

    # subnets: 32 /24s of one VPC, 6 per page
    vpc = made[0]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"]
               for i in range(32)]
    seen = []
    for page in ec2.get_paginator("describe_subnets").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 6}):
        assert len(page["Subnets"]) <= 6
        seen += [s["SubnetId"] for s in page["Subnets"]]
    assert sorted(seen) == sorted(subnets)

    # MaxResults with explicit ids is refused ("If you call a describe API action with both a
    # list of IDs and MaxResults, the request fails with the error InvalidParameterCombination",
    # EC2 API Reference, "Pagination"; wording as EC2 answers it for volumes, aws/aws-cli#1976)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(VpcIds=[vpc], MaxResults=5)
    assert err(e) == (400, "InvalidParameterCombination",
                      "The parameter vpcSet cannot be used with the parameter maxResults")
    # a token that is not one of ours (wording of real EC2 for DescribeVpcs, boto/boto3#2673)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(NextToken="garbage")
    assert err(e) == (400, "InvalidParameterValue",
                      "Value ( garbage ) for parameter NextToken is invalid. The token is invalid.")
    # a token of another kind is refused as well
    token = ec2.describe_subnets(MaxResults=5)["NextToken"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpcs(NextToken=token)
    assert err(e)[:2] == (400, "InvalidParameterValue")


# ---- Tags ------------------------------------------------------------------------------------


def test_tags(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    a = lab["subnets"][0]["SubnetId"]
    ec2.create_tags(Resources=[vid, a], Tags=[{"Key": "team", "Value": "ml"},
                                               {"Key": "env", "Value": "dev"}])
    vpc = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]
    assert tags_of(vpc) == {"Name": "sagemaker-vpc", "env": "dev", "team": "ml"}

    out = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vid]}])["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in out) == [
        ("Name", "sagemaker-vpc"), ("env", "dev"), ("team", "ml")]
    assert {t["ResourceType"] for t in out} == {"vpc"}
    out = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
    assert sorted((t["ResourceId"], t["ResourceType"]) for t in out) == sorted(
        [(vid, "vpc"), (a, "subnet")])
    out = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["subnet"]},
                                     {"Name": "value", "Values": ["private-*"]}])["Tags"]
    assert len(out) == 2 and all(t["Key"] == "Name" for t in out)
    out = ec2.describe_tags(Filters=[{"Name": "tag:team", "Values": ["ml"]}])["Tags"]
    assert {t["ResourceId"] for t in out} == {vid, a}

    # paging through DescribeTags
    every = ec2.describe_tags()["Tags"]
    paged = []
    for page in ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5}):
        paged += page["Tags"]
    assert len(paged) == len(every) and sorted(map(json.dumps, paged)) == sorted(
        map(json.dumps, every))

    # DeleteTags: with a value only when it matches; without one whatever the value
    ec2.delete_tags(Resources=[vid], Tags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0])["env"] == "dev"
    ec2.delete_tags(Resources=[vid], Tags=[{"Key": "env"}])
    assert "env" not in tags_of(ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0])
    ec2.delete_tags(Resources=[a])
    assert "Tags" not in ec2.describe_subnets(SubnetIds=[a])["Subnets"][0]

    # InvalidID "The ID '...' is not valid" (real EC2, kubernetes/cloud-provider-aws#1387)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=["i-eCHmOTcEW0OZ9KbNe"], Tags=[{"Key": "k", "Value": "v"}])
    assert err(e) == (400, "InvalidID", "The ID 'i-eCHmOTcEW0OZ9KbNe' is not valid")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=["vpc-0000000000000000f"], Tags=[{"Key": "k", "Value": "v"}])
    assert err(e) == (400, "InvalidVpcID.NotFound",
                      "The vpc ID 'vpc-0000000000000000f' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=[vid], Tags=[{"Key": "aws:owner", "Value": "v"}])
    assert err(e) == (400, "InvalidParameterValue",
                      "Tag keys starting with 'aws:' are reserved for internal use")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_tags(Resources=[vid], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert err(e)[:2] == (400, "TagLimitExceeded")
    # nothing was written by the failed calls
    assert set(tags_of(ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0])) == {"Name", "team"}


def test_tag_specifications(ec2):
    # the ResourceType must be the created resource's ("'instance' is not a valid taggable
    # resource type for this operation.", the wording EC2 answers)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert err(e) == (400, "InvalidParameterValue",
                      "'subnet' is not a valid taggable resource type for this operation.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]}])
    assert err(e)[:2] == (400, "TagLimitExceeded")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "aws:cloudformation:stack", "Value": "v"}]}])
    assert err(e)[:2] == (400, "InvalidParameterValue")
    assert ec2.describe_vpcs()["Vpcs"] == []
    d = ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name", "Values": ["corp.example"]}],
        TagSpecifications=[{"ResourceType": "dhcp-options",
                            "Tags": [{"Key": "Name", "Value": "corp"}]}])["DhcpOptions"]
    assert tags_of(d) == {"Name": "corp"}


# ---- DryRun and authorization ------------------------------------------------------------------


def test_dry_run_allowed(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    calls = [
        lambda: ec2.create_vpc(CidrBlock="10.9.0.0/16", DryRun=True),
        lambda: ec2.describe_vpcs(DryRun=True),
        lambda: ec2.create_subnet(VpcId=vid, CidrBlock="192.168.32.0/20", DryRun=True),
        lambda: ec2.delete_subnet(SubnetId=lab["subnets"][0]["SubnetId"], DryRun=True),
        lambda: ec2.create_tags(Resources=[vid], Tags=[{"Key": "a", "Value": "b"}], DryRun=True),
        lambda: ec2.describe_availability_zones(DryRun=True),
        lambda: ec2.create_dhcp_options(
            DhcpConfigurations=[{"Key": "domain-name", "Values": ["x.example"]}], DryRun=True),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        # 412 DryRunOperation (real EC2 response quoted in getmoto/moto#1980)
        assert err(e) == (412, "DryRunOperation",
                          "Request would have succeeded, but DryRun flag is set.")
    # nothing was created or changed
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1
    assert len(ec2.describe_subnets()["Subnets"]) == 2
    assert "a" not in tags_of(ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0])
    # a request that is invalid answers its error, not DryRunOperation
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.0.0.0/8", DryRun=True)
    assert err(e)[1] == "InvalidVpc.Range"


def denial(user, action, resource):
    # "You are not authorized to perform this operation. User: <arn> is not authorized to
    # perform: <action> on resource: <arn> because no identity-based policy allows the <action>
    # action" (EC2 prefixes the IAM wording; e.g. aws/aws-cli issues quoting
    # UnauthorizedOperation messages)
    return (f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:"
            f"user/{user} is not authorized to perform: {action} on resource: {resource} because "
            f"no identity-based policy allows the {action} action")


def test_user_without_create_vpc_is_denied(client, ec2):
    bob = make_user(client, "bob", allow(stmt(["ec2:Describe*"])))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_vpc(CidrBlock="10.0.0.0/16")
    assert err(e) == (403, "UnauthorizedOperation",
                      denial("bob", "ec2:CreateVpc", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/*"))
    # with DryRun the denial is the same (UnauthorizedOperation, not DryRunOperation)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_vpc(CidrBlock="10.0.0.0/16", DryRun=True)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert bob.describe_vpcs()["Vpcs"] == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.describe_vpcs(DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert ec2.describe_vpcs()["Vpcs"] == []
    # a user allowed nothing in EC2 cannot even describe
    eve = make_user(client, "eve", allow(stmt(["iam:GetUser"])))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eve.describe_subnets()
    # for an action without resource-level permissions the message names no resource
    assert err(e) == (403, "UnauthorizedOperation",
                      "You are not authorized to perform this operation. User: "
                      f"arn:aws:iam::{ACCOUNT}:user/eve is not authorized to perform: "
                      "ec2:DescribeSubnets because no identity-based policy allows the "
                      "ec2:DescribeSubnets action")


def test_condition_keys(client, ec2, lab):
    vid = lab["vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16",
                           TagSpecifications=[{"ResourceType": "vpc",
                                               "Tags": [{"Key": "env", "Value": "dev"}]}])["Vpc"]
    # CreateSubnet decides on the new subnet (with ec2:Vpc) and on the VPC itself
    policy = allow(
        stmt(["ec2:CreateSubnet"], f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/*",
             {"ArnEquals": {"ec2:Vpc": vpc_arn(vid)}}),
        stmt(["ec2:CreateSubnet"], vpc_arn(vid)),
        # DeleteVpc only of VPCs tagged env=dev
        stmt(["ec2:DeleteVpc"], "*", {"StringEquals": {"ec2:ResourceTag/env": "dev"}}),
        # CreateVpc only with a Name tag, and tagging only while creating
        stmt(["ec2:CreateVpc"], "*", {"StringLike": {"aws:RequestTag/Name": "*"}}),
        stmt(["ec2:CreateTags"], "*", {"StringEquals": {"ec2:CreateAction": "CreateVpc"}}),
        stmt(["ec2:Describe*"]))
    carol = make_user(client, "carol", policy)
    s = carol.create_subnet(VpcId=vid, CidrBlock="192.168.32.0/20")["Subnet"]
    assert s["VpcId"] == vid
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_subnet(VpcId=other["VpcId"], CidrBlock="10.0.0.0/20")
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert "ec2:CreateSubnet on resource: arn:aws:ec2:us-east-1:000000000000:subnet/*" in err(e)[2]

    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.delete_vpc(VpcId=vid)  # tagged env=lab
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    carol.delete_vpc(VpcId=other["VpcId"])

    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_vpc(CidrBlock="10.1.0.0/16")  # no Name tag
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    made = carol.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "c"}]}])["Vpc"]
    assert tags_of(made) == {"Name": "c"}
    # CreateTags outside a create action is not allowed
    with pytest.raises(botocore.exceptions.ClientError) as e:
        carol.create_tags(Resources=[made["VpcId"]], Tags=[{"Key": "x", "Value": "y"}])
    assert err(e)[:2] == (403, "UnauthorizedOperation")

    # tag-on-create needs ec2:CreateTags too ("Grant permission to tag resources during creation")
    dave = make_user(client, "dave", allow(stmt(["ec2:CreateVpc", "ec2:Describe*"])))
    dave.create_vpc(CidrBlock="10.2.0.0/16")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        dave.create_vpc(CidrBlock="10.3.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "d"}]}])
    assert err(e) == (403, "UnauthorizedOperation",
                      denial("dave", "ec2:CreateTags", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/*"))

    # ec2:Region: the region of the call
    key, secret = make_keys(client, "erin", allow(
        stmt(["ec2:DescribeVpcs"], "*", {"StringEquals": {"ec2:Region": "eu-west-1"}})))
    erin_west = client("ec2", key=key, secret=secret, region="eu-west-1")
    assert erin_west.describe_vpcs()["Vpcs"] == []  # eu-west-1 has none of us-east-1's VPCs
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client("ec2", key=key, secret=secret).describe_vpcs()
    assert err(e)[:2] == (403, "UnauthorizedOperation")


# ---- Validation and dependencies -----------------------------------------------------------------


def test_bad_vpc_cidrs(ec2):
    cases = [
        # /8 is too big (real EC2: "InvalidVpc.Range: The CIDR '10.0.0.0/8' is invalid.",
        # grycap/im#1011)
        ("10.0.0.0/8", "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid."),
        ("10.0.0.0/29", "InvalidVpc.Range", "The CIDR '10.0.0.0/29' is invalid."),
        ("not-a-cidr", "InvalidParameterValue",
         "Value (not-a-cidr) for parameter cidrBlock is invalid. This is not a valid CIDR block."),
        ("2001:db8::/56", "InvalidParameterValue",
         "Value (2001:db8::/56) for parameter cidrBlock is invalid. This is not a valid CIDR block."),
    ]
    for cidr, code, message in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_vpc(CidrBlock=cidr)
        assert err(e) == (400, code, message), cidr
    assert ec2.describe_vpcs()["Vpcs"] == []
    ok = ec2.create_vpc(CidrBlock="10.0.0.0/28")["Vpc"]
    assert ok["CidrBlock"] == "10.0.0.0/28"
    # host bits are cleared: "We modify the specified CIDR block to its canonical form; for
    # example, if you specify 100.68.0.18/18, we modify it to 100.68.0.0/18" (CreateVpc API
    # Reference)
    vpc = ec2.create_vpc(CidrBlock="100.68.0.18/18")["Vpc"]
    assert vpc["CidrBlock"] == "100.68.0.0/18"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == "100.68.0.0/18"


def test_bad_subnets(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    cases = [
        # outside the VPC (real EC2: pulumi/pulumi-awsx#111)
        ("10.10.1.0/24", {}, "InvalidSubnet.Range", "The CIDR '10.10.1.0/24' is invalid."),
        ("192.168.64.0/29", {}, "InvalidSubnet.Range", "The CIDR '192.168.64.0/29' is invalid."),
        # overlaps 192.168.0.0/20 (real EC2: hashicorp/terraform#24317)
        ("192.168.8.0/24", {}, "InvalidSubnet.Conflict",
         "The CIDR '192.168.8.0/24' conflicts with another subnet"),
        ("192.168.0.0/16", {}, "InvalidSubnet.Conflict",
         "The CIDR '192.168.0.0/16' conflicts with another subnet"),
        ("192.168.64/20", {}, "InvalidParameterValue",
         "Value (192.168.64/20) for parameter cidrBlock is invalid. This is not a valid CIDR "
         "block."),
        ("192.168.64.0", {}, "InvalidParameterValue",
         "Value (192.168.64.0) for parameter cidrBlock is invalid. This is not a valid CIDR "
         "block."),
        # an unknown zone (real EC2 wording, boto/boto#1904)
        ("192.168.64.0/20", {"AvailabilityZone": "us-east-1z"}, "InvalidParameterValue",
         "Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently "
         "only be created in the following availability zones: us-east-1a, us-east-1b, "
         "us-east-1c, us-east-1d, us-east-1e, us-east-1f."),
        ("192.168.64.0/20", {"AvailabilityZone": "us-west-2a"}, "InvalidParameterValue", None),
    ]
    for cidr, extra, code, message in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_subnet(VpcId=vid, CidrBlock=cidr, **extra)
        assert err(e)[:2] == (400, code), cidr
        if message:
            assert err(e)[2] == message
    s = ec2.create_subnet(VpcId=vid, CidrBlock="192.168.64.0/28",
                          AvailabilityZoneId="use1-az4")["Subnet"]
    assert s["AvailabilityZone"] == "us-east-1c" and s["AvailableIpAddressCount"] == 11
    # canonical form, as for VPCs ("Subnet CIDR blocks", Amazon VPC User Guide)
    s = ec2.create_subnet(VpcId=vid, CidrBlock="192.168.80.9/20")["Subnet"]
    assert s["CidrBlock"] == "192.168.80.0/20"


def test_bad_and_unknown_ids(ec2):
    # malformed: `Invalid id: "..." (expecting "vpc-...")` (real EC2, hashicorp/
    # terraform-provider-aws#6104 for security groups; aws-controllers-k8s for VPCs)
    for call in (lambda: ec2.describe_vpcs(VpcIds=["vpc-123"]),
                 lambda: ec2.delete_vpc(VpcId="vpc-123"),
                 lambda: ec2.create_subnet(VpcId="vpc-123", CidrBlock="10.0.0.0/24")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e) == (400, "InvalidVpcID.Malformed",
                          'Invalid id: "vpc-123" (expecting "vpc-...")')
    missing = "vpc-0123456789abcdef0"
    for call in (lambda: ec2.describe_vpcs(VpcIds=[missing]),
                 lambda: ec2.delete_vpc(VpcId=missing),
                 lambda: ec2.modify_vpc_attribute(VpcId=missing, EnableDnsSupport={"Value": True}),
                 lambda: ec2.describe_vpc_attribute(VpcId=missing, Attribute="enableDnsSupport")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        # real EC2 (hashicorp/terraform-aws-consul#29)
        assert err(e) == (400, "InvalidVpcID.NotFound", f"The vpc ID '{missing}' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_subnets(SubnetIds=["subnet-0123456789abcdef0"])
    # real EC2 (boto/boto3#2398)
    assert err(e) == (400, "InvalidSubnetID.NotFound",
                      "The subnet ID 'subnet-0123456789abcdef0' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_subnets(SubnetIds=["sub-1"])
    assert err(e) == (400, "InvalidSubnetID.Malformed",
                      'Invalid id: "sub-1" (expecting "subnet-...")')
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_dhcp_options(DhcpOptionsIds=["dopt-0123456789abcdef0"])
    assert err(e)[:2] == (400, "InvalidDhcpOptionID.NotFound")


def test_dependency_violations(ec2, lab, daemon):
    vid = lab["vpc"]["VpcId"]
    a, b = (s["SubnetId"] for s in lab["subnets"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=vid)
    # real EC2 (pulumi-zephyr/zephyr-app#9)
    assert err(e) == (400, "DependencyViolation",
                      f"The vpc '{vid}' has dependencies and cannot be deleted.")
    ec2.delete_subnet(SubnetId=a)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=vid)
    assert err(e)[1] == "DependencyViolation"
    ec2.delete_subnet(SubnetId=b)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_subnet(SubnetId=b)
    assert err(e) == (400, "InvalidSubnetID.NotFound", f"The subnet ID '{b}' does not exist")
    ec2.delete_vpc(VpcId=vid)
    assert ec2.describe_vpcs()["Vpcs"] == []
    # the VPC's route table, network ACL and security group went with it
    state = health_state(daemon)
    for k in ("ec2.vpc", "ec2.subnet", "ec2.rtb", "ec2.acl", "ec2.sg", "ec2.sgr"):
        assert state.get(k, 0) == 0, k
    assert state["ec2.dopt"] == 1  # the region's default set stays


def test_vpc_attributes(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": False})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"] == {"Value": False}
    ec2.modify_vpc_attribute(VpcId=vid, EnableNetworkAddressUsageMetrics={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableNetworkAddressUsageMetrics")[
        "EnableNetworkAddressUsageMetrics"] == {"Value": True}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsSupport={"Value": True},
                                 EnableDnsHostnames={"Value": True})
    # real EC2 (kubernetes-sigs/cluster-api-provider-aws#783)
    assert err(e) == (400, "InvalidParameterCombination",
                      "Fields for multiple attribute types specified: enableDnsHostnames, "
                      "enableDnsSupport")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupporter")
    assert err(e)[:2] == (400, "InvalidParameterValue")


def test_secondary_cidr_blocks(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    out = ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="100.64.0.0/16")
    assoc = out["CidrBlockAssociation"]
    assert out["VpcId"] == vid and assoc["CidrBlock"] == "100.64.0.0/16"
    assert assoc["CidrBlockState"]["State"] == "associating"
    vpc = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]
    assert [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]] == [
        "192.168.0.0/16", "100.64.0.0/16"]
    assert vpc["CidrBlock"] == "192.168.0.0/16"  # the primary block stays the VPC's CidrBlock
    # subnets may now use the new block
    s = ec2.create_subnet(VpcId=vid, CidrBlock="100.64.0.0/24")["Subnet"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="192.168.0.0/20")
    assert err(e)[:2] == (400, "InvalidVpc.Range")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="100.66.0.0/15")
    assert err(e) == (400, "InvalidVpc.Range", "The CIDR '100.66.0.0/15' is invalid.")
    for i in range(3):
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock=f"100.{66 + i}.0.0/16")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="100.70.0.0/16")
    assert err(e)[:2] == (400, "CidrLimitExceeded")
    # the primary block cannot go; a block with a subnet in it neither
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=primary)
    assert err(e)[:2] == (400, "OperationNotPermitted")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert err(e)[0] == 400
    ec2.delete_subnet(SubnetId=s["SubnetId"])
    out = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert out["CidrBlockAssociation"]["CidrBlockState"]["State"] == "disassociating"
    vpc = ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]
    assert "100.64.0.0/16" not in [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock="100.64.0.0/24")
    assert err(e)[1] == "InvalidSubnet.Range"

    v6 = ec2.associate_vpc_cidr_block(VpcId=vid, AmazonProvidedIpv6CidrBlock=True)
    block = v6["Ipv6CidrBlockAssociation"]["Ipv6CidrBlock"]
    assert block.startswith("2600:1f18:") and block.endswith("/56")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "ipv6-cidr-block-association.ipv6-cidr-block",
                                      "Values": [block]}])["Vpcs"]
    assert [v["VpcId"] for v in vpc] == [vid]


def test_create_vpc_with_ipv6_and_tenancy(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                         InstanceTenancy="dedicated")["Vpc"]
    assert vpc["InstanceTenancy"] == "dedicated"
    six = vpc["Ipv6CidrBlockAssociationSet"][0]
    assert six["Ipv6CidrBlock"].endswith("/56") and six["Ipv6Pool"] == "Amazon"
    assert six["NetworkBorderGroup"] == REGION
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc(CidrBlock="10.1.0.0/16", InstanceTenancy="host")
    assert err(e)[0] == 400


# ---- Default VPC -------------------------------------------------------------------------------


def test_default_vpc(ec2, daemon):
    vpc = ec2.create_default_vpc()["Vpc"]
    assert vpc["CidrBlock"] == "172.31.0.0/16" and vpc["IsDefault"] is True
    vid = vpc["VpcId"]
    assert ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"] == {"Value": True}
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"]
    # one /20 per Availability Zone ("Default VPCs": "a size /20 default subnet in each
    # Availability Zone"), public by default
    assert len(subnets) == 6
    assert sorted(s["AvailabilityZone"] for s in subnets) == [
        f"us-east-1{z}" for z in "abcdef"]
    assert sorted(s["CidrBlock"] for s in subnets) == sorted(
        f"172.31.{16 * i}.0/20" for i in range(6))
    assert all(s["MapPublicIpOnLaunch"] and s["VpcId"] == vid for s in subnets)
    assert [v["VpcId"] for v in ec2.describe_vpcs(
        Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]] == [vid]
    assert health_state(daemon)["ec2.igw"] == 1  # attached internet gateway
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_default_vpc()
    assert err(e) == (400, "DefaultVpcAlreadyExists",
                      "A Default VPC already exists for this account in this region.")


def test_default_vpc_per_region(client):
    west = client("ec2", region="us-west-2")
    vpc = west.create_default_vpc()["Vpc"]
    subnets = west.describe_subnets()["Subnets"]
    assert len(subnets) == 4 and {s["AvailabilityZone"] for s in subnets} == {
        "us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}
    assert client("ec2").describe_vpcs()["Vpcs"] == []
    dopt = west.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"][0]
    assert {"Key": "domain-name", "Values": [{"Value": "us-west-2.compute.internal"}]} in dopt[
        "DhcpConfigurations"]


# ---- Zones and regions -------------------------------------------------------------------------


def test_availability_zones_and_regions(ec2, client):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{z}" for z in "abcdef"]
    assert len({z["ZoneId"] for z in zones}) == 6
    assert all(z["ZoneId"].startswith("use1-az") for z in zones)
    assert all(z["State"] == "available" and z["RegionName"] == REGION for z in zones)
    assert all(z["ZoneType"] == "availability-zone" for z in zones)
    one = ec2.describe_availability_zones(ZoneNames=["us-east-1b"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in one] == ["us-east-1b"]
    by_id = ec2.describe_availability_zones(ZoneIds=[one[0]["ZoneId"]])["AvailabilityZones"]
    assert by_id == one
    f = ec2.describe_availability_zones(Filters=[{"Name": "zone-name",
                                                  "Values": ["us-east-1[ab]", "*c"]}])
    assert [z["ZoneName"] for z in f["AvailabilityZones"]] == ["us-east-1c"]
    f = ec2.describe_availability_zones(Filters=[{"Name": "region-name", "Values": [REGION]},
                                                 {"Name": "state", "Values": ["available"]}])
    assert len(f["AvailabilityZones"]) == 6
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_availability_zones(ZoneNames=["us-east-1z"])
    assert err(e)[:2] == (400, "InvalidParameterValue")
    assert [z["ZoneName"] for z in client("ec2", region="eu-west-1").describe_availability_zones()[
        "AvailabilityZones"]] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

    regions = ec2.describe_regions()["Regions"]
    names = [r["RegionName"] for r in regions]
    assert REGION in names and "eu-west-1" in names
    assert "af-south-1" not in names  # opt-in region not enabled
    assert all(r["Endpoint"] == f"ec2.{r['RegionName']}.amazonaws.com" for r in regions)
    every = ec2.describe_regions(AllRegions=True)["Regions"]
    assert {r["RegionName"]: r["OptInStatus"] for r in every}["af-south-1"] == "not-opted-in"
    got = ec2.describe_regions(RegionNames=["eu-west-1"])["Regions"]
    assert got == [{"Endpoint": "ec2.eu-west-1.amazonaws.com", "RegionName": "eu-west-1",
                    "OptInStatus": "opt-in-not-required"}]
    got = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-*"]}])["Regions"]
    assert sorted(r["RegionName"] for r in got) == [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2"]


# ---- DHCP options ------------------------------------------------------------------------------


def test_dhcp_options(ec2, lab):
    vid = lab["vpc"]["VpcId"]
    d = ec2.create_dhcp_options(DhcpConfigurations=[
        {"Key": "domain-name", "Values": ["corp.example"]},
        {"Key": "domain-name-servers", "Values": ["10.2.5.1", "10.2.5.2"]},
        {"Key": "ntp-servers", "Values": ["169.254.169.123"]},
        {"Key": "netbios-node-type", "Values": ["2"]}])["DhcpOptions"]
    did = d["DhcpOptionsId"]
    assert did.startswith("dopt-") and d["OwnerId"] == ACCOUNT
    assert {"Key": "domain-name-servers",
            "Values": [{"Value": "10.2.5.1"}, {"Value": "10.2.5.2"}]} in d["DhcpConfigurations"]

    def f(name, *values):
        return ids(ec2.describe_dhcp_options(
            Filters=[{"Name": name, "Values": list(values)}])["DhcpOptions"], "DhcpOptionsId")

    assert f("key", "ntp-servers") == [did]
    assert f("value", "10.2.5.*") == [did]
    assert f("dhcp-options-id", did) == [did]
    assert len(f("owner-id", ACCOUNT)) == 2  # with the default set of the lab VPC

    ec2.associate_dhcp_options(DhcpOptionsId=did, VpcId=vid)
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["DhcpOptionsId"] == did
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_dhcp_options(DhcpOptionsId=did)
    assert err(e)[:2] == (400, "DependencyViolation")
    # "default": no DHCP options (AssociateDhcpOptions API Reference)
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vid)
    assert ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=did)
    assert f("dhcp-options-id", did) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_dhcp_options(DhcpOptionsId=did)
    assert err(e)[:2] == (400, "InvalidDhcpOptionID.NotFound")

    for cfg in ([{"Key": "favourite-colour", "Values": ["blue"]}],
                [{"Key": "domain-name-servers", "Values": ["not-an-ip"]}],
                [{"Key": "domain-name-servers", "Values": ["1.1.1.1", "1.0.0.1", "8.8.8.8",
                                                           "8.8.4.4", "9.9.9.9"]}],
                [{"Key": "netbios-node-type", "Values": ["3"]}]):
        # EC2's wording for these could not be found; the code is InvalidParameterValue
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_dhcp_options(DhcpConfigurations=cfg)
        assert err(e)[:2] == (400, "InvalidParameterValue"), cfg
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_dhcp_options(DhcpOptionsId="dopt-0123456789abcdef0", VpcId=vid)
    assert err(e)[:2] == (400, "InvalidDhcpOptionID.NotFound")


# ---- Durability --------------------------------------------------------------------------------


def test_restart_keeps_the_network(make_daemon):
    import boto3
    from botocore.config import Config

    def ec2_of(d):
        return boto3.client("ec2", endpoint_url=d.endpoint, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    d = make_daemon().start()
    ec2 = ec2_of(d)
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "keep"}]}])["Vpc"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    sub = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="192.168.0.0/20",
                            AvailabilityZone="us-east-1b")["Subnet"]
    d.stop()
    d.start()
    ec2 = ec2_of(d)
    assert ec2.describe_vpcs()["Vpcs"] == [
        dict(vpc, Tags=[{"Key": "Name", "Value": "keep"}])]
    assert ec2.describe_subnets()["Subnets"] == [sub]
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"] == {"Value": True}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="192.168.0.0/24")
    assert err(e)[1] == "InvalidSubnet.Conflict"
