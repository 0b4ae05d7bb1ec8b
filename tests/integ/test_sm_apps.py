# SPDX-License-Identifier: Apache-2.0
# SageMaker Studio apps through Debian's boto3 and AWS CLI v2 against the real daemon
# (SAGEBOX_SAGEMAKER_DELAY_MS=200): CreateApp, DescribeApp, ListApps, DeleteApp for a user profile
# of a VpcOnly domain built through the EC2, KMS and IAM APIs; Pending -> InService, Deleting ->
# Deleted (still describable and listed); one ENI per unique instance of an owner in the domain's
# subnets, released with the last app on it; a full subnet making the app Failed; the errors
# (duplicate app, missing domain or profile, bad instance type); and IAM denials.
#
# AWS sources:
#   - SageMaker API Reference: the operations, ResourceSpec.InstanceType ("JupyterServer apps only
#     support the system value. For KernelGateway apps, the system value is translated to
#     ml.t3.medium"), ListApps SortOrder ("The default is Ascending"), the error codes.
#   - SageMaker Studio administration best practices, "Network management": Studio injects an ENI
#     for every unique instance used by a user profile or a shared space (a default Jupyter
#     server app on one 'system' instance, apps on one ml.t3.medium share one instance).
#   - terraform-provider-aws internal/service/sagemaker/app.go (resourceAppDelete) matches the
#     DeleteApp ValidationException phrases "has already been deleted" and "previously failed and
#     was automatically deleted".
# The remaining messages (ResourceNotFound for an app, a domain or a profile, ResourceInUse for a
# duplicate app, the FailureReason of an app whose subnet is full) are not verified against AWS:
# the tests check the code, the status and the ids the message names.
import json
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


