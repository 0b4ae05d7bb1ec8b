# SPDX-License-Identifier: Apache-2.0
# Route tables and routes through Debian's boto3 and AWS CLI v2 against the real daemon:
# CreateRouteTable, DescribeRouteTables (every documented filter, ids, pagination),
# DeleteRouteTable, AssociateRouteTable, DisassociateRouteTable, ReplaceRouteTableAssociation
# (also of the main association), CreateRoute, ReplaceRoute, DeleteRoute, the routes of a gateway
# VPC endpoint, blackhole routes, DryRun, and callers denied by IAM policies and condition keys.
#
# Expected codes, statuses and messages are AWS's, each with its source:
#   - EC2 API Reference: each action's page and "Error codes for the Amazon EC2 API";
#   - Amazon VPC User Guide: "Configure route tables", "How route priority works";
#   - real EC2 answers quoted in public issues, cited next to the assertion that uses them.
# Where EC2's wording could not be found, the test says so and checks only the code and status.
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
def net(ec2):
    """The lab VPC (192.168.0.0/16) with its two private /20 subnets and an attached internet
    gateway."""
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for cidr, az in (("192.168.0.0/20", "us-east-1a"), ("192.168.16.0/20", "us-east-1b"))]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "association.main", "Values": ["true"]}])
    return {"vpc": vpc, "subnets": subnets, "igw": igw,
            "main": main["RouteTables"][0]["RouteTableId"]}


def table(ec2, rtb):
    return ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]


def route_to(rt, dest):
    found = [r for r in rt["Routes"] if dest in (r.get("DestinationCidrBlock"),
                                                r.get("DestinationIpv6CidrBlock"),
                                                r.get("DestinationPrefixListId"))]
    assert len(found) <= 1
    return found[0] if found else None


# ---- Route tables --------------------------------------------------------------------------------


