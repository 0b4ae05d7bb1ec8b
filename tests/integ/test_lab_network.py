# SPDX-License-Identifier: Apache-2.0
# Issue 4's acceptance test: the private network of the lab (../shared/scenario.md, "Network
# (step 2)") built through the EC2, IAM and CloudWatch Logs APIs alone, by an administrator (an IAM
# user with AdministratorAccess, never the root) with Debian's AWS CLI v2, then checked with
# Debian's boto3: a /16 VPC with DNS support and hostnames, two private /20 subnets in two zones,
# a route table per subnet with only the local route and the S3 gateway endpoint's prefix-list
# route, the SageMaker and endpoints security groups, an S3 gateway endpoint with a policy,
# interface endpoints with private DNS for sagemaker.api, sagemaker.runtime, sts, logs, kms (with
# a policy) and ssm in both subnets, and a REJECT-only flow log of the whole VPC into a log group
# with 14-day retention, delivered by a role that trusts vpc-flow-logs.amazonaws.com. Then the
# describe outputs, filters, tags, IP accounting, dependency errors, a capacity limit and the
# denials of an identity without ec2:CreateVpcEndpoint, with and without DryRun.
import json
import subprocess
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"
AWS = "/usr/bin/aws"
GROUP = f"/vpcflowlogs/sagemaker-admin-workshop-{REGION}-{ACCOUNT}-vpc-flow-logs"
INTERFACE_SERVICES = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "kms", "ssm"]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


class Cli:
    """Debian's AWS CLI v2 with an access key, answering parsed JSON."""

    def __init__(self, daemon, tmp_path, key, secret):
        self.endpoint = daemon.endpoint
        self.env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": key,
                    "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION,
                    "AWS_PAGER": "", "AWS_CONFIG_FILE": str(tmp_path / "none"),
                    "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def __call__(self, *args):
        r = subprocess.run([AWS, "--endpoint-url", self.endpoint, "--output", "json", *args],
                           capture_output=True, text=True, env=self.env, timeout=60)
        assert r.returncode == 0, (args, r.stderr)
        return json.loads(r.stdout) if r.stdout.strip() else {}