@pytest.fixture
def daemon(make_daemon):
    return make_daemon(env={"SAGEBOX_SAGEMAKER_DELAY_MS": "200"}).start()


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def wait_for(fn, what, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def lab(client, cidrs=("10.0.1.0/24", "10.0.2.0/24")):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]
               ["SubnetId"] for cidr, zone in zip(cidrs, ("us-east-1a", "us-east-1b"))]
    sg = ec2.create_security_group(GroupName="studio", Description="studio",
                                   VpcId=vpc)["GroupId"]
    role = client("iam").create_role(RoleName="SageMakerExecution",
                                      AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    return {"vpc": vpc, "subnets": subnets, "sg": sg, "role": role}


def settle(fn, what):
    return wait_for(lambda: (lambda d: d if d["Status"] not in ("Pending", "Deleting",
                                                                 "Updating") else None)(fn()),
                    what)


def make_domain(client, env, mode="VpcOnly"):
    sm = client("sagemaker")
    arn = sm.create_domain(
        DomainName="lab", AuthMode="IAM", VpcId=env["vpc"], SubnetIds=env["subnets"],
        AppNetworkAccessType=mode,
        DefaultUserSettings={"ExecutionRole": env["role"], "SecurityGroups": [env["sg"]]})[
        "DomainArn"]
    did = arn.rsplit("/", 1)[1]
    d = settle(lambda: sm.describe_domain(DomainId=did), "domain")
    assert d["Status"] == "InService", d.get("FailureReason")
    return did


def make_profile(client, did, name):
    sm = client("sagemaker")
    sm.create_user_profile(DomainId=did, UserProfileName=name)
    p = settle(lambda: sm.describe_user_profile(DomainId=did, UserProfileName=name), "profile")
    assert p["Status"] == "InService", p.get("FailureReason")


def app_enis(ec2, env):
    """The ENIs in the lab's subnets other than the EFS mount targets'."""
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": env["subnets"]}])["NetworkInterfaces"]
    return [e for e in enis if e["InterfaceType"] != "efs"]


def free_ips(ec2, env):
    return sum(s["AvailableIpAddressCount"]
               for s in ec2.describe_subnets(SubnetIds=env["subnets"])["Subnets"])


def app_arn(did, owner, app_type, name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:app/{did}/{owner}/{app_type.lower()}/{name}"


def test_apps_lifecycle_one_eni_per_unique_instance(client, aws_cli):
    env = lab(client)
    did = make_domain(client, env)
    make_profile(client, did, "alice")
    sm, ec2 = client("sagemaker"), client("ec2")
    base_ips = free_ips(ec2, env)
    assert app_enis(ec2, env) == []

    def describe(t, n):
        return sm.describe_app(DomainId=did, UserProfileName="alice", AppType=t, AppName=n)

    # The default JupyterServer app runs on the 'system' instance.
    r = sm.create_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                      AppName="default", Tags=[{"Key": "team", "Value": "team-A"}])
    assert r["AppArn"] == app_arn(did, "alice", "JupyterServer", "default")
    d = describe("JupyterServer", "default")
    # svc_task_schedule counts the delay from the request's whole second (tasks.c), so the
    # background change may already have happened: Pending, or InService just after it.
    assert d["Status"] in ("Pending", "InService")
    assert d["ResourceSpec"]["InstanceType"] == "system"
    assert d["UserProfileName"] == "alice" and d["DomainId"] == did
    assert d["AppArn"] == r["AppArn"] and "SpaceName" not in d
    # KernelGateway apps: two on ml.t3.medium (one by default: "system" means ml.t3.medium),
    # one on ml.m5.large.
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                  AppName="kg-one", ResourceSpec={"InstanceType": "ml.t3.medium"})
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                  AppName="kg-two")
    rc, out, errs = aws_cli("sagemaker", "create-app", "--domain-id", did, "--user-profile-name",
                            "alice", "--app-type", "KernelGateway", "--app-name", "kg-big",
                            "--resource-spec", "InstanceType=ml.m5.large")
    assert rc == 0, errs
    assert json.loads(out)["AppArn"] == app_arn(did, "alice", "KernelGateway", "kg-big")
    assert describe("KernelGateway", "kg-two")["ResourceSpec"]["InstanceType"] == "ml.t3.medium"
    names = [("JupyterServer", "default"), ("KernelGateway", "kg-one"),
             ("KernelGateway", "kg-two"), ("KernelGateway", "kg-big")]
    for t, n in names:
        d = settle(lambda: describe(t, n), n)
        assert d["Status"] == "InService", d.get("FailureReason")
    # Three unique instances (system, ml.t3.medium, ml.m5.large): three ENIs, three addresses.
    enis = app_enis(ec2, env)
    assert len(enis) == 3
    assert free_ips(ec2, env) == base_ips - 3
    for e in enis:
        assert e["RequesterManaged"] is True
        assert e["Status"] == "in-use"
        assert e["VpcId"] == env["vpc"] and e["SubnetId"] in env["subnets"]
        assert env["sg"] in [g["GroupId"] for g in e["Groups"]]
        assert did in e["Description"]

    # ListApps: filters, ascending creation order by default, pagination.
    listed = sm.list_apps(DomainIdEquals=did, UserProfileNameEquals="alice")["Apps"]
    assert [(a["AppType"], a["AppName"]) for a in listed] == names
    assert all(a["Status"] == "InService" and a["DomainId"] == did for a in listed)
    desc = sm.list_apps(DomainIdEquals=did, SortOrder="Descending", SortBy="CreationTime")["Apps"]
    assert [(a["AppType"], a["AppName"]) for a in desc] == names[::-1]
    page = sm.list_apps(DomainIdEquals=did, MaxResults=3)
    assert len(page["Apps"]) == 3 and "NextToken" in page
    rest = sm.list_apps(DomainIdEquals=did, MaxResults=3, NextToken=page["NextToken"])
    assert [a["AppName"] for a in page["Apps"] + rest["Apps"]] == [n for _, n in names]
    assert "NextToken" not in rest
    assert sm.list_apps(DomainIdEquals=did, UserProfileNameEquals="bob")["Apps"] == []
    assert sm.list_apps(DomainIdEquals=did, SpaceNameEquals="shared")["Apps"] == []
    assert sm.list_apps(DomainIdEquals="d-000000000000")["Apps"] == []

    # Deleting one of two apps on the ml.t3.medium instance keeps the instance and its ENI.
    sm.delete_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                  AppName="kg-two")
    assert describe("KernelGateway", "kg-two")["Status"] in ("Deleting", "Deleted")
    assert settle(lambda: describe("KernelGateway", "kg-two"), "kg-two")["Status"] == "Deleted"
    assert len(app_enis(ec2, env)) == 3 and free_ips(ec2, env) == base_ips - 3
    # A Deleted app stays describable and listed.
    listed = sm.list_apps(DomainIdEquals=did)["Apps"]
    assert {a["AppName"]: a["Status"] for a in listed}["kg-two"] == "Deleted"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                      AppName="kg-two")
    status, code, msg = err(e)
    assert (status, code) == (400, "ValidationException")
    assert "has already been deleted" in msg
    # The last app on the instance takes its ENI with it.
    sm.delete_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                  AppName="kg-one")
    assert settle(lambda: describe("KernelGateway", "kg-one"), "kg-one")["Status"] == "Deleted"
    enis = app_enis(ec2, env)
    assert len(enis) == 2 and free_ips(ec2, env) == base_ips - 2
    # A deleted app's name can be used again: a new app on a new instance.
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                  AppName="kg-two")
    d = describe("KernelGateway", "kg-two")
    assert d["Status"] in ("Pending", "InService")
    assert settle(lambda: describe("KernelGateway", "kg-two"), "kg-two")["Status"] == "InService"
    assert len(app_enis(ec2, env)) == 3 and free_ips(ec2, env) == base_ips - 3
    # The profile cannot go while it has apps.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_user_profile(DomainId=did, UserProfileName="alice")
    assert err(e)[:2] == (400, "ResourceInUse")
    # Everything deleted: every address back.
    for t, n in [("JupyterServer", "default"), ("KernelGateway", "kg-two"),
                 ("KernelGateway", "kg-big")]:
        sm.delete_app(DomainId=did, UserProfileName="alice", AppType=t, AppName=n)
    for t, n in names:
        assert settle(lambda: describe(t, n), n)["Status"] == "Deleted"
    assert app_enis(ec2, env) == [] and free_ips(ec2, env) == base_ips
    rc, out, errs = aws_cli("sagemaker", "describe-app", "--domain-id", did,
                            "--user-profile-name", "alice", "--app-type", "JupyterServer",
                            "--app-name", "default")
    assert rc == 0, errs
    assert json.loads(out)["Status"] == "Deleted"