def test_create_route_table(ec2, net):
    rt = ec2.create_route_table(
        VpcId=net["vpc"],
        TagSpecifications=[{"ResourceType": "route-table",
                            "Tags": [{"Key": "Name", "Value": "private-a"}]}])["RouteTable"]
    assert rt["RouteTableId"].startswith("rtb-") and len(rt["RouteTableId"]) == 21
    assert rt["VpcId"] == net["vpc"] and rt["OwnerId"] == ACCOUNT
    assert rt["Associations"] == [] and rt["PropagatingVgws"] == []
    # one local route per CIDR block of the VPC ("Route table concepts": "Local route")
    assert rt["Routes"] == [{"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "local",
                             "Origin": "CreateRouteTable", "State": "active"}]
    assert tags_of(rt) == {"Name": "private-a"}
    assert table(ec2, rt["RouteTableId"]) == rt

    # the main table CreateVpc made: its main association, and the same local route
    main = table(ec2, net["main"])
    assert [(a["Main"], a["AssociationState"]["State"]) for a in main["Associations"]] == [
        (True, "associated")]
    assert main["Associations"][0]["RouteTableAssociationId"].startswith("rtbassoc-")
    assert main["Routes"] == rt["Routes"]

    # a VPC with a secondary block and an IPv6 block: a local route for each
    vpc2 = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    ec2.associate_vpc_cidr_block(VpcId=vpc2["VpcId"], CidrBlock="10.1.0.0/16")
    rt2 = ec2.create_route_table(VpcId=vpc2["VpcId"])["RouteTable"]
    v6 = vpc2["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    assert sorted((r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock"),
                   r["GatewayId"]) for r in rt2["Routes"]) == sorted(
        [("10.0.0.0/16", "local"), ("10.1.0.0/16", "local"), (v6, "local")])

    # errors: an unknown VPC (real EC2 wording, hashicorp/terraform-aws-consul#29), a malformed
    # id, a tag specification of another type
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route_table(VpcId="vpc-0000000000000000f")
    assert err(e) == (400, "InvalidVpcID.NotFound",
                      "The vpc ID 'vpc-0000000000000000f' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route_table(VpcId="vpc-zz")
    assert err(e)[:2] == (400, "InvalidVpcID.Malformed")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route_table(VpcId=net["vpc"], TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert err(e) == (400, "InvalidParameterValue",
                      "'vpc' is not a valid taggable resource type for this operation.")


def test_describe_route_tables_filters(ec2, net, client):
    vpc, (a, b), igw = net["vpc"], net["subnets"], net["igw"]
    pub = ec2.create_route_table(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "tier", "Value": "public"}]}])[
        "RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=pub, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=pub, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    assoc = ec2.associate_route_table(RouteTableId=pub, SubnetId=a)["AssociationId"]
    edge = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    edge_assoc = ec2.associate_route_table(RouteTableId=edge, GatewayId=igw)["AssociationId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [other_vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    s3 = "pl-63a5400a"
    ec2.create_route(RouteTableId=pub, DestinationPrefixListId=s3, GatewayId=igw)

    def f(name, *values):
        out = ec2.describe_route_tables(Filters=[{"Name": name, "Values": list(values)}])
        return sorted(t["RouteTableId"] for t in out["RouteTables"])

    mine = sorted([net["main"], pub, edge])
    assert f("vpc-id", vpc) == mine
    assert f("route-table-id", pub) == [pub]
    assert f("owner-id", ACCOUNT) == sorted(mine + [other_main])
    assert f("association.subnet-id", a) == [pub]
    assert f("association.route-table-association-id", assoc) == [pub]
    assert f("association.route-table-id", edge) == [edge]
    assert f("association.gateway-id", igw) == [edge]
    assert f("association.main", "true") == sorted([net["main"], other_main])
    # "Route tables that do not have an association ID are not returned" (DescribeRouteTables)
    assert f("association.main", "false") == sorted([pub, edge])
    assert f("route.destination-cidr-block", "0.0.0.0/0") == [pub]
    assert f("route.destination-cidr-block", "192.168.0.0/16") == mine
    assert f("route.destination-ipv6-cidr-block", "::/0") == [pub]
    assert f("route.destination-prefix-list-id", s3) == [pub]
    assert f("route.gateway-id", igw) == [pub]
    assert f("route.gateway-id", "local") == sorted(mine + [other_main])
    assert f("route.origin", "CreateRoute") == [pub]
    assert f("route.origin", "CreateRouteTable") == sorted(mine + [other_main])
    assert f("route.state", "active") == sorted(mine + [other_main])
    assert f("route.state", "blackhole") == []
    assert f("route.nat-gateway-id", "nat-0123456789abcdef0") == []
    assert f("route.network-interface-id", "eni-*") == []
    assert f("route.vpc-peering-connection-id", "pcx-*") == []
    assert f("tag:tier", "public") == [pub]
    assert f("tag-key", "tier") == [pub]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_route_tables(Filters=[{"Name": "route.target", "Values": ["x"]}])
    assert err(e) == (400, "InvalidParameterValue", "The filter 'route.target' is invalid")
    assert edge_assoc.startswith("rtbassoc-")

    # ids: several, the first unknown one is the error (the kind's NotFound wording follows
    # "The routeTable ID '...' does not exist", hashicorp/terraform-provider-aws#40788's form)
    got = ec2.describe_route_tables(RouteTableIds=[pub, edge])["RouteTables"]
    assert sorted(t["RouteTableId"] for t in got) == sorted([pub, edge])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_route_tables(RouteTableIds=[pub, "rtb-0000000000000000f"])
    assert err(e) == (400, "InvalidRouteTableID.NotFound",
                      "The routeTable ID 'rtb-0000000000000000f' does not exist")

    # pagination (MaxResults 5..100)
    for _ in range(6):
        ec2.create_route_table(VpcId=vpc)
    seen, token = [], None
    while True:
        kw = {"MaxResults": 5, "Filters": [{"Name": "vpc-id", "Values": [vpc]}]}
        if token:
            kw["NextToken"] = token
        page = ec2.describe_route_tables(**kw)
        assert len(page["RouteTables"]) <= 5
        seen += [t["RouteTableId"] for t in page["RouteTables"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 9 and len(set(seen)) == 9

    # a caller allowed nothing in EC2 cannot describe; DryRun answers DryRunOperation
    eve = make_user(client, "eve", allow(stmt(["iam:GetUser"])))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        eve.describe_route_tables()
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert "ec2:DescribeRouteTables" in err(e)[2]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_route_tables(DryRun=True)
    assert err(e) == (412, "DryRunOperation",
                      "Request would have succeeded, but DryRun flag is set.")


def test_delete_route_table(ec2, net):
    rt = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=rt, SubnetId=net["subnets"][0])[
        "AssociationId"]
    # a table with associations (real EC2: hashicorp/terraform-provider-aws#73), and the main
    # table (the same error, aws/aws-cli#1549)
    for rtb in (rt, net["main"]):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.delete_route_table(RouteTableId=rtb)
        assert err(e) == (400, "DependencyViolation",
                          f"The routeTable '{rtb}' has dependencies and cannot be deleted.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route_table(RouteTableId=rt, DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    ec2.disassociate_route_table(AssociationId=assoc)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net["igw"])
    ec2.delete_route_table(RouteTableId=rt)  # routes do not keep a table
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.describe_route_tables(RouteTableIds=[rt])
    assert err(e)[1] == "InvalidRouteTableID.NotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route_table(RouteTableId=rt)
    assert err(e) == (400, "InvalidRouteTableID.NotFound",
                      f"The routeTable ID '{rt}' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route_table(RouteTableId="rtb-xyz")
    assert err(e)[:2] == (400, "InvalidRouteTableId.Malformed")


# ---- Associations --------------------------------------------------------------------------------


def test_associations(ec2, net):
    vpc, (a, b), igw = net["vpc"], net["subnets"], net["igw"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    out = ec2.associate_route_table(RouteTableId=rt, SubnetId=a)
    assert out["AssociationId"].startswith("rtbassoc-")
    assert out["AssociationState"] == {"State": "associated"}
    got = table(ec2, rt)["Associations"]
    assert got == [{"Main": False, "RouteTableAssociationId": out["AssociationId"],
                    "RouteTableId": rt, "SubnetId": a,
                    "AssociationState": {"State": "associated"}}]

    # a subnet has one explicit association at a time, with this table or another (real EC2,
    # hashicorp/terraform-provider-aws#38960)
    rt2 = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for target in (rt, rt2):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.associate_route_table(RouteTableId=target, SubnetId=a)
        assert err(e) == (400, "Resource.AlreadyAssociated",
                          f"the specified association for route table {target} conflicts with an "
                          "existing association")
    # a subnet of another VPC; an internet gateway that is not attached to the table's VPC (the
    # gateway wording is real EC2's, smoketurner/serverless-vpc-plugin#147; the subnet's follows
    # it, not checked against EC2)
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2, SubnetId=other_subnet)
    assert err(e) == (400, "InvalidParameterValue",
                      f"route table {rt2} and subnet {other_subnet} belong to different networks")
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2, GatewayId=loose)
    assert err(e) == (400, "InvalidParameterValue",
                      f"route table {rt2} and network gateway {loose} belong to different networks")
    # unknown subnet and gateway; neither and both (wordings are sagebox's)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2, SubnetId="subnet-0000000000000000f")
    assert err(e) == (400, "InvalidSubnetID.NotFound",
                      "The subnet ID 'subnet-0000000000000000f' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2, GatewayId="vgw-0000000000000000f")
    assert err(e) == (400, "InvalidGatewayID.NotFound",
                      "The gateway ID 'vgw-0000000000000000f' does not exist")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2)
    assert err(e)[:2] == (400, "MissingParameter")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt2, SubnetId=b, GatewayId=igw)
    assert err(e)[:2] == (400, "InvalidParameterCombination")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId="rtb-0000000000000000f", SubnetId=b)
    assert err(e)[1] == "InvalidRouteTableID.NotFound"

    # a gateway (edge) association
    edge = ec2.associate_route_table(RouteTableId=rt2, GatewayId=igw)["AssociationId"]
    assert table(ec2, rt2)["Associations"][0]["GatewayId"] == igw
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.associate_route_table(RouteTableId=rt, GatewayId=igw)
    assert err(e)[1] == "Resource.AlreadyAssociated"
    ec2.disassociate_route_table(AssociationId=edge)
    assert table(ec2, rt2)["Associations"] == []

    # DisassociateRouteTable: unknown association (the EC2 error list's code; wording not checked
    # against EC2), the main association (real EC2: ansible/ansible#25521), DryRun
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_route_table(AssociationId="rtbassoc-0000000000000000f")
    assert err(e)[:2] == (400, "InvalidAssociationID.NotFound")
    main_assoc = table(ec2, net["main"])["Associations"][0]["RouteTableAssociationId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_route_table(AssociationId=main_assoc)
    assert err(e) == (400, "InvalidParameterValue",
                      f"cannot disassociate the main route table association {main_assoc}")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.disassociate_route_table(AssociationId=out["AssociationId"], DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert len(table(ec2, rt)["Associations"]) == 1
    ec2.disassociate_route_table(AssociationId=out["AssociationId"])
    assert table(ec2, rt)["Associations"] == []

    # DeleteSubnet drops the subnet's association with it
    c = ec2.create_subnet(VpcId=vpc, CidrBlock="192.168.32.0/24")["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=c)
    ec2.delete_subnet(SubnetId=c)
    assert table(ec2, rt)["Associations"] == []


def test_replace_route_table_association(ec2, net):
    vpc, (a, b) = net["vpc"], net["subnets"]
    rt1 = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    rt2 = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    old = ec2.associate_route_table(RouteTableId=rt1, SubnetId=a)["AssociationId"]
    out = ec2.replace_route_table_association(AssociationId=old, RouteTableId=rt2)
    new = out["NewAssociationId"]
    assert new.startswith("rtbassoc-") and new != old
    assert out["AssociationState"] == {"State": "associated"}
    assert table(ec2, rt1)["Associations"] == []
    assert [(x["RouteTableAssociationId"], x["SubnetId"]) for x in
            table(ec2, rt2)["Associations"]] == [(new, a)]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_route_table_association(AssociationId=old, RouteTableId=rt1)
    assert err(e)[:2] == (400, "InvalidAssociationID.NotFound")

    # the main association: the new table becomes the VPC's main route table ("Replace the main
    # route table"); subnets without an explicit association follow it, and the old main table
    # can go
    main_assoc = table(ec2, net["main"])["Associations"][0]["RouteTableAssociationId"]
    out = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=rt1)
    mains = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                               {"Name": "association.main", "Values": ["true"]}])
    assert [t["RouteTableId"] for t in mains["RouteTables"]] == [rt1]
    assert table(ec2, rt1)["Associations"][0]["Main"] is True
    assert table(ec2, rt1)["Associations"][0]["RouteTableAssociationId"] == out[
        "NewAssociationId"]
    ec2.delete_route_table(RouteTableId=net["main"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route_table(RouteTableId=rt1)
    assert err(e)[1] == "DependencyViolation"
    # a table of another VPC (wording not checked against EC2)
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_rt = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.replace_route_table_association(AssociationId=new, RouteTableId=other_rt)
    assert err(e)[:2] == (400, "InvalidParameterValue")
    # the VPC can be deleted once its subnets, gateway and extra tables are gone: the new main
    # table goes with it as the VPC's own
    ec2.delete_subnet(SubnetId=a)
    ec2.delete_subnet(SubnetId=b)
    ec2.detach_internet_gateway(InternetGatewayId=net["igw"], VpcId=vpc)
    ec2.delete_route_table(RouteTableId=rt2)
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"] == []


# ---- Routes --------------------------------------------------------------------------------------


def test_create_routes(ec2, net):
    vpc, igw = net["vpc"], net["igw"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0",
                            GatewayId=igw)["Return"] is True
    # canonical form: "We modify the specified CIDR block to its canonical form" (CreateRoute)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="198.51.100.77/24", GatewayId=igw)
    ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    eni = ec2.create_network_interface(SubnetId=net["subnets"][0])["NetworkInterface"][
        "NetworkInterfaceId"]
    # a route more specific than the VPC's block may go to a network interface
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="192.168.16.0/20",
                     NetworkInterfaceId=eni)
    routes = table(ec2, rt)["Routes"]
    assert route_to(table(ec2, rt), "0.0.0.0/0") == {
        "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute",
        "State": "active"}
    assert route_to(table(ec2, rt), "198.51.100.0/24")["GatewayId"] == igw
    assert route_to(table(ec2, rt), "::/0")["GatewayId"] == igw
    assert route_to(table(ec2, rt), "192.168.16.0/20")["NetworkInterfaceId"] == eni
    assert len(routes) == 5

    def refused(**kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ec2.create_route(RouteTableId=rt, **kw)
        return err(e)

    # RouteAlreadyExists, also for a local route's block (real EC2:
    # terraform-aws-modules/terraform-aws-vpc#108, hashicorp/terraform-provider-aws#23866)
    assert refused(DestinationCidrBlock="0.0.0.0/0", GatewayId=igw) == (
        400, "RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.")
    assert refused(DestinationCidrBlock="192.168.0.0/16", NetworkInterfaceId=eni) == (
        400, "RouteAlreadyExists", "The route identified by 192.168.0.0/16 already exists.")
    # a gateway that is not attached (real EC2: giantswarm/aws-operator#632), one that does not
    # exist (real EC2: devopsacademyau/academy#906), a NAT gateway that does not exist (real EC2:
    # boto/boto3#779)
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    assert refused(DestinationCidrBlock="10.9.0.0/16", GatewayId=loose) == (
        400, "InvalidParameterValue",
        f"route table {rt} and network gateway {loose} belong to different networks")
    assert refused(DestinationCidrBlock="10.9.0.0/16", GatewayId="igw-0000000000000000f") == (
        400, "InvalidGatewayID.NotFound", "The gateway ID 'igw-0000000000000000f' does not exist")
    assert refused(DestinationCidrBlock="10.9.0.0/16", NatGatewayId="nat-0000000000000000f") == (
        400, "InvalidNatGatewayID.NotFound",
        "The natGateway ID 'nat-0000000000000000f' does not exist")
    assert refused(DestinationCidrBlock="10.9.0.0/16",
                   NetworkInterfaceId="eni-0000000000000000f")[:2] == (
        400, "InvalidNetworkInterfaceID.NotFound")
    # targets sagebox does not model cannot exist (codes from the EC2 error list; wordings in the
    # "The ... ID '...' does not exist" form, not checked against EC2 for each)
    assert refused(DestinationCidrBlock="10.9.0.0/16",
                   VpcPeeringConnectionId="pcx-0000000000000000f")[:2] == (
        400, "InvalidVpcPeeringConnectionID.NotFound")
    assert refused(DestinationCidrBlock="10.9.0.0/16", InstanceId="i-0000000000000000f") == (
        400, "InvalidInstanceID.NotFound", "The instance ID 'i-0000000000000000f' does not exist")
    assert refused(DestinationCidrBlock="10.9.0.0/16",
                   TransitGatewayId="tgw-0000000000000000f") == (
        400, "InvalidTransitGatewayID.NotFound",
        "Transit Gateway tgw-0000000000000000f was deleted or does not exist.")
    # an interface of another VPC (wording not checked against EC2)
    other = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    other_eni = ec2.create_network_interface(SubnetId=other_subnet)["NetworkInterface"][
        "NetworkInterfaceId"]
    assert refused(DestinationCidrBlock="10.9.0.0/16", NetworkInterfaceId=other_eni)[:2] == (
        400, "InvalidParameterValue")
    # a destination inside the VPC may not go to the internet gateway (wording is sagebox's)
    assert refused(DestinationCidrBlock="192.168.1.0/24", GatewayId=igw)[:2] == (
        400, "InvalidParameterValue")
    # destinations: none (real EC2: hashicorp/terraform#14564), several, not a block (real EC2
    # wording, ansible-collections/amazon.aws#477)
    assert refused(GatewayId=igw) == (
        400, "MissingParameter",
        "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock")
    assert refused(DestinationCidrBlock="10.8.0.0/16", DestinationIpv6CidrBlock="2001:db8::/32",
                   GatewayId=igw)[:2] == (400, "InvalidParameterCombination")
    assert refused(DestinationCidrBlock="::/0", GatewayId=igw) == (
        400, "InvalidParameterValue",
        "Value (::/0) for parameter destinationCidrBlock is invalid. This is not a valid CIDR "
        "block.")
    assert refused(DestinationCidrBlock="10.8.0.0", GatewayId=igw)[:2] == (
        400, "InvalidParameterValue")
    assert refused(DestinationIpv6CidrBlock="10.8.0.0/16", GatewayId=igw)[:2] == (
        400, "InvalidParameterValue")
    # targets: none and several (wordings are sagebox's)
    assert refused(DestinationCidrBlock="10.8.0.0/16")[:2] == (400, "MissingParameter")
    assert refused(DestinationCidrBlock="10.8.0.0/16", GatewayId=igw,
                   NetworkInterfaceId=eni)[:2] == (400, "InvalidParameterCombination")
    # prefix lists: an AWS-managed one is a destination, an unknown one is not
    ec2.create_route(RouteTableId=rt, DestinationPrefixListId="pl-63a5400a",
                     NetworkInterfaceId=eni)
    assert route_to(table(ec2, rt), "pl-63a5400a")["NetworkInterfaceId"] == eni
    assert refused(DestinationPrefixListId="pl-0000000000000000f", GatewayId=igw)[:2] == (
        400, "InvalidPrefixListID.NotFound")
    # the table
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId="rtb-0000000000000000f", DestinationCidrBlock="0.0.0.0/0",
                         GatewayId=igw)
    assert err(e) == (400, "InvalidRouteTableID.NotFound",
                      "The routeTable ID 'rtb-0000000000000000f' does not exist")
    # nothing of the refused requests was written
    assert len(table(ec2, rt)["Routes"]) == 6


def test_replace_and_delete_routes(ec2, net):
    vpc, igw = net["vpc"], net["igw"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eni = ec2.create_network_interface(SubnetId=net["subnets"][0])["NetworkInterface"][
        "NetworkInterfaceId"]
    ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    assert route_to(table(ec2, rt), "0.0.0.0/0") == {
        "DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": eni, "Origin": "CreateRoute",
        "State": "active"}
    ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert route_to(table(ec2, rt), "0.0.0.0/0")["GatewayId"] == igw

    def refused(op, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            op(RouteTableId=rt, **kw)
        return err(e)

    # a route that does not exist (EC2's answer as emulators record it, getmoto/moto; not
    # checked against EC2 itself)
    assert refused(ec2.replace_route, DestinationCidrBlock="10.0.0.0/8", GatewayId=igw) == (
        400, "InvalidParameterValue",
        "There is no route defined for '10.0.0.0/8' in the route table. Use CreateRoute instead.")
    # the local route keeps its target (wordings are sagebox's); LocalTarget=true changes nothing
    assert refused(ec2.replace_route, DestinationCidrBlock="192.168.0.0/16",
                   NetworkInterfaceId=eni)[:2] == (400, "InvalidParameterValue")
    ec2.replace_route(RouteTableId=rt, DestinationCidrBlock="192.168.0.0/16", LocalTarget=True)
    assert route_to(table(ec2, rt), "192.168.0.0/16")["GatewayId"] == "local"
    assert refused(ec2.delete_route, DestinationCidrBlock="192.168.0.0/16") == (
        400, "InvalidParameterValue", f"cannot remove local route 192.168.0.0/16 in route table {rt}")
    # DeleteRoute of a route that does not exist (the wording EC2 emulators record, getmoto/moto)
    assert refused(ec2.delete_route, DestinationCidrBlock="10.0.0.0/8") == (
        400, "InvalidRoute.NotFound", f"no route with destination-cidr-block 10.0.0.0/8 in route "
                                      f"table {rt}")
    assert refused(ec2.delete_route, DestinationIpv6CidrBlock="::/0")[:2] == (
        400, "InvalidRoute.NotFound")
    assert refused(ec2.delete_route)[:2] == (400, "MissingParameter")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")
    assert route_to(table(ec2, rt), "0.0.0.0/0") is None
    assert [r["GatewayId"] for r in table(ec2, rt)["Routes"]] == ["local"]


def test_gateway_endpoint_routes(ec2, net):
    """A gateway VPC endpoint puts its prefix-list route into the tables it names (Origin
    CreateRoute, GatewayId vpce-...; hashicorp/terraform-provider-aws#30271 shows EC2's); the
    route belongs to the endpoint: ReplaceRoute and DeleteRoute refuse it (InvalidParameterValue
    with sagebox's wording; EC2's could not be found), and it goes with the endpoint."""
    rt = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ep = ec2.create_vpc_endpoint(VpcId=net["vpc"], VpcEndpointType="Gateway",
                                 ServiceName=f"com.amazonaws.{REGION}.s3",
                                 RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
    route = [r for r in table(ec2, rt)["Routes"] if r.get("GatewayId") == ep]
    assert len(route) == 1
    pl = route[0]["DestinationPrefixListId"]
    assert route[0] == {"DestinationPrefixListId": pl, "GatewayId": ep, "Origin": "CreateRoute",
                        "State": "active"}
    got = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [ep]}])
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [rt]
    for op, kw in ((ec2.delete_route, {}), (ec2.replace_route, {"GatewayId": net["igw"]})):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            op(RouteTableId=rt, DestinationPrefixListId=pl, **kw)
        assert err(e)[:2] == (400, "InvalidParameterValue")
        assert ep in err(e)[2]
    # routes a user adds beside it stay intact, and the endpoint's route stays through them
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net["igw"])
    ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")
    assert route_to(table(ec2, rt), pl)["GatewayId"] == ep
    # the same destination cannot be added by hand
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_route(RouteTableId=rt, DestinationPrefixListId=pl, GatewayId=net["igw"])
    assert err(e) == (400, "RouteAlreadyExists", f"The route identified by {pl} already exists.")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ep])
    assert route_to(table(ec2, rt), pl) is None


