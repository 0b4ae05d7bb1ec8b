# SPDX-License-Identifier: Apache-2.0
# VPC endpoints, endpoint services and AWS-managed prefix lists through Debian's boto3 and AWS
# CLI v2 against the real daemon: DescribeVpcEndpointServices, DescribePrefixLists,
# DescribeManagedPrefixLists, GetManagedPrefixListEntries, CreateVpcEndpoint (the lab's S3 gateway
# endpoint with a policy on both private route tables, and interface endpoints with private DNS
# for sagemaker.api, sagemaker.runtime, sts, logs, kms with a policy, and ssm in both private
# subnets), DescribeVpcEndpoints (filters, pagination), ModifyVpcEndpoint, DeleteVpcEndpoints,
# the endpoints' network interfaces and routes, DryRun, and callers denied by IAM.
#
# Expected values are AWS's, each with its source:
#   - EC2 API Reference: each action's page (parameters, filters, defaults: Gateway type,
#     PrivateDnsEnabled true for AWS services' interface endpoints);
#   - AWS PrivateLink Guide: the default full-access endpoint policy, DNS names of interface
#     endpoints (regional, zonal, private DNS), gateway endpoints' prefix-list routes;
#   - AWS CLI reference examples of describe-vpc-endpoint-services (Owner "amazon",
#     BaseEndpointDnsNames, S3 as a Gateway and an Interface service);
#   - Amazon VPC User Guide, "AWS-managed prefix lists" (ids pl-63a5400a and pl-02cd2c6b in
#     us-east-1; ARNs arn:aws:ec2:REGION:aws:prefix-list/ID; owner AWS);
#   - SageMaker Developer Guide: the service names of the API, runtime, notebook and Studio
#     endpoints and the names their private DNS answers;
#   - real EC2 answers quoted in public reports, cited next to the assertions that use them.
# Where EC2's wording could not be found the test says so and checks the code and status only.
import json
import re
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"
INTERFACE_SERVICES = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "kms", "ssm"]
DEFAULT_POLICY = {"Version": "2008-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_user(client, name, policy):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return client("ec2", key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def svc(name, region=REGION):
    return f"com.amazonaws.{region}.{name}"


def wait_available(ec2, ids, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        eps = ec2.describe_vpc_endpoints(VpcEndpointIds=ids)["VpcEndpoints"]
        if all(e["State"] == "available" for e in eps):
            return eps
        assert time.monotonic() < deadline, "endpoints did not become available"
        time.sleep(0.1)


def free(ec2, subnet):
    return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def lab(ec2):
    """The lab network: VPC 192.168.0.0/16 with DNS support and hostnames, two private /20
    subnets in us-east-1a and us-east-1b, a route table for each, and the endpoints' security
    group."""
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets, rtbs = [], []
    for cidr, az in (("192.168.0.0/20", "us-east-1a"), ("192.168.16.0/20", "us-east-1b")):
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]
        ec2.associate_route_table(RouteTableId=rt["RouteTableId"], SubnetId=sn["SubnetId"])
        subnets.append(sn["SubnetId"])
        rtbs.append(rt["RouteTableId"])
    sg = ec2.create_security_group(VpcId=vpc, GroupName="vpc-endpoints-sg",
                                   Description="VPC endpoints")["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "rtbs": rtbs, "sg": sg}


# ---- DescribeVpcEndpointServices ---------------------------------------------------------------


def test_endpoint_services_catalog(ec2):
    out = ec2.describe_vpc_endpoint_services()
    names = out["ServiceNames"]
    assert names == sorted(names) and len(names) == len(set(names))
    for s in INTERFACE_SERVICES + ["monitoring", "ssmmessages", "ec2messages", "ecr.api",
                                   "ecr.dkr", "servicecatalog", "s3", "dynamodb",
                                   "git-codecommit", "codecommit", "codepipeline", "codebuild",
                                   "elasticfilesystem", "ec2", "sqs", "sns", "secretsmanager",
                                   "execute-api", "athena", "glue"]:
        assert svc(s) in names, s
    assert f"aws.sagemaker.{REGION}.notebook" in names
    assert f"aws.sagemaker.{REGION}.studio" in names
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    details = {}
    for d in out["ServiceDetails"]:
        details.setdefault(d["ServiceName"], {})[d["ServiceType"][0]["ServiceType"]] = d
        assert d["Owner"] == "amazon" and d["AcceptanceRequired"] is False
        assert d["AvailabilityZones"] == zones
        assert re.fullmatch(r"vpce-svc-[0-9a-f]{17}", d["ServiceId"])
    api = details[svc("sagemaker.api")]["Interface"]
    assert api["PrivateDnsName"] == f"api.sagemaker.{REGION}.amazonaws.com"
    assert api["BaseEndpointDnsNames"] == [f"sagemaker.api.{REGION}.vpce.amazonaws.com"]
    assert api["VpcEndpointPolicySupported"] is True
    rt = details[svc("sagemaker.runtime")]["Interface"]
    assert rt["PrivateDnsName"] == f"runtime.sagemaker.{REGION}.amazonaws.com"
    sts = details[svc("sts")]["Interface"]
    assert sts["PrivateDnsName"] == f"sts.{REGION}.amazonaws.com"
    assert sts["BaseEndpointDnsNames"] == [f"sts.{REGION}.vpce.amazonaws.com"]
    nb = details[f"aws.sagemaker.{REGION}.notebook"]["Interface"]
    assert nb["PrivateDnsName"] == f"*.notebook.{REGION}.sagemaker.aws"
    studio = details[f"aws.sagemaker.{REGION}.studio"]["Interface"]
    assert studio["PrivateDnsName"] == f"*.studio.{REGION}.sagemaker.aws"
    assert set(details[svc("s3")]) == {"Gateway", "Interface"}
    assert details[svc("s3")]["Gateway"]["BaseEndpointDnsNames"] == [f"s3.{REGION}.amazonaws.com"]
    assert "PrivateDnsName" not in details[svc("s3")]["Gateway"]
    assert set(details[svc("dynamodb")]) == {"Gateway"}
    # The ids are stable from call to call.
    again = ec2.describe_vpc_endpoint_services(ServiceNames=[svc("sts")])
    assert again["ServiceDetails"][0]["ServiceId"] == sts["ServiceId"]
    assert again["ServiceNames"] == [svc("sts")]


def test_endpoint_services_filters_pages_and_errors(ec2, client):
    gw = ec2.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-type", "Values": ["Gateway"]}])
    assert gw["ServiceNames"] == [svc("dynamodb"), svc("s3")]
    sm = ec2.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-name", "Values": ["*sagemaker*"]}])
    assert f"aws.sagemaker.{REGION}.studio" in sm["ServiceNames"]
    assert svc("sagemaker.api") in sm["ServiceNames"] and svc("sts") not in sm["ServiceNames"]
    both = ec2.describe_vpc_endpoint_services(ServiceNames=[svc("s3")])
    assert both["ServiceNames"] == [svc("s3")] and len(both["ServiceDetails"]) == 2
    assert ec2.describe_vpc_endpoint_services(Filters=[
        {"Name": "owner", "Values": ["123456789012"]}])["ServiceDetails"] == []

    everything = ec2.describe_vpc_endpoint_services()["ServiceDetails"]
    seen, token = [], None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_vpc_endpoint_services(**kw)
        assert len(page["ServiceDetails"]) <= 5
        seen += page["ServiceDetails"]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == everything

    # "The Vpc Endpoint Service '...' does not exist" (real EC2, terraform-aws-modules/
    # terraform-aws-vpc#481).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoint_services(ServiceNames=[svc("nope")])
    assert err(e) == (400, "InvalidServiceName",
                      f"The Vpc Endpoint Service '{svc('nope')}' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoint_services(Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert err(e)[:2] == (400, "InvalidParameterValue")
    # Another region names its own services.
    eu = client("ec2", region="eu-west-1").describe_vpc_endpoint_services(
        Filters=[{"Name": "service-name", "Values": ["*.sts"]}])
    assert eu["ServiceNames"] == ["com.amazonaws.eu-west-1.sts"]
    assert eu["ServiceDetails"][0]["PrivateDnsName"] == "sts.eu-west-1.amazonaws.com"


# ---- Prefix lists ------------------------------------------------------------------------------


def test_prefix_lists(ec2, client):
    out = ec2.describe_prefix_lists()["PrefixLists"]
    by_name = {p["PrefixListName"]: p for p in out}
    assert by_name[svc("s3")]["PrefixListId"] == "pl-63a5400a"
    assert by_name[svc("dynamodb")]["PrefixListId"] == "pl-02cd2c6b"
    assert all(p["Cidrs"] for p in out)
    one = ec2.describe_prefix_lists(PrefixListIds=["pl-63a5400a"])["PrefixLists"]
    assert [p["PrefixListName"] for p in one] == [svc("s3")]
    f = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name",
                                            "Values": [svc("dynamodb")]}])["PrefixLists"]
    assert [p["PrefixListId"] for p in f] == ["pl-02cd2c6b"]
    page = ec2.describe_prefix_lists(MaxResults=1)
    assert len(page["PrefixLists"]) == 1 and page["NextToken"]
    rest = ec2.describe_prefix_lists(MaxResults=1, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert page["PrefixLists"] + rest["PrefixLists"] == out

    managed = ec2.describe_managed_prefix_lists()["PrefixLists"]
    s3 = [p for p in managed if p["PrefixListId"] == "pl-63a5400a"][0]
    assert s3["PrefixListName"] == svc("s3") and s3["OwnerId"] == "AWS"
    assert s3["PrefixListArn"] == f"arn:aws:ec2:{REGION}:aws:prefix-list/pl-63a5400a"
    assert s3["AddressFamily"] == "IPv4" and s3["State"] == "create-complete"
    assert ec2.describe_managed_prefix_lists(Filters=[{"Name": "owner-id", "Values": [
        ACCOUNT]}])["PrefixLists"] == []

    entries = ec2.get_managed_prefix_list_entries(PrefixListId="pl-63a5400a")["Entries"]
    assert [e["Cidr"] for e in entries] == by_name[svc("s3")]["Cidrs"]
    seen, token = [], None
    while True:
        kw = {"PrefixListId": "pl-63a5400a", "MaxResults": 2}
        if token:
            kw["NextToken"] = token
        page = ec2.get_managed_prefix_list_entries(**kw)
        seen += page["Entries"]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == entries

    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.get_managed_prefix_list_entries(PrefixListId="pl-0123456789abcdef0")
    assert err(e) == (400, "InvalidPrefixListID.NotFound",
                      "The prefix list ID 'pl-0123456789abcdef0' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_prefix_lists(PrefixListIds=["pl-0123456789abcdef0"])
    assert err(e)[:2] == (400, "InvalidPrefixListID.NotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_managed_prefix_lists(PrefixListIds=["pl-!"])
    assert err(e)[:2] == (400, "InvalidPrefixListId.Malformed")

    # Other regions: their own lists, with ids that stay the same.
    eu = client("ec2", region="eu-west-1")
    a = eu.describe_prefix_lists()["PrefixLists"]
    assert {p["PrefixListName"] for p in a} == {"com.amazonaws.eu-west-1.s3",
                                                "com.amazonaws.eu-west-1.dynamodb"}
    assert eu.describe_prefix_lists()["PrefixLists"] == a
    assert not {p["PrefixListId"] for p in a} & {"pl-63a5400a", "pl-02cd2c6b"}


def test_prefix_list_permissions(client):
    reader = make_user(client, "plreader", doc(
        {"Effect": "Allow", "Action": "ec2:GetManagedPrefixListEntries",
         "Resource": "arn:aws:ec2:*:aws:prefix-list/pl-63a5400a"}))
    assert reader.get_managed_prefix_list_entries(PrefixListId="pl-63a5400a")["Entries"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        reader.get_managed_prefix_list_entries(PrefixListId="pl-02cd2c6b")
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        reader.describe_prefix_lists()
    assert err(e)[:2] == (403, "UnauthorizedOperation")


# ---- The lab's endpoints -----------------------------------------------------------------------


def build_lab_endpoints(ec2, lab):
    s3_policy = doc({"Effect": "Allow", "Principal": "*",
                     "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                     "Resource": "*"})
    s3 = ec2.create_vpc_endpoint(VpcId=lab["vpc"], ServiceName=svc("s3"),
                                 RouteTableIds=lab["rtbs"], PolicyDocument=s3_policy,
                                 TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [
                                     {"Key": "Name", "Value": "s3-gateway"}]}])["VpcEndpoint"]
    kms_policy = doc({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    eps = {"s3": s3}
    for name in INTERFACE_SERVICES:
        kw = {"VpcId": lab["vpc"], "VpcEndpointType": "Interface", "ServiceName": svc(name),
              "SubnetIds": lab["subnets"], "SecurityGroupIds": [lab["sg"]],
              "PrivateDnsEnabled": True}
        if name == "kms":
            kw["PolicyDocument"] = kms_policy
        eps[name] = ec2.create_vpc_endpoint(**kw)["VpcEndpoint"]
    return eps, s3_policy, kms_policy


def test_lab_endpoints(ec2, lab):
    eps, s3_policy, kms_policy = build_lab_endpoints(ec2, lab)

    s3 = eps["s3"]
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", s3["VpcEndpointId"])
    assert s3["VpcEndpointType"] == "Gateway" and s3["ServiceName"] == svc("s3")
    # Never available at once.
    assert s3["State"] == "pending"
    assert s3["PolicyDocument"] == s3_policy
    assert s3["RouteTableIds"] == lab["rtbs"]
    assert s3["SubnetIds"] == [] and s3["NetworkInterfaceIds"] == [] and s3["DnsEntries"] == []
    assert s3["Groups"] == [] and s3["PrivateDnsEnabled"] is False
    assert s3["RequesterManaged"] is False and s3["OwnerId"] == ACCOUNT
    assert s3["Tags"] == [{"Key": "Name", "Value": "s3-gateway"}]
    # Each route table got the prefix-list route to the endpoint.
    for rtb in lab["rtbs"]:
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        mine = [r for r in routes if r.get("GatewayId") == s3["VpcEndpointId"]]
        assert mine == [{"DestinationPrefixListId": "pl-63a5400a",
                         "GatewayId": s3["VpcEndpointId"], "Origin": "CreateRoute",
                         "State": "active"}]
    found = ec2.describe_route_tables(Filters=[
        {"Name": "route.destination-prefix-list-id", "Values": ["pl-63a5400a"]}])["RouteTables"]
    assert sorted(r["RouteTableId"] for r in found) == sorted(lab["rtbs"])

    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [lab["vpc"]]}])["NetworkInterfaces"]
    assert len(enis) == 2 * len(INTERFACE_SERVICES)
    for name in INTERFACE_SERVICES:
        ep = eps[name]
        assert ep["VpcEndpointType"] == "Interface" and ep["State"] == "pending"
        assert ep["SubnetIds"] == lab["subnets"] and ep["PrivateDnsEnabled"] is True
        assert ep["Groups"] == [{"GroupId": lab["sg"], "GroupName": "vpc-endpoints-sg"}]
        assert ep["RouteTableIds"] == [] and ep["IpAddressType"] == "ipv4"
        assert len(ep["NetworkInterfaceIds"]) == 2
        mine = [e for e in enis if e["NetworkInterfaceId"] in ep["NetworkInterfaceIds"]]
        assert sorted(e["SubnetId"] for e in mine) == sorted(lab["subnets"])
        for e in mine:
            assert e["RequesterManaged"] is True and e["InterfaceType"] == "vpc_endpoint"
            assert e["Description"] == f"VPC Endpoint Interface {ep['VpcEndpointId']}"
            assert e["Status"] == "in-use" and re.fullmatch(r"\d{12}", e["RequesterId"])
            assert e["Groups"] == [{"GroupName": "vpc-endpoints-sg", "GroupId": lab["sg"]}]
        # DNS: regional, one zonal name per zone, then the service's own name.
        names = [d["DnsName"] for d in ep["DnsEntries"]]
        base = {"sagemaker.api": "sagemaker.api", "sagemaker.runtime": "sagemaker.runtime"}.get(
            name, name)
        m = re.fullmatch(rf"({ep['VpcEndpointId']}-[0-9a-z]{{8}})\.{re.escape(base)}\."
                         rf"{REGION}\.vpce\.amazonaws\.com", names[0])
        assert m, names[0]
        assert names[1:3] == [f"{m.group(1)}-us-east-1a.{base}.{REGION}.vpce.amazonaws.com",
                              f"{m.group(1)}-us-east-1b.{base}.{REGION}.vpce.amazonaws.com"]
        private = {"sagemaker.api": f"api.sagemaker.{REGION}.amazonaws.com",
                   "sagemaker.runtime": f"runtime.sagemaker.{REGION}.amazonaws.com"}.get(
            name, f"{name}.{REGION}.amazonaws.com")
        assert names[3:] == [private]
        assert ep["DnsEntries"][0]["HostedZoneId"] == "Z7HUB22UULQXV"
        assert re.fullmatch(r"Z[0-9A-Z]{10,}", ep["DnsEntries"][3]["HostedZoneId"])
    for sn in lab["subnets"]:
        # A /20 has 4,096 addresses, 5 reserved; each endpoint holds one in each subnet.
        assert free(ec2, sn) == 4091 - len(INTERFACE_SERVICES)

    got = wait_available(ec2, [e["VpcEndpointId"] for e in eps.values()])
    by_id = {e["VpcEndpointId"]: e for e in got}
    assert json.loads(by_id[eps["kms"]["VpcEndpointId"]]["PolicyDocument"]) == json.loads(
        kms_policy)
    # Without a policy, AWS's default full-access policy (PrivateLink Guide).
    for name in ("sts", "logs", "ssm", "sagemaker.api", "sagemaker.runtime"):
        assert json.loads(by_id[eps[name]["VpcEndpointId"]]["PolicyDocument"]) == DEFAULT_POLICY
    d = by_id[eps["sts"]["VpcEndpointId"]]
    assert {k: v for k, v in d.items() if k != "State"} == \
        {k: v for k, v in eps["sts"].items() if k != "State"}

    # What the endpoints hold cannot go away underneath them.
    for call in (lambda: ec2.delete_subnet(SubnetId=lab["subnets"][0]),
                 lambda: ec2.delete_vpc(VpcId=lab["vpc"]),
                 lambda: ec2.delete_security_group(GroupId=lab["sg"])):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e)[:2] == (400, "DependencyViolation")


def test_describe_filters_and_pages(ec2, lab):
    eps, _, _ = build_lab_endpoints(ec2, lab)
    ids = sorted(e["VpcEndpointId"] for e in eps.values())

    def f(name, *values):
        return sorted(e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(
            Filters=[{"Name": name, "Values": list(values)}])["VpcEndpoints"])

    assert f("vpc-id", lab["vpc"]) == ids
    assert f("service-name", svc("kms")) == [eps["kms"]["VpcEndpointId"]]
    assert f("vpc-endpoint-id", eps["sts"]["VpcEndpointId"]) == [eps["sts"]["VpcEndpointId"]]
    assert f("vpc-endpoint-type", "Gateway") == [eps["s3"]["VpcEndpointId"]]
    assert len(f("vpc-endpoint-type", "Interface")) == len(INTERFACE_SERVICES)
    assert f("tag:Name", "s3-*") == [eps["s3"]["VpcEndpointId"]]
    assert f("tag-key", "Name") == [eps["s3"]["VpcEndpointId"]]
    assert f("ip-address-type", "ipv4") == ids
    wait_available(ec2, ids)
    assert f("vpc-endpoint-state", "available") == ids
    assert f("vpc-endpoint-state", "pending") == []

    seen, token = [], None
    while True:
        kw = {"MaxResults": 5}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_vpc_endpoints(**kw)
        seen += [e["VpcEndpointId"] for e in page["VpcEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ids
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert err(e) == (400, "InvalidVpcEndpointId.NotFound",
                      "The VpcEndPoint ID 'vpce-0123456789abcdef0' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-x"])
    assert err(e)[:2] == (400, "InvalidVpcEndpointId.Malformed")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-color", "Values": ["x"]}])
    assert err(e)[:2] == (400, "InvalidParameterValue")


# ---- CreateVpcEndpoint errors ------------------------------------------------------------------


def test_create_errors(ec2, lab):
    def fails(**kw):
        kw.setdefault("VpcId", lab["vpc"])
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_vpc_endpoint(**kw)
        return err(e)

    sub_a, sub_b = lab["subnets"]
    assert fails(ServiceName=svc("nope"), VpcEndpointType="Interface") == (
        400, "InvalidServiceName", f"The Vpc Endpoint Service '{svc('nope')}' does not exist")
    # Gateway is the default type; STS offers only Interface endpoints (wording sagebox's).
    assert fails(ServiceName=svc("sts"))[:2] == (400, "InvalidParameter")
    assert fails(ServiceName=svc("dynamodb"), VpcEndpointType="Interface")[:2] == (
        400, "InvalidParameter")
    assert fails(VpcId="vpc-0123456789abcdef0", ServiceName=svc("s3")) == (
        400, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
    # Real EC2: "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC
    # Endpoints." (nanlabs/terraform-aws-starter#18).
    assert fails(ServiceName=svc("s3"), SubnetIds=[sub_a]) == (
        400, "InvalidParameter",
        "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
    assert fails(ServiceName=svc("sts"), VpcEndpointType="Interface",
                 RouteTableIds=lab["rtbs"])[:2] == (400, "InvalidParameter")
    # Two subnets of one zone (real EC2 wording, terraform-aws-modules/terraform-aws-vpc#583).
    third = ec2.create_subnet(VpcId=lab["vpc"], CidrBlock="192.168.32.0/20",
                              AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    assert fails(ServiceName=svc("sts"), VpcEndpointType="Interface",
                 SubnetIds=[sub_a, third]) == (
        400, "DuplicateSubnetsInSameZone",
        f"Found another VPC endpoint subnet in the availability zone of {third}. VPC endpoint "
        "subnets should be in different availability zones supported by the VPC endpoint "
        "service.")
    assert fails(ServiceName=svc("sts"), VpcEndpointType="Interface",
                 SubnetIds=["subnet-0123456789abcdef0"])[:2] == (400, "InvalidSubnetID.NotFound")
    assert fails(ServiceName=svc("sts"), VpcEndpointType="Interface", SubnetIds=[sub_a],
                 SecurityGroupIds=["sg-0123456789abcdef0"])[:2] == (400, "InvalidGroup.NotFound")
    assert fails(ServiceName=svc("s3"), RouteTableIds=["rtb-0123456789abcdef0"])[:2] == (
        400, "InvalidRouteTableID.NotFound")
    # A malformed policy: "The Policy Document is not valid. Syntax error at position (1,75)" is
    # real EC2's form (hashicorp/terraform-provider-aws#42291).
    status, code, message = fails(ServiceName=svc("s3"), PolicyDocument='{"Statement": [')
    assert (status, code) == (400, "InvalidPolicyDocument")
    assert re.fullmatch(r"The Policy Document is not valid\. Syntax error at position "
                        r"\(\d+,\d+\)", message)
    assert fails(ServiceName=svc("s3"), PolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}))[:2] == (
        400, "InvalidPolicyDocument")
    # Services without endpoint policies take only the full-access one (real EC2 wording,
    # pulumi/pulumi-aws-native#1711; the code is not shown there).
    nb = f"aws.sagemaker.{REGION}.notebook"
    assert fails(ServiceName=nb, VpcEndpointType="Interface", SubnetIds=[sub_a],
                 PolicyDocument=doc({"Effect": "Allow", "Principal": "*",
                                     "Action": "sagemaker:*", "Resource": "*"})) == (
        400, "InvalidParameter", f"Service {nb} only supports the full-access endpoint policy.")
    ok = ec2.create_vpc_endpoint(VpcId=lab["vpc"], ServiceName=nb, VpcEndpointType="Interface",
                                 SubnetIds=[sub_a], PolicyDocument=json.dumps(DEFAULT_POLICY))
    assert ok["VpcEndpoint"]["DnsEntries"][-1]["DnsName"] == f"*.notebook.{REGION}.sagemaker.aws"
    # A second endpoint answering the same private name (real EC2 wording,
    # hashicorp/terraform-provider-aws#17535).
    assert fails(ServiceName=nb, VpcEndpointType="Interface", SubnetIds=[sub_b]) == (
        400, "InvalidParameter",
        "private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
        f"*.notebook.{REGION}.sagemaker.aws in the VPC {lab['vpc']}")
    assert fails(ServiceName=svc("s3"), RouteTableIds=[lab["rtbs"][0]],
                 TagSpecifications=[{"ResourceType": "subnet",
                                     "Tags": [{"Key": "a", "Value": "b"}]}])[:2] == (
        400, "InvalidParameterValue")
    # Only the notebook endpoint was made; its one interface is the only address taken.
    assert len(ec2.describe_vpc_endpoints()["VpcEndpoints"]) == 1
    assert free(ec2, sub_a) == 4090 and free(ec2, sub_b) == 4091
    routes = ec2.describe_route_tables(RouteTableIds=lab["rtbs"])["RouteTables"]
    assert not any(r.get("DestinationPrefixListId") for t in routes for r in t["Routes"])


def test_private_dns_needs_the_vpc_dns_attributes(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    # New VPCs have DNS support but not DNS hostnames; private DNS needs both (the wording is
    # EC2's as recalled from public reports, not re-checked).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName=svc("sts"),
                                SubnetIds=[sn])
    status, code, message = err(e)
    assert (status, code) == (400, "InvalidParameter")
    assert "enableDnsSupport" in message and "enableDnsHostnames" in message and vpc in message
    ep = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName=svc("sts"),
                                 SubnetIds=[sn], PrivateDnsEnabled=False)["VpcEndpoint"]
    assert ep["PrivateDnsEnabled"] is False
    assert all(d["DnsName"].endswith(".vpce.amazonaws.com") for d in ep["DnsEntries"])
    # Interface endpoints default to the VPC's default security group.
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]},
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    assert ep["Groups"] == [{"GroupId": default, "GroupName": "default"}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], PrivateDnsEnabled=True)
    assert err(e)[:2] == (400, "InvalidParameter")
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    assert ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"],
                                   PrivateDnsEnabled=True)["Return"] is True
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]])["VpcEndpoints"][0]
    assert got["PrivateDnsEnabled"] is True
    assert got["DnsEntries"][-1]["DnsName"] == f"sts.{REGION}.amazonaws.com"