def test_app_errors(client):
    env = lab(client)
    did = make_domain(client, env)
    make_profile(client, did, "alice")
    sm = client("sagemaker")
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                  AppName="default")
    arn = app_arn(did, "alice", "JupyterServer", "default")

    def fails(fn, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            fn(**kw)
        return err(e)

    # A live app of that name exists (Pending counts as live).
    status, code, msg = fails(sm.create_app, DomainId=did, UserProfileName="alice",
                              AppType="JupyterServer", AppName="default")
    assert (status, code) == (400, "ResourceInUse") and arn in msg  # not verified against AWS
    # The owner and the domain must exist.
    status, code, msg = fails(sm.create_app, DomainId=did, UserProfileName="nobody",
                              AppType="KernelGateway", AppName="kg")
    assert (status, code) == (400, "ResourceNotFound") and "nobody" in msg
    status, code, msg = fails(sm.create_app, DomainId=did, SpaceName="nospace",
                              AppType="KernelGateway", AppName="kg")
    assert (status, code) == (400, "ResourceNotFound") and "nospace" in msg
    status, code, msg = fails(sm.create_app, DomainId="d-000000000000", UserProfileName="alice",
                              AppType="KernelGateway", AppName="kg")
    assert (status, code) == (400, "ResourceNotFound") and "d-000000000000" in msg
    # Exactly one owner.
    assert fails(sm.create_app, DomainId=did, AppType="KernelGateway",
                 AppName="kg")[:2] == (400, "ValidationException")
    assert fails(sm.create_app, DomainId=did, UserProfileName="alice", SpaceName="s",
                 AppType="KernelGateway", AppName="kg")[:2] == (400, "ValidationException")
    # JupyterServer apps run only on the 'system' instance (ResourceSpec.InstanceType).
    status, code, msg = fails(sm.create_app, DomainId=did, UserProfileName="alice",
                              AppType="JupyterServer", AppName="other",
                              ResourceSpec={"InstanceType": "ml.t3.medium"})
    assert (status, code) == (400, "ValidationException") and "system" in msg
    # The model's own validation (AppType enum).
    assert fails(sm.create_app, DomainId=did, UserProfileName="alice", AppType="Nope",
                 AppName="kg")[:2] == (400, "ValidationException")
    # Apps that do not exist.
    status, code, msg = fails(sm.describe_app, DomainId=did, UserProfileName="alice",
                              AppType="KernelGateway", AppName="missing")
    assert (status, code) == (400, "ResourceNotFound")
    assert app_arn(did, "alice", "KernelGateway", "missing") in msg
    assert fails(sm.delete_app, DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                 AppName="missing")[:2] == (400, "ResourceNotFound")
    # None of the failures left an app behind.
    assert [a["AppName"] for a in sm.list_apps(DomainIdEquals=did)["Apps"]] == ["default"]


def test_full_subnet_fails_the_app(client):
    # One /28 subnet: 16 - 5 reserved = 11 addresses, one taken by the EFS mount target.
    env = lab(client, cidrs=("10.0.1.0/28",))
    did = make_domain(client, env)
    make_profile(client, did, "alice")
    sm, ec2 = client("sagemaker"), client("ec2")
    while free_ips(ec2, env) > 0:
        ec2.create_network_interface(SubnetId=env["subnets"][0])
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway", AppName="kg")
    d = settle(lambda: sm.describe_app(DomainId=did, UserProfileName="alice",
                                       AppType="KernelGateway", AppName="kg"), "app")
    assert d["Status"] == "Failed"
    # The EC2 error inside is EC2's; the sentence around it is not verified against AWS.
    assert "InsufficientFreeAddressesInSubnet" in d["FailureReason"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                      AppName="kg")
    status, code, msg = err(e)
    assert (status, code) == (400, "ValidationException")
    assert "previously failed and was automatically deleted" in msg
    # A failed app does not hold the name: with an address free again, it can be created anew.
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": env["subnets"]}])["NetworkInterfaces"]
    ec2.delete_network_interface(
        NetworkInterfaceId=[x for x in enis if x["InterfaceType"] != "efs"][0][
            "NetworkInterfaceId"])
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway", AppName="kg")
    d = settle(lambda: sm.describe_app(DomainId=did, UserProfileName="alice",
                                       AppType="KernelGateway", AppName="kg"), "app")
    assert d["Status"] == "InService", d.get("FailureReason")
    assert free_ips(ec2, env) == 0


def test_public_internet_domain_apps_take_no_address(client):
    env = lab(client)
    did = make_domain(client, env, mode="PublicInternetOnly")
    make_profile(client, did, "alice")
    sm, ec2 = client("sagemaker"), client("ec2")
    before = free_ips(ec2, env)
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway", AppName="kg")
    d = settle(lambda: sm.describe_app(DomainId=did, UserProfileName="alice",
                                       AppType="KernelGateway", AppName="kg"), "app")
    assert d["Status"] == "InService"
    assert app_enis(ec2, env) == [] and free_ips(ec2, env) == before


def test_iam_denials(client):
    env = lab(client)
    did = make_domain(client, env)
    make_profile(client, did, "alice")
    iam = client("iam")
    iam.create_user(UserName="ds")
    iam.put_user_policy(UserName="ds", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "sagemaker:CreateApp",
             "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:app/{did}/*/kernelgateway/*"},
            {"Effect": "Deny", "Action": "sagemaker:CreateApp", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "blocked"}}},
            {"Effect": "Deny", "Action": ["sagemaker:DescribeApp", "sagemaker:DeleteApp"],
             "Resource": "*",
             "Condition": {"StringEquals": {"sagemaker:ResourceTag/owner": "admin"}}}]}))
    k = iam.create_access_key(UserName="ds")["AccessKey"]
    ds = client("sagemaker", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    root = client("sagemaker")

    def denied(fn, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            fn(**kw)
        status, code, msg = err(e)
        assert (status, code) == (400, "AccessDeniedException")
        return msg

    arn = app_arn(did, "alice", "KernelGateway", "kg")
    msg = denied(ds.create_app, DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                 AppName="kg")
    assert "sagemaker:CreateApp" in msg and arn in msg
    denied(ds.create_app, DomainId=did, UserProfileName="alice", AppType="JupyterServer",
           AppName="default", Tags=[{"Key": "team", "Value": "blocked"}])
    assert root.list_apps(DomainIdEquals=did)["Apps"] == []
    # Allowed otherwise.
    ds.create_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                  AppName="default", Tags=[{"Key": "team", "Value": "ok"}])
    assert ds.describe_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                           AppName="default")["Status"] in ("Pending", "InService")
    # Resource tags: an app tagged owner=admin is out of reach for describe and delete.
    root.create_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                    AppName="admin", Tags=[{"Key": "owner", "Value": "admin"}])
    denied(ds.describe_app, DomainId=did, UserProfileName="alice", AppType="KernelGateway",
           AppName="admin")
    denied(ds.delete_app, DomainId=did, UserProfileName="alice", AppType="KernelGateway",
           AppName="admin")
    assert root.describe_app(DomainId=did, UserProfileName="alice", AppType="KernelGateway",
                             AppName="admin")["Status"] in ("Pending", "InService")
    # ListApps is decided on "*".
    iam.put_user_policy(UserName="ds", PolicyName="p2", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "sagemaker:ListApps", "Resource": "*"}]}))
    msg = denied(ds.list_apps, DomainIdEquals=did)
    assert "sagemaker:ListApps" in msg