def test_blackhole_after_detaching_the_gateway(ec2, net):
    """A route to an internet gateway that is no longer attached is "blackhole", and active
    again when the gateway is re-attached (the State is computed when read)."""
    vpc, igw = net["vpc"], net["igw"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route_to(table(ec2, rt), "0.0.0.0/0")["State"] == "blackhole"
    got = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])
    assert [t["RouteTableId"] for t in got["RouteTables"]] == [rt]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route_to(table(ec2, rt), "0.0.0.0/0")["State"] == "active"
    # a deleted gateway leaves the route a blackhole for good; it can be deleted
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert route_to(table(ec2, rt), "0.0.0.0/0")["State"] == "blackhole"
    ec2.delete_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0")


# ---- Authorization -------------------------------------------------------------------------------


def test_authorization(ec2, net, client):
    vpc, (a, b), igw = net["vpc"], net["subnets"], net["igw"]
    tagged = ec2.create_route_table(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "team", "Value": "ml"}]}])[
        "RouteTable"]["RouteTableId"]
    plain = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    policy = allow(
        # route tables only in the lab VPC (ec2:Vpc of route-table/*) and on that VPC
        stmt(["ec2:CreateRouteTable"], arn("route-table", "*"),
             {"ArnEquals": {"ec2:Vpc": arn("vpc", vpc)}}),
        stmt(["ec2:CreateRouteTable"], arn("vpc", vpc)),
        # routes only in tables tagged team=ml
        stmt(["ec2:CreateRoute", "ec2:DeleteRoute"], "*",
             {"StringEquals": {"ec2:ResourceTag/team": "ml"}}),
        # associations of subnet a only
        stmt(["ec2:AssociateRouteTable"], [arn("route-table", "*"), arn("subnet", a)]),
        stmt(["ec2:Describe*"]))
    bob = make_user(client, "bob", policy)
    bob.create_route_table(VpcId=vpc)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_route_table(VpcId=other_vpc)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert f"ec2:CreateRouteTable on resource: {arn('route-table', '*')}" in err(e)[2]

    bob.create_route(RouteTableId=tagged, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_route(RouteTableId=plain, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert err(e) == (
        403, "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: "
        f"arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: ec2:CreateRoute on "
        f"resource: {arn('route-table', plain)} because no identity-based policy allows the "
        "ec2:CreateRoute action")
    assert route_to(table(ec2, plain), "0.0.0.0/0") is None
    # with DryRun the denial is the same; an allowed DryRun changes nothing
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_route(RouteTableId=plain, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw,
                         DryRun=True)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.delete_route(RouteTableId=tagged, DestinationCidrBlock="0.0.0.0/0", DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert route_to(table(ec2, tagged), "0.0.0.0/0")["GatewayId"] == igw

    bob.associate_route_table(RouteTableId=plain, SubnetId=a)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.associate_route_table(RouteTableId=plain, SubnetId=b)
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert arn("subnet", b) in err(e)[2]
    # a denied caller learns nothing of tables that do not exist
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.delete_route_table(RouteTableId="rtb-0000000000000000f")
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    for rtb in (tagged, plain):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            bob.delete_route_table(RouteTableId=rtb)
        assert err(e)[:2] == (403, "UnauthorizedOperation")

    # tag-on-create needs ec2:CreateTags as well
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_route_table(VpcId=vpc, TagSpecifications=[
            {"ResourceType": "route-table", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert err(e)[:2] == (403, "UnauthorizedOperation")
    assert "ec2:CreateTags" in err(e)[2]


# ---- The AWS CLI ---------------------------------------------------------------------------------


def test_through_the_aws_cli(aws_cli, ec2, net):
    rc, out, errtext = aws_cli("ec2", "create-route-table", "--vpc-id", net["vpc"],
                               "--tag-specifications",
                               "ResourceType=route-table,Tags=[{Key=Name,Value=public}]")
    assert rc == 0, errtext
    rt = json.loads(out)["RouteTable"]["RouteTableId"]
    rc, out, errtext = aws_cli("ec2", "create-route", "--route-table-id", rt,
                               "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", net["igw"])
    assert rc == 0 and json.loads(out) == {"Return": True}, errtext
    rc, out, errtext = aws_cli("ec2", "associate-route-table", "--route-table-id", rt,
                               "--subnet-id", net["subnets"][0])
    assert rc == 0, errtext
    assoc = json.loads(out)["AssociationId"]
    rc, out, errtext = aws_cli("ec2", "describe-route-tables", "--filters",
                               "Name=tag:Name,Values=public", "--query",
                               "RouteTables[0].Routes[?DestinationCidrBlock=='0.0.0.0/0'].GatewayId")
    assert rc == 0 and json.loads(out) == [net["igw"]], errtext
    rc, out, errtext = aws_cli("ec2", "create-route", "--route-table-id", rt,
                               "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", net["igw"])
    assert rc != 0 and "RouteAlreadyExists" in errtext
    rc, out, errtext = aws_cli("ec2", "delete-route-table", "--route-table-id", rt)
    assert rc != 0 and "DependencyViolation" in errtext
    rc, out, errtext = aws_cli("ec2", "disassociate-route-table", "--association-id", assoc)
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("ec2", "delete-route-table", "--route-table-id", rt)
    assert rc == 0, errtext