def wait_for(fn, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def admin(client, daemon, tmp_path):
    iam = client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    k = iam.create_access_key(UserName="admin")["AccessKey"]
    return (Cli(daemon, tmp_path, k["AccessKeyId"], k["SecretAccessKey"]),
            client("ec2", k["AccessKeyId"], k["SecretAccessKey"]),
            client("logs", k["AccessKeyId"], k["SecretAccessKey"]),
            client("iam", k["AccessKeyId"], k["SecretAccessKey"]))


def build(aws, iam):
    """Builds the lab network with the AWS CLI, returning the ids."""
    ids = {}
    role = iam.create_role(
        RoleName="sagemaker-admin-workshop-VPCFlowLogsRole",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}))["Role"]
    iam.put_role_policy(
        RoleName=role["RoleName"], PolicyName="flow-logs",
        PolicyDocument=doc({"Effect": "Allow",
                            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                       "logs:PutLogEvents", "logs:DescribeLogGroups",
                                       "logs:DescribeLogStreams"],
                            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}*"}))
    ids["role_arn"] = role["Arn"]

    vpc = aws("ec2", "create-vpc", "--cidr-block", "192.168.0.0/16", "--tag-specifications",
              "ResourceType=vpc,Tags=[{Key=Name,Value=sagemaker-admin-workshop-vpc}]")["Vpc"]
    ids["vpc"] = vpc["VpcId"]
    aws("ec2", "modify-vpc-attribute", "--vpc-id", ids["vpc"], "--enable-dns-support",
        '{"Value":true}')
    aws("ec2", "modify-vpc-attribute", "--vpc-id", ids["vpc"], "--enable-dns-hostnames",
        '{"Value":true}')
    ids["subnets"], ids["rtbs"] = [], []
    for i, (cidr, az) in enumerate((("192.168.0.0/20", "us-east-1a"),
                                    ("192.168.16.0/20", "us-east-1b"))):
        sn = aws("ec2", "create-subnet", "--vpc-id", ids["vpc"], "--cidr-block", cidr,
                 "--availability-zone", az, "--tag-specifications",
                 f"ResourceType=subnet,Tags=[{{Key=Name,Value=private-{i + 1}}}]")["Subnet"]
        rt = aws("ec2", "create-route-table", "--vpc-id", ids["vpc"])["RouteTable"]
        aws("ec2", "associate-route-table", "--route-table-id", rt["RouteTableId"],
            "--subnet-id", sn["SubnetId"])
        ids["subnets"].append(sn["SubnetId"])
        ids["rtbs"].append(rt["RouteTableId"])

    sm = aws("ec2", "create-security-group", "--vpc-id", ids["vpc"], "--group-name",
             "sagemaker-sg", "--description", "SageMaker Studio")["GroupId"]
    aws("ec2", "authorize-security-group-ingress", "--group-id", sm, "--ip-permissions",
        json.dumps([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sm}]},
                    {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049,
                     "UserIdGroupPairs": [{"GroupId": sm}]}]))
    vpce_sg = aws("ec2", "create-security-group", "--vpc-id", ids["vpc"], "--group-name",
                  "vpc-endpoints-sg", "--description", "VPC endpoints")["GroupId"]
    aws("ec2", "authorize-security-group-ingress", "--group-id", vpce_sg, "--ip-permissions",
        json.dumps([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                     "UserIdGroupPairs": [{"GroupId": sm}]},
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "192.168.0.0/16"}]}]))
    ids["sm_sg"], ids["vpce_sg"] = sm, vpce_sg

    s3_policy = doc({"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject",
                     "s3:PutObject", "s3:ListBucket"], "Resource": "*"})
    ids["s3_vpce"] = aws("ec2", "create-vpc-endpoint", "--vpc-id", ids["vpc"],
                         "--vpc-endpoint-type", "Gateway", "--service-name",
                         f"com.amazonaws.{REGION}.s3", "--route-table-ids", *ids["rtbs"],
                         "--policy-document", s3_policy)["VpcEndpoint"]["VpcEndpointId"]
    kms_policy = doc({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    ids["vpce"] = {}
    for svc in INTERFACE_SERVICES:
        args = ["ec2", "create-vpc-endpoint", "--vpc-id", ids["vpc"], "--vpc-endpoint-type",
                "Interface", "--service-name", f"com.amazonaws.{REGION}.{svc}", "--subnet-ids",
                *ids["subnets"], "--security-group-ids", vpce_sg, "--private-dns-enabled"]
        if svc == "kms":
            args += ["--policy-document", kms_policy]
        ids["vpce"][svc] = aws(*args)["VpcEndpoint"]["VpcEndpointId"]

    aws("logs", "create-log-group", "--log-group-name", GROUP)
    aws("logs", "put-retention-policy", "--log-group-name", GROUP, "--retention-in-days", "14")
    fl = aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", ids["vpc"],
             "--traffic-type", "REJECT", "--log-destination-type", "cloud-watch-logs",
             "--log-group-name", GROUP, "--deliver-logs-permission-arn", ids["role_arn"],
             "--max-aggregation-interval", "600")
    assert fl["Unsuccessful"] == []
    ids["flow_log"] = fl["FlowLogIds"][0]
    return ids


def test_lab_network_built_through_the_api(admin, client):
    aws, ec2, logs, iam = admin
    ids = build(aws, iam)

    # The VPC and its attributes.
    vpc = ec2.describe_vpcs(VpcIds=[ids["vpc"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "192.168.0.0/16" and vpc["State"] == "available"
    for attr in ("enableDnsSupport", "enableDnsHostnames"):
        got = ec2.describe_vpc_attribute(VpcId=ids["vpc"], Attribute=attr)
        assert got[attr[0].upper() + attr[1:]]["Value"] is True
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name",
                                       "Values": ["sagemaker-admin-*"]}])["Vpcs"][0]["VpcId"] \
        == ids["vpc"]

    # Every interface endpoint put one requester-managed ENI into each private subnet.
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])["NetworkInterfaces"]
    assert len(enis) == 2 * len(INTERFACE_SERVICES)
    assert all(e["RequesterManaged"] and e["InterfaceType"] == "vpc_endpoint" for e in enis)
    for sn_id in ids["subnets"]:
        sn = ec2.describe_subnets(SubnetIds=[sn_id])["Subnets"][0]
        # A /20 has 4,096 addresses; AWS reserves 5; each endpoint ENI holds one.
        assert sn["AvailableIpAddressCount"] == 4091 - len(INTERFACE_SERVICES)
        in_subnet = [e for e in enis if e["SubnetId"] == sn_id]
        assert len(in_subnet) == len(INTERFACE_SERVICES)
        assert all(e["Groups"][0]["GroupId"] == ids["vpce_sg"] for e in in_subnet)

    # The route tables: the local route and the S3 prefix-list route, no internet route.
    for rt_id, sn_id in zip(ids["rtbs"], ids["subnets"]):
        rt = ec2.describe_route_tables(RouteTableIds=[rt_id])["RouteTables"][0]
        assert [a["SubnetId"] for a in rt["Associations"] if not a.get("Main")] == [sn_id]
        local = [r for r in rt["Routes"] if r.get("GatewayId") == "local"]
        assert [r["DestinationCidrBlock"] for r in local] == ["192.168.0.0/16"]
        s3 = [r for r in rt["Routes"] if r.get("GatewayId") == ids["s3_vpce"]]
        assert len(s3) == 1 and s3[0]["DestinationPrefixListId"].startswith("pl-")
        assert not any(r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in rt["Routes"])
    pl = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{REGION}.s3"]}])
    assert pl["PrefixLists"][0]["PrefixListId"] == s3[0]["DestinationPrefixListId"]

    # The endpoints: become available, private DNS, the policies.
    def all_available():
        eps = ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])["VpcEndpoints"]
        return eps if all(e["State"].lower() == "available" for e in eps) else None

    eps = wait_for(all_available, "the endpoints to become available")
    assert len(eps) == 1 + len(INTERFACE_SERVICES)
    by_service = {e["ServiceName"].rsplit(".", 1)[-1] if "sagemaker" not in e["ServiceName"]
                  else e["ServiceName"].split(f"{REGION}.")[1]: e for e in eps}
    assert by_service["s3"]["VpcEndpointType"] == "Gateway"
    assert sorted(by_service["s3"]["RouteTableIds"]) == sorted(ids["rtbs"])
    s3_policy = json.loads(by_service["s3"]["PolicyDocument"])
    assert s3_policy["Statement"][0]["Action"] == ["s3:GetObject", "s3:PutObject",
                                                   "s3:ListBucket"]
    for svc in INTERFACE_SERVICES:
        e = by_service[svc]
        assert e["VpcEndpointType"] == "Interface" and e["PrivateDnsEnabled"] is True
        assert sorted(e["SubnetIds"]) == sorted(ids["subnets"])
        assert len(e["NetworkInterfaceIds"]) == 2
        assert e["Groups"][0]["GroupId"] == ids["vpce_sg"]
        assert e["DnsEntries"], svc
    kms_policy = json.loads(by_service["kms"]["PolicyDocument"])
    assert kms_policy["Statement"][0]["Action"] == "kms:*"
    # Without a policy, an endpoint gets the default full-access policy.
    sts_policy = json.loads(by_service["sts"]["PolicyDocument"])
    assert sts_policy["Statement"][0]["Effect"] == "Allow"
    assert sts_policy["Statement"][0]["Principal"] == "*"

    # The security groups.
    sgs = {g["GroupName"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])["SecurityGroups"]}
    assert set(sgs) == {"default", "sagemaker-sg", "vpc-endpoints-sg"}
    nfs = [p for p in sgs["sagemaker-sg"]["IpPermissions"] if p.get("FromPort") == 2049]
    assert nfs and nfs[0]["UserIdGroupPairs"][0]["GroupId"] == ids["sm_sg"]
    found = ec2.describe_security_groups(Filters=[
        {"Name": "ip-permission.from-port", "Values": ["443"]},
        {"Name": "vpc-id", "Values": [ids["vpc"]]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [ids["vpce_sg"]]

    # The flow log and its log group.
    fl = ec2.describe_flow_logs(FlowLogIds=[ids["flow_log"]])["FlowLogs"][0]
    assert fl["ResourceId"] == ids["vpc"] and fl["TrafficType"] == "REJECT"
    assert fl["LogGroupName"] == GROUP and fl["MaxAggregationInterval"] == 600
    assert fl["DeliverLogsPermissionArn"] == ids["role_arn"]
    assert fl["DeliverLogsStatus"] == "SUCCESS"
    assert fl["LogFormat"].split() == [
        "${version}", "${account-id}", "${interface-id}", "${srcaddr}", "${dstaddr}",
        "${srcport}", "${dstport}", "${protocol}", "${packets}", "${bytes}", "${start}",
        "${end}", "${action}", "${log-status}"]
    group = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]
    assert group["retentionInDays"] == 14

    # Dependencies: nothing in use can be deleted.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_vpc(VpcId=ids["vpc"])
    assert err(e)[:2] == (400, "DependencyViolation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_subnet(SubnetId=ids["subnets"][0])
    assert err(e)[:2] == (400, "DependencyViolation")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.delete_security_group(GroupId=ids["vpce_sg"])
    assert err(e)[:2] == (400, "DependencyViolation")

    # An identity without ec2:CreateVpcEndpoint: denied, with DryRun and without, and nothing
    # changes.
    iam = client("iam")
    iam.create_user(UserName="netreader")
    iam.put_user_policy(UserName="netreader", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}))
    k = iam.create_access_key(UserName="netreader")["AccessKey"]
    reader = client("ec2", k["AccessKeyId"], k["SecretAccessKey"])
    assert reader.describe_vpcs(VpcIds=[ids["vpc"]])["Vpcs"]
    for dry in (True, False):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            reader.create_vpc_endpoint(VpcId=ids["vpc"], VpcEndpointType="Interface",
                                       ServiceName=f"com.amazonaws.{REGION}.ec2",
                                       SubnetIds=ids["subnets"], DryRun=dry)
        status, code, message = err(e)
        assert (status, code) == (403, "UnauthorizedOperation")
        assert "ec2:CreateVpcEndpoint" in message
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_vpc_endpoint(VpcId=ids["vpc"], VpcEndpointType="Interface",
                                ServiceName=f"com.amazonaws.{REGION}.ec2",
                                SubnetIds=ids["subnets"], DryRun=True)
    assert err(e)[:2] == (412, "DryRunOperation")
    assert len(ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])["VpcEndpoints"]) == 7


def test_a_full_subnet_refuses_more_interfaces(admin):
    # A /28 holds 16 addresses, 5 of them reserved: the twelfth ENI finds no address.
    _, ec2, _, _ = admin
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/28",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    made = [ec2.create_network_interface(SubnetId=sn)["NetworkInterface"] for _ in range(11)]
    assert sorted(int(e["PrivateIpAddress"].rsplit(".", 1)[1]) for e in made) == \
        list(range(4, 15))
    assert ec2.describe_subnets(SubnetIds=[sn])["Subnets"][0]["AvailableIpAddressCount"] == 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ec2.create_network_interface(SubnetId=sn)
    assert err(e)[:2] == (400, "InsufficientFreeAddressesInSubnet")
    ec2.delete_network_interface(NetworkInterfaceId=made[0]["NetworkInterfaceId"])
    assert ec2.describe_subnets(SubnetIds=[sn])["Subnets"][0]["AvailableIpAddressCount"] == 1
    again = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]
    assert again["PrivateIpAddress"] == made[0]["PrivateIpAddress"]