# ---- ModifyVpcEndpoint -------------------------------------------------------------------------


def test_modify_gateway_endpoint(ec2, lab):
    rt_a, rt_b = lab["rtbs"]
    ep = ec2.create_vpc_endpoint(VpcId=lab["vpc"], ServiceName=svc("dynamodb"),
                                 RouteTableIds=[rt_a])["VpcEndpoint"]
    ep_id = ep["VpcEndpointId"]
    assert json.loads(ep["PolicyDocument"]) == DEFAULT_POLICY

    def routes_to_ep(rtb):
        rs = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        return [r["DestinationPrefixListId"] for r in rs if r.get("GatewayId") == ep_id]

    assert routes_to_ep(rt_a) == ["pl-02cd2c6b"] and routes_to_ep(rt_b) == []
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddRouteTableIds=[rt_b],
                            RemoveRouteTableIds=[rt_a])
    assert routes_to_ep(rt_a) == [] and routes_to_ep(rt_b) == ["pl-02cd2c6b"]
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem",
                  "Resource": "*"})
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PolicyDocument=policy)
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert got["RouteTableIds"] == [rt_b] and got["PolicyDocument"] == policy
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, ResetPolicy=True)
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert json.loads(got["PolicyDocument"]) == DEFAULT_POLICY

    # A second route to the same list in one table (EC2's RouteAlreadyExists; the wording is as
    # recalled from public reports, not re-checked).
    other = ec2.create_vpc_endpoint(VpcId=lab["vpc"], ServiceName=svc("dynamodb"))["VpcEndpoint"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=other["VpcEndpointId"], AddRouteTableIds=[rt_b])
    assert err(e)[:2] == (400, "RouteAlreadyExists")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PolicyDocument=policy, ResetPolicy=True)
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddSubnetIds=[lab["subnets"][0]])
    assert err(e)[:2] == (400, "InvalidParameter")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PolicyDocument="not json")
    assert err(e)[:2] == (400, "InvalidPolicyDocument")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId="vpce-0123456789abcdef0", ResetPolicy=True)
    assert err(e)[:2] == (400, "InvalidVpcEndpointId.NotFound")
    # The endpoint's routes are its own: DeleteRoute refuses them (route-table family).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route(RouteTableId=rt_b, DestinationPrefixListId="pl-02cd2c6b")
    assert err(e)[0] == 400
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep_id, other["VpcEndpointId"]])
    assert routes_to_ep(rt_b) == []


