# SPDX-License-Identifier: Apache-2.0
# SageMaker domains and their home EFS file system through Debian's boto3 and AWS CLI v2 against
# the real daemon (SAGEBOX_SAGEMAKER_DELAY_MS=200): the lab's domain (a VPC with two private
# subnets in two zones and a security group made through the EC2 API, a KMS key, an execution
# role trusting sagemaker.amazonaws.com), CreateDomain -> Pending -> InService, DescribeDomain,
# ListDomains with pagination, the EFS mount-target ENIs in the subnets, the validation errors,
# UpdateDomain, DeleteDomain with RetentionPolicy Retain and Delete, and IAM denials.
#
# Codes are those of the SageMaker API Reference (ValidationException, ResourceNotFound,
# ResourceInUse, AccessDeniedException). The messages of SageMaker for these domain failures
# could not be found in public sources: the tests check code, status and the ids the message
# names, and each such message is marked "not verified against AWS".
import json
import os
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


SLOW_TASKS = {"test_lab_domain_create_describe_list", "test_key_disabled_before_efs_fails_domain",
              "test_update_domain", "test_delete_domain"}


@pytest.fixture
def daemon(make_daemon, request):
    # Tests that act between a request and its background change get a longer delay.
    slow = request.node.originalname in SLOW_TASKS
    return make_daemon(env={"SAGEBOX_SAGEMAKER_DELAY_MS": "1500" if slow else "200"}).start()


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