def test_space_apps_have_their_own_instances(client):
    env = lab(client)
    did = make_domain(client, env)
    make_profile(client, did, "alice")
    sm, ec2 = client("sagemaker"), client("ec2")
    sm.create_space(DomainId=did, SpaceName="shared")
    s = settle(lambda: sm.describe_space(DomainId=did, SpaceName="shared"), "space")
    assert s["Status"] == "InService", s.get("FailureReason")
    base = free_ips(ec2, env)
    r = sm.create_app(DomainId=did, SpaceName="shared", AppType="JupyterServer",
                      AppName="default")
    assert r["AppArn"] == app_arn(did, "shared", "JupyterServer", "default")
    sm.create_app(DomainId=did, UserProfileName="alice", AppType="JupyterServer",
                  AppName="default")
    for kw in ({"SpaceName": "shared"}, {"UserProfileName": "alice"}):
        d = settle(lambda: sm.describe_app(DomainId=did, AppType="JupyterServer",
                                           AppName="default", **kw), "app")
        assert d["Status"] == "InService", d.get("FailureReason")
    d = sm.describe_app(DomainId=did, SpaceName="shared", AppType="JupyterServer",
                        AppName="default")
    assert d["SpaceName"] == "shared" and "UserProfileName" not in d
    # Same instance type, different owners: two instances, two addresses.
    assert len(app_enis(ec2, env)) == 2 and free_ips(ec2, env) == base - 2
    listed = sm.list_apps(DomainIdEquals=did, SpaceNameEquals="shared")["Apps"]
    assert [(a.get("SpaceName"), a["AppName"]) for a in listed] == [("shared", "default")]
    listed = sm.list_apps(UserProfileNameEquals="alice")["Apps"]
    assert [(a.get("UserProfileName"), a["AppName"]) for a in listed] == [("alice", "default")]
    # The space cannot go while its app lives.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_space(DomainId=did, SpaceName="shared")
    assert err(e)[:2] == (400, "ResourceInUse")
    sm.delete_app(DomainId=did, SpaceName="shared", AppType="JupyterServer", AppName="default")
    d = settle(lambda: sm.describe_app(DomainId=did, SpaceName="shared", AppType="JupyterServer",
                                       AppName="default"), "app")
    assert d["Status"] == "Deleted"
    assert len(app_enis(ec2, env)) == 1 and free_ips(ec2, env) == base - 1
    sm.delete_space(DomainId=did, SpaceName="shared")