def test_modify_interface_endpoint(ec2, lab):
    sub_a, sub_b = lab["subnets"]
    ep = ec2.create_vpc_endpoint(VpcId=lab["vpc"], VpcEndpointType="Interface",
                                 ServiceName=svc("logs"), SubnetIds=[sub_a],
                                 SecurityGroupIds=[lab["sg"]])["VpcEndpoint"]
    ep_id = ep["VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddSubnetIds=[sub_b])
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert got["SubnetIds"] == [sub_a, sub_b] and len(got["NetworkInterfaceIds"]) == 2
    assert [d["DnsName"].split(".")[0][-10:] for d in got["DnsEntries"][1:3]] == [
        "us-east-1a", "us-east-1b"]
    assert free(ec2, sub_b) == 4090
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, RemoveSubnetIds=[sub_a])
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert got["SubnetIds"] == [sub_b] and len(got["NetworkInterfaceIds"]) == 1
    assert free(ec2, sub_a) == 4091
    assert len(got["DnsEntries"]) == 3

    sg2 = ec2.create_security_group(VpcId=lab["vpc"], GroupName="second",
                                    Description="second")["GroupId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddSecurityGroupIds=[sg2],
                            RemoveSecurityGroupIds=[lab["sg"]])
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert got["Groups"] == [{"GroupId": sg2, "GroupName": "second"}]
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=got["NetworkInterfaceIds"])["NetworkInterfaces"][0]
    assert [g["GroupId"] for g in eni["Groups"]] == [sg2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, RemoveSecurityGroupIds=[sg2])
    assert err(e)[:2] == (400, "InvalidParameter")

    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PrivateDnsEnabled=False)
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]
    assert got["PrivateDnsEnabled"] is False
    assert f"logs.{REGION}.amazonaws.com" not in [d["DnsName"] for d in got["DnsEntries"]]
    # A new subnet in a zone the endpoint already uses.
    third = ec2.create_subnet(VpcId=lab["vpc"], CidrBlock="192.168.32.0/20",
                              AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddSubnetIds=[third])
    assert err(e)[:2] == (400, "DuplicateSubnetsInSameZone")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, AddRouteTableIds=[lab["rtbs"][0]])
    assert err(e)[:2] == (400, "InvalidParameter")