def lab(client):
    """The lab's network, key and role; returns a dict of ids."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    s1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                           AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="studio", Description="studio",
                                   VpcId=vpc)["GroupId"]
    key = client("kms").create_key(Description="studio")["KeyMetadata"]["Arn"]
    role = client("iam").create_role(RoleName="SageMakerExecution",
                                      AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    return {"vpc": vpc, "subnets": [s1, s2], "sg": sg, "key": key, "role": role}


def domain_args(env, **over):
    a = {"DomainName": "lab", "AuthMode": "IAM", "VpcId": env["vpc"], "SubnetIds": env["subnets"],
         "AppNetworkAccessType": "VpcOnly", "KmsKeyId": env["key"],
         "DefaultUserSettings": {"ExecutionRole": env["role"], "SecurityGroups": [env["sg"]]},
         "Tags": [{"Key": "team", "Value": "ml"}]}
    a.update(over)
    return a


def domain_id_of(arn):
    return arn.rsplit("/", 1)[1]


def in_service(sm, did):
    return wait_for(lambda: (lambda d: d if d["Status"] in ("InService", "Failed") else None)(
        sm.describe_domain(DomainId=did)), "domain to settle")


def test_lab_domain_create_describe_list(client, aws_cli, daemon):
    env = lab(client)
    sm = client("sagemaker")
    args = domain_args(env)
    created = sm.create_domain(**args)
    did = domain_id_of(created["DomainArn"])
    assert did.startswith("d-") and len(did) == 14
    assert created["DomainArn"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{did}"
    assert created["Url"] == f"https://{did}.studio.{REGION}.sagemaker.aws"
    d = sm.describe_domain(DomainId=did)
    assert d["Status"] == "Pending"
    assert "HomeEfsFileSystemId" not in d
    d = in_service(sm, did)
    assert d["Status"] == "InService", d.get("FailureReason")
    assert d["DomainName"] == "lab" and d["AuthMode"] == "IAM"
    assert d["VpcId"] == env["vpc"] and d["SubnetIds"] == env["subnets"]
    assert d["AppNetworkAccessType"] == "VpcOnly" and d["KmsKeyId"] == env["key"]
    assert d["DefaultUserSettings"] == args["DefaultUserSettings"]
    assert d["Url"] == created["Url"] and d["DomainArn"] == created["DomainArn"]
    assert d["LastModifiedTime"] >= d["CreationTime"]
    fs = d["HomeEfsFileSystemId"]
    assert fs.startswith("fs-") and len(fs) == 20
    # The AWS CLI shows the same domain.
    rc, out, errs = aws_cli("sagemaker", "describe-domain", "--domain-id", did)
    assert rc == 0, errs
    assert json.loads(out)["HomeEfsFileSystemId"] == fs
    # One mount target per zone: an ENI of type efs in each subnet, taking an address.
    ec2 = client("ec2")
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": env["subnets"]}])["NetworkInterfaces"]
    efs = [e for e in enis if e["InterfaceType"] == "efs"]
    assert sorted(e["SubnetId"] for e in efs) == sorted(env["subnets"])
    assert all(e["RequesterManaged"] for e in efs)
    subnets = ec2.describe_subnets(SubnetIds=env["subnets"])["Subnets"]
    assert all(s["AvailableIpAddressCount"] == 250 for s in subnets)
    # VpcOnly: the two NFS security groups SageMaker makes.
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [env["vpc"]]}])["SecurityGroups"]
    names = {g["GroupName"] for g in groups}
    assert f"security-group-for-inbound-nfs-{did}" in names
    assert f"security-group-for-outbound-nfs-{did}" in names
    inbound = [g for g in groups if g["GroupName"] == f"security-group-for-inbound-nfs-{did}"][0]
    assert all(inbound["GroupId"] in [g["GroupId"] for g in e["Groups"]] for e in efs)
    # The home directory root of the file system.
    root = os.path.join(daemon.data_dir, "efs", fs)
    assert os.path.isdir(root) and (os.stat(root).st_mode & 0o777) == 0o700
    # The KMS grant SageMaker makes on the customer key for the execution role.
    grants = client("kms").list_grants(KeyId=env["key"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [env["role"]]
    assert "Decrypt" in grants[0]["Operations"]
    # ListDomains.
    lst = sm.list_domains()["Domains"]
    assert [x["DomainId"] for x in lst] == [did]
    assert lst[0]["Status"] == "InService" and lst[0]["DomainName"] == "lab"
    assert lst[0]["Url"] == created["Url"]


def test_list_domains_pagination(client, aws_cli):
    env = lab(client)
    sm = client("sagemaker")
    ids = set()
    for i in range(3):
        # The AWS CLI's create-domain (its start-up outlasts the 200 ms of Pending).
        rc, out, errs = aws_cli("sagemaker", "create-domain", "--cli-input-json",
                                json.dumps(domain_args(env, DomainName=f"d{i}")))
        assert rc == 0, errs
        ids.add(domain_id_of(json.loads(out)["DomainArn"]))
    page = sm.list_domains(MaxResults=2)
    assert len(page["Domains"]) == 2 and "NextToken" in page
    rest = sm.list_domains(MaxResults=2, NextToken=page["NextToken"])
    assert len(rest["Domains"]) == 1 and "NextToken" not in rest
    assert {x["DomainId"] for x in page["Domains"] + rest["Domains"]} == ids


def test_validation_errors(client):
    env = lab(client)
    sm = client("sagemaker")
    ec2 = client("ec2")
    iam = client("iam")

    def fails(**over):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sm.create_domain(**domain_args(env, **over))
        return err(e)

    # SSO: IAM Identity Center does not exist in sagebox (a sagebox answer, not AWS's).
    st, code, msg = fails(AuthMode="SSO")
    assert (st, code) == (400, "ValidationException") and "IAM Identity Center" in msg
    # Unknown VPC (message not verified against AWS).
    st, code, msg = fails(VpcId="vpc-0123456789abcdef0")
    assert (st, code) == (400, "ValidationException") and "vpc-0123456789abcdef0" in msg
    # A subnet of another VPC (message not verified against AWS).
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_subnet(VpcId=other, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    st, code, msg = fails(SubnetIds=[env["subnets"][0], foreign])
    assert (st, code) == (400, "ValidationException") and foreign in msg
    # An unknown security group (message not verified against AWS).
    st, code, msg = fails(DefaultUserSettings={"ExecutionRole": env["role"],
                                               "SecurityGroups": ["sg-0123456789abcdef0"]})
    assert (st, code) == (400, "ValidationException") and "sg-0123456789abcdef0" in msg
    # A missing role and a role that does not trust SageMaker.
    missing = f"arn:aws:iam::{ACCOUNT}:role/nope"
    st, code, msg = fails(DefaultUserSettings={"ExecutionRole": missing})
    assert (st, code) == (400, "ValidationException") and missing in msg
    untrusting = iam.create_role(RoleName="ec2only",
                                 AssumeRolePolicyDocument=TRUST_EC2)["Role"]["Arn"]
    st, code, msg = fails(DefaultUserSettings={"ExecutionRole": untrusting})
    assert (st, code) == (400, "ValidationException") and "sagemaker.amazonaws.com" in msg
    # A disabled key (message not verified against AWS).
    kms = client("kms")
    kid = kms.create_key()["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=kid)
    st, code, msg = fails(KmsKeyId=kid)
    assert (st, code) == (400, "ValidationException") and "disabled" in msg
    # Nothing was created by any of these.
    assert sm.list_domains()["Domains"] == []
    # Missing domain (message not verified against AWS).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.describe_domain(DomainId="d-000000000000")
    st, code, msg = err(e)
    assert (st, code) == (400, "ResourceNotFound") and "d-000000000000" in msg


def user_client(client, name, statements):
    iam = client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return lambda svc: client(svc, key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def test_pass_role_and_deny(client):
    env = lab(client)
    reads = {"Effect": "Allow", "Action": ["ec2:Describe*", "kms:*"], "Resource": "*"}
    # No iam:PassRole: AccessDeniedException naming the action.
    u = user_client(client, "nopass", [reads, {"Effect": "Allow", "Action": "sagemaker:*",
                                               "Resource": "*"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u("sagemaker").create_domain(**domain_args(env))
    st, code, msg = err(e)
    assert (st, code) == (400, "AccessDeniedException") and "iam:PassRole" in msg
    # A Deny on sagemaker:CreateDomain wins over Allow *.
    u = user_client(client, "denied", [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                       {"Effect": "Deny", "Action": "sagemaker:CreateDomain",
                                        "Resource": "*"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u("sagemaker").create_domain(**domain_args(env))
    st, code, msg = err(e)
    assert (st, code) == (400, "AccessDeniedException") and "sagemaker:CreateDomain" in msg
    assert "explicit deny" in msg
    # A condition on the request tags.
    u = user_client(client, "tagged", [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sagemaker:CreateDomain", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestTag/team": "ml"}}}])
    us = u("sagemaker")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        us.create_domain(**domain_args(env, Tags=[{"Key": "team", "Value": "x"}]))
    assert err(e)[1] == "AccessDeniedException"
    did = domain_id_of(us.create_domain(**domain_args(env))["DomainArn"])
    assert client("sagemaker").list_domains()["Domains"][0]["DomainId"] == did
    # DescribeDomain decided on the domain's ARN with its tags.
    u = user_client(client, "reader", [
        {"Effect": "Allow", "Action": "sagemaker:DescribeDomain", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "other"}}}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u("sagemaker").describe_domain(DomainId=did)
    st, code, msg = err(e)
    assert code == "AccessDeniedException"
    assert f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{did}" in msg


def test_key_disabled_before_efs_fails_domain(client):
    env = lab(client)
    sm = client("sagemaker")
    did = domain_id_of(sm.create_domain(**domain_args(env))["DomainArn"])
    client("kms").disable_key(KeyId=env["key"])
    d = in_service(sm, did)
    assert d["Status"] == "Failed"
    assert env["key"] in d["FailureReason"]
    assert "HomeEfsFileSystemId" not in d


def test_default_key_public_mode(client):
    env = lab(client)
    sm = client("sagemaker")
    args = domain_args(env, AppNetworkAccessType="PublicInternetOnly")
    del args["KmsKeyId"]
    did = domain_id_of(sm.create_domain(**args)["DomainArn"])
    d = in_service(sm, did)
    assert d["Status"] == "InService" and "KmsKeyId" not in d
    groups = client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [env["vpc"]]}])["SecurityGroups"]
    assert not any(did in g["GroupName"] for g in groups)


def test_update_domain(client):
    env = lab(client)
    sm = client("sagemaker")
    did = domain_id_of(sm.create_domain(**domain_args(env))["DomainArn"])
    # Not settled yet (message not verified against AWS).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.update_domain(DomainId=did, DefaultUserSettings={"ExecutionRole": env["role"]})
    assert err(e)[:2] == (400, "ResourceInUse")
    in_service(sm, did)
    role2 = client("iam").create_role(RoleName="Second",
                                      AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    out = sm.update_domain(DomainId=did, DefaultUserSettings={"ExecutionRole": role2},
                           DefaultSpaceSettings={"ExecutionRole": role2},
                           DomainSettingsForUpdate={"ExecutionRoleIdentityConfig": "USER_PROFILE_NAME"})
    assert out["DomainArn"].endswith(did)
    d = sm.describe_domain(DomainId=did)
    assert d["Status"] == "Updating"
    assert d["DefaultUserSettings"] == {"ExecutionRole": role2, "SecurityGroups": [env["sg"]]}
    assert d["DefaultSpaceSettings"] == {"ExecutionRole": role2}
    assert d["DomainSettings"]["ExecutionRoleIdentityConfig"] == "USER_PROFILE_NAME"
    assert in_service(sm, did)["Status"] == "InService"
    # The execution role is checked again.
    bad = client("iam").create_role(RoleName="ec2only",
                                    AssumeRolePolicyDocument=TRUST_EC2)["Role"]["Arn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.update_domain(DomainId=did, DefaultUserSettings={"ExecutionRole": bad})
    assert err(e)[:2] == (400, "ValidationException")
    assert sm.describe_domain(DomainId=did)["DefaultUserSettings"]["ExecutionRole"] == role2


def gone(sm, did):
    try:
        sm.describe_domain(DomainId=did)
        return False
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] == "ResourceNotFound"


def efs_enis(client, env):
    enis = client("ec2").describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": env["subnets"]}])["NetworkInterfaces"]
    return [e for e in enis if e["InterfaceType"] == "efs"]


@pytest.mark.parametrize("policy", ["Retain", "Delete"])
def test_delete_domain(client, daemon, policy):
    env = lab(client)
    sm = client("sagemaker")
    did = domain_id_of(sm.create_domain(**domain_args(env))["DomainArn"])
    fs = in_service(sm, did)["HomeEfsFileSystemId"]
    root = os.path.join(daemon.data_dir, "efs", fs)
    sm.delete_domain(DomainId=did, RetentionPolicy={"HomeEfsFileSystem": policy})
    assert sm.describe_domain(DomainId=did)["Status"] == "Deleting"
    wait_for(lambda: gone(sm, did), "domain to go")
    groups = client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [env["vpc"]]}])["SecurityGroups"]
    nfs = [g for g in groups if did in g["GroupName"]]
    if policy == "Retain":
        assert len(efs_enis(client, env)) == 2 and os.path.isdir(root) and len(nfs) == 2
    else:
        assert efs_enis(client, env) == [] and not os.path.exists(root) and nfs == []
        subnets = client("ec2").describe_subnets(SubnetIds=env["subnets"])["Subnets"]
        assert all(s["AvailableIpAddressCount"] == 251 for s in subnets)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_domain(DomainId=did)
    assert err(e)[:2] == (400, "ResourceNotFound")


def test_delete_refused_while_profiles_exist(client):
    env = lab(client)
    sm = client("sagemaker")
    did = domain_id_of(sm.create_domain(**domain_args(env))["DomainArn"])
    in_service(sm, did)
    sm.create_user_profile(DomainId=did, UserProfileName="alice")
    # message not verified against AWS
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_domain(DomainId=did, RetentionPolicy={"HomeEfsFileSystem": "Delete"})
    st, code, msg = err(e)
    assert (st, code) == (400, "ResourceInUse") and did in msg
    assert sm.describe_domain(DomainId=did)["Status"] == "InService"


def test_pending_work_survives_kill_9(make_daemon, tmp_path):
    """A domain's background creation is a durable task written with the domain (svc/tasks.h):
    killed with SIGKILL while the domain is Pending, the daemon finishes the work after a restart,
    and exactly once (one home file system)."""
    import signal

    import boto3
    from botocore.config import Config

    def clients(d):
        def make(service):
            return boto3.client(service, endpoint_url=d.endpoint, region_name="us-east-1",
                                aws_access_key_id="test", aws_secret_access_key="test",
                                config=Config(retries={"max_attempts": 1}))
        return make

    data = tmp_path / "kill9"
    first = make_daemon(data_dir=data, env={"SAGEBOX_SAGEMAKER_DELAY_MS": "3000"}).start()
    make = clients(first)
    env = lab(make)
    did = domain_id_of(make("sagemaker").create_domain(**domain_args(env))["DomainArn"])
    assert make("sagemaker").describe_domain(DomainId=did)["Status"] == "Pending"
    first.stop(sig=signal.SIGKILL)

    second = make_daemon(data_dir=data, env={"SAGEBOX_SAGEMAKER_DELAY_MS": "3000"}).start()
    sm = clients(second)("sagemaker")
    d = in_service(sm, did)
    assert d["Status"] == "InService" and d["HomeEfsFileSystemId"].startswith("fs-")
    # The task ran once: one file system directory, one mount target ENI per zone.
    assert [p.name for p in (data / "efs").iterdir()] == [d["HomeEfsFileSystemId"]]
    enis = clients(second)("ec2").describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [env["vpc"]]},
                 {"Name": "interface-type", "Values": ["efs"]}])["NetworkInterfaces"]
    assert len(enis) == 2


def test_home_file_system_encrypted_under_the_domain_key(client, daemon):
    """The home file system has a data key under the domain's KMS key, made and used through the
    grant the domain gives its execution role; a home directory's contents are encrypted with it
    (the marker .sagebox-home holds no clear text), and while the key is disabled no home can be
    made: a new user profile fails with KMS's reason, and works again once the key is enabled."""
    env = lab(client)
    sm, kms = client("sagemaker"), client("kms")
    did = domain_id_of(sm.create_domain(**domain_args(env))["DomainArn"])
    d = in_service(sm, did)
    assert d["Status"] == "InService"
    # SageMaker's grant for the execution role is on the key, made with the domain.
    grants = kms.list_grants(KeyId=env["key"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [env["role"]]
    assert "GenerateDataKeyWithoutPlaintext" in grants[0]["Operations"]

    def profile(name):
        sm.create_user_profile(DomainId=did, UserProfileName=name)
        return wait_for(lambda: (lambda p: p if p["Status"] in ("InService", "Failed") else None)(
            sm.describe_user_profile(DomainId=did, UserProfileName=name)), f"profile {name}")

    alice = profile("alice")
    assert alice["Status"] == "InService"
    home = daemon.data_dir / "efs" / d["HomeEfsFileSystemId"] / alice["HomeEfsFileSystemUid"]
    marker = (home / ".sagebox-home").read_bytes()
    assert len(marker) == 12 + len(f"uid={alice['HomeEfsFileSystemUid']} name=alice\n") + 16
    assert b"alice" not in marker and b"uid=" not in marker

    kms.disable_key(KeyId=env["key"])
    bob = profile("bob")
    assert bob["Status"] == "Failed"
    assert "is disabled" in bob["FailureReason"]  # KMS's DisabledException message
    assert not (daemon.data_dir / "efs" / d["HomeEfsFileSystemId"] /
                bob["HomeEfsFileSystemUid"]).exists()
    kms.enable_key(KeyId=env["key"])
    assert profile("carol")["Status"] == "InService"


def test_grant_refused_refuses_the_domain(client):
    """CreateDomain makes the KMS grant in its own transaction: a caller whose key policy does not
    allow kms:CreateGrant gets KMS's AccessDeniedException and no domain is left behind."""
    env = lab(client)
    iam = client("iam")
    iam.create_user(UserName="creator")
    iam.put_user_policy(UserName="creator", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sagemaker:*", "iam:PassRole", "ec2:Describe*",
                                           "kms:DescribeKey"], "Resource": "*"}]}))
    k = iam.create_access_key(UserName="creator")["AccessKey"]
    sm = client("sagemaker", key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_domain(**domain_args(env))
    status, code, msg = err(e)
    assert code == "AccessDeniedException" and "kms:CreateGrant" in msg
    assert client("sagemaker").list_domains()["Domains"] == []