# ---- DeleteVpcEndpoints ------------------------------------------------------------------------


def test_delete(ec2, lab):
    eps, _, _ = build_lab_endpoints(ec2, lab)
    ids = [e["VpcEndpointId"] for e in eps.values()]
    out = ec2.delete_vpc_endpoints(VpcEndpointIds=ids + ["vpce-0123456789abcdef0", "vpce-bad"])
    # Unknown ids are reported, not raised (the item codes follow the endpoint's NotFound and
    # Malformed errors; EC2's item wording could not be checked).
    assert out["Unsuccessful"] == [
        {"Error": {"Code": "InvalidVpcEndpointId.NotFound",
                   "Message": "The VpcEndPoint ID 'vpce-0123456789abcdef0' does not exist"},
         "ResourceId": "vpce-0123456789abcdef0"},
        {"Error": {"Code": "InvalidVpcEndpointId.Malformed",
                   "Message": 'Invalid id: "vpce-bad" (expecting "vpce-...")'},
         "ResourceId": "vpce-bad"}]
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    for sn in lab["subnets"]:
        assert free(ec2, sn) == 4091
    for t in ec2.describe_route_tables(RouteTableIds=lab["rtbs"])["RouteTables"]:
        assert [r.get("GatewayId") for r in t["Routes"]] == ["local"]
    # Now the subnet and the group can go.
    ec2.delete_security_group(GroupId=lab["sg"])
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=ids[:1])["Unsuccessful"][0]["Error"][
        "Code"] == "InvalidVpcEndpointId.NotFound"


# ---- DryRun and IAM ----------------------------------------------------------------------------


def test_dry_run(ec2, lab):
    ep = ec2.create_vpc_endpoint(VpcId=lab["vpc"], ServiceName=svc("s3"),
                                 RouteTableIds=[lab["rtbs"][0]])["VpcEndpoint"]
    calls = [
        lambda: ec2.create_vpc_endpoint(VpcId=lab["vpc"], VpcEndpointType="Interface",
                                        ServiceName=svc("ec2"), SubnetIds=lab["subnets"],
                                        DryRun=True),
        lambda: ec2.describe_vpc_endpoints(DryRun=True),
        lambda: ec2.modify_vpc_endpoint(VpcEndpointId=ep["VpcEndpointId"], ResetPolicy=True,
                                        DryRun=True),
        lambda: ec2.delete_vpc_endpoints(VpcEndpointIds=[ep["VpcEndpointId"]], DryRun=True),
        lambda: ec2.describe_vpc_endpoint_services(DryRun=True),
        lambda: ec2.describe_prefix_lists(DryRun=True),
        lambda: ec2.describe_managed_prefix_lists(DryRun=True),
        lambda: ec2.get_managed_prefix_list_entries(PrefixListId="pl-63a5400a", DryRun=True),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert err(e) == (412, "DryRunOperation",
                          "Request would have succeeded, but DryRun flag is set.")
    assert [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]] == [
        ep["VpcEndpointId"]]
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


def test_denied_callers(client, ec2, lab):
    reader = make_user(client, "netreader", doc(
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}))
    for dry in (True, False):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            reader.create_vpc_endpoint(VpcId=lab["vpc"], VpcEndpointType="Interface",
                                       ServiceName=svc("ec2"), SubnetIds=lab["subnets"],
                                       DryRun=dry)
        status, code, message = err(e)
        assert (status, code) == (403, "UnauthorizedOperation")
        assert "ec2:CreateVpcEndpoint" in message and "netreader" in message
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert reader.describe_vpc_endpoint_services(ServiceNames=[svc("ec2")])["ServiceNames"]

    # ec2:VpceServiceName limits which services a caller may connect the VPC to.
    sts_only = make_user(client, "stsonly", doc(
        {"Effect": "Allow", "Action": "ec2:CreateVpcEndpoint",
         "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/*",
         "Condition": {"StringEquals": {"ec2:VpceServiceName": svc("sts")}}},
        {"Effect": "Allow", "Action": "ec2:CreateVpcEndpoint",
         "NotResource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-endpoint/*"},
        {"Effect": "Allow", "Action": ["ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"],
         "Resource": "*", "Condition": {"StringEquals": {"ec2:VpceServiceName": svc("s3")}}}))
    made = sts_only.create_vpc_endpoint(VpcId=lab["vpc"], VpcEndpointType="Interface",
                                        ServiceName=svc("sts"), SubnetIds=lab["subnets"])
    assert made["VpcEndpoint"]["ServiceName"] == svc("sts")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_only.create_vpc_endpoint(VpcId=lab["vpc"], VpcEndpointType="Interface",
                                     ServiceName=svc("kms"), SubnetIds=lab["subnets"])
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    # The s3-only delete right does not reach the STS endpoint, nor its existence.
    for ep_id in (made["VpcEndpoint"]["VpcEndpointId"], "vpce-0123456789abcdef0"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sts_only.delete_vpc_endpoints(VpcEndpointIds=[ep_id])
        assert err(e)[:2] == (403, "UnauthorizedOperation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts_only.modify_vpc_endpoint(VpcEndpointId=made["VpcEndpoint"]["VpcEndpointId"],
                                     ResetPolicy=True)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert len(ec2.describe_vpc_endpoints()["VpcEndpoints"]) == 1


# ---- AWS CLI -----------------------------------------------------------------------------------


def test_through_the_aws_cli(aws_cli, ec2, lab):
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::lab-bucket/*"})
    rc, out, errtext = aws_cli("ec2", "create-vpc-endpoint", "--vpc-id", lab["vpc"],
                               "--vpc-endpoint-type", "Gateway", "--service-name", svc("s3"),
                               "--route-table-ids", *lab["rtbs"], "--policy-document", policy)
    assert rc == 0, errtext
    s3 = json.loads(out)["VpcEndpoint"]
    assert s3["RouteTableIds"] == lab["rtbs"] and s3["PolicyDocument"] == policy
    rc, out, errtext = aws_cli("ec2", "create-vpc-endpoint", "--vpc-id", lab["vpc"],
                               "--vpc-endpoint-type", "Interface", "--service-name",
                               svc("sagemaker.api"), "--subnet-ids", *lab["subnets"],
                               "--security-group-ids", lab["sg"], "--private-dns-enabled")
    assert rc == 0, errtext
    api = json.loads(out)["VpcEndpoint"]
    assert api["DnsEntries"][-1]["DnsName"] == f"api.sagemaker.{REGION}.amazonaws.com"
    rc, out, errtext = aws_cli("ec2", "describe-vpc-endpoints", "--filters",
                               f"Name=vpc-id,Values={lab['vpc']}",
                               "Name=vpc-endpoint-type,Values=Interface", "--query",
                               "VpcEndpoints[].VpcEndpointId")
    assert rc == 0, errtext
    assert json.loads(out) == [api["VpcEndpointId"]]
    rc, out, errtext = aws_cli("ec2", "describe-vpc-endpoint-services", "--service-names",
                               f"aws.sagemaker.{REGION}.studio")
    assert rc == 0, errtext
    assert json.loads(out)["ServiceDetails"][0]["ServiceType"] == [{"ServiceType": "Interface"}]
    rc, out, errtext = aws_cli("ec2", "get-managed-prefix-list-entries", "--prefix-list-id",
                               "pl-02cd2c6b")
    assert rc == 0, errtext
    assert json.loads(out)["Entries"]
    rc, out, errtext = aws_cli("ec2", "delete-vpc-endpoints", "--vpc-endpoint-ids",
                               s3["VpcEndpointId"], api["VpcEndpointId"])
    assert rc == 0, errtext
    assert json.loads(out)["Unsuccessful"] == []
    rc, out, errtext = aws_cli("ec2", "create-vpc-endpoint", "--vpc-id", lab["vpc"],
                               "--service-name", svc("nope"))
    assert rc != 0 and "InvalidServiceName" in errtext
