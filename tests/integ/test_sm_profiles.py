# SPDX-License-Identifier: Apache-2.0
# SageMaker user profiles, spaces and tags through Debian's boto3 and AWS CLI v2 against the real
# daemon (SAGEBOX_SAGEMAKER_DELAY_MS=200): CreateUserProfile, DescribeUserProfile,
# ListUserProfiles, UpdateUserProfile, DeleteUserProfile; CreateSpace, DescribeSpace, ListSpaces,
# UpdateSpace, DeleteSpace; AddTags, ListTags, DeleteTags on domains, profiles and spaces; the
# lab's step 5 (a data scientist and an MLOps profile with their execution roles, tagged
# team=team-A) and attribute-based access control on those tags.
#
# Sources of the expected behaviour:
#   - SageMaker API Reference (2017-07-24): each operation's page and shapes (botocore's model);
#   - "Unable to delete UserProfile [ARN] because App(s) are associated with it." (ResourceInUse)
#     is AWS's answer quoted in github.com/aws/amazon-sagemaker-feedback/issues/113;
#   - Service Authorization Reference, Amazon SageMaker: actions, resource ARNs, condition keys.
# The other messages are not verified against AWS: those tests check the code and status only.
import json
import time

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

ACCOUNT = "000000000000"
REGION = "us-east-1"
TRUST_SAGEMAKER = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def wait_for(fn, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def tags_of(resp):
    return {t["Key"]: t["Value"] for t in resp["Tags"]}


class Env:
    def __init__(self, daemon, tmp_path):
        self.daemon = daemon
        self.tmp_path = tmp_path

    def client(self, service, key="test", secret="test"):
        return boto3.client(service, endpoint_url=self.daemon.endpoint, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}))

    def cli(self, *args, key="test", secret="test"):
        import subprocess
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.tmp_path), "AWS_ACCESS_KEY_ID": key,
               "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": "",
               "AWS_CONFIG_FILE": str(self.tmp_path / "none"),
               "AWS_SHARED_CREDENTIALS_FILE": str(self.tmp_path / "none")}
        r = subprocess.run(["/usr/bin/aws", "--endpoint-url", self.daemon.endpoint, *args],
                           capture_output=True, text=True, env=env, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def user(self, name, statements):
        """An IAM user with an inline policy; returns its SageMaker client."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return self.client("sagemaker", k["AccessKeyId"], k["SecretAccessKey"])


def assert_clean_exit(daemon):
    daemon.stop()
    logs = daemon.logs()
    assert "AddressSanitizer" not in logs and "runtime error" not in logs, logs[-4000:]


@pytest.fixture
def env(make_daemon, tmp_path):
    d = make_daemon(env={"SAGEBOX_SAGEMAKER_DELAY_MS": "200"}).start()
    yield Env(d, tmp_path)
    assert_clean_exit(d)


@pytest.fixture
def lab(env):
    """The lab's roles (StudioRoleDataScience, StudioRoleMLOps, a default execution role, and one
    that does not trust SageMaker), a VPC with two subnets and an InService IAM-mode domain."""
    iam = env.client("iam")
    roles = {}
    for name, trust in [("StudioRoleDataScience", TRUST_SAGEMAKER),
                        ("StudioRoleMLOps", TRUST_SAGEMAKER),
                        ("SageMakerDefaultRole", TRUST_SAGEMAKER),
                        ("Ec2Role", TRUST_EC2)]:
        roles[name] = iam.create_role(RoleName=name,
                                      AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    ec2 = env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]
               ["SubnetId"] for cidr, az in [("192.168.0.0/20", "us-east-1a"),
                                              ("192.168.16.0/20", "us-east-1b")]]
    sm = env.client("sagemaker")
    domain = sm.create_domain(DomainName="lab", AuthMode="IAM", VpcId=vpc, SubnetIds=subnets,
                              AppNetworkAccessType="PublicInternetOnly",
                              DefaultUserSettings={"ExecutionRole": roles[
                                  "SageMakerDefaultRole"]})["DomainArn"].split("/")[-1]
    wait_for(lambda: sm.describe_domain(DomainId=domain)["Status"] == "InService", "the domain")
    return {"sm": sm, "roles": roles, "domain": domain}


def profile_arn(domain, name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/{domain}/{name}"


def create_profile(lab, name, role=None, tags=None, wait=True):
    sm = lab["sm"]
    kw = {"DomainId": lab["domain"], "UserProfileName": name}
    if role:
        kw["UserSettings"] = {"ExecutionRole": role}
    if tags:
        kw["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    arn = sm.create_user_profile(**kw)["UserProfileArn"]
    if wait:
        wait_for(lambda: sm.describe_user_profile(DomainId=lab["domain"], UserProfileName=name)
                 ["Status"] == "InService", f"profile {name}")
    return arn


def test_lab_step5_two_profiles_with_roles_and_team_tag(env, lab):
    sm, domain, roles = lab["sm"], lab["domain"], lab["roles"]
    arn = sm.create_user_profile(
        DomainId=domain, UserProfileName="data-scientist",
        UserSettings={"ExecutionRole": roles["StudioRoleDataScience"]},
        Tags=[{"Key": "team", "Value": "team-A"}])["UserProfileArn"]
    assert arn == profile_arn(domain, "data-scientist")
    # Pending until the background task runs (test_states_move_in_the_background).
    first = sm.describe_user_profile(DomainId=domain, UserProfileName="data-scientist")
    assert first["Status"] in ("Pending", "InService")
    # The MLOps profile through the AWS CLI.
    rc, out, errtext = env.cli(
        "sagemaker", "create-user-profile", "--domain-id", domain,
        "--user-profile-name", "mlops-engineer",
        "--user-settings", json.dumps({"ExecutionRole": roles["StudioRoleMLOps"]}),
        "--tags", "Key=team,Value=team-A")
    assert rc == 0, errtext
    assert json.loads(out)["UserProfileArn"] == profile_arn(domain, "mlops-engineer")

    for name, role, uid in [("data-scientist", "StudioRoleDataScience", "200001"),
                            ("mlops-engineer", "StudioRoleMLOps", "200002")]:
        d = wait_for(lambda: (lambda p: p if p["Status"] == "InService" else None)(
            sm.describe_user_profile(DomainId=domain, UserProfileName=name)), name)
        assert d["DomainId"] == domain
        assert d["UserProfileName"] == name
        assert d["UserProfileArn"] == profile_arn(domain, name)
        assert d["HomeEfsFileSystemUid"] == uid
        assert d["UserSettings"] == {"ExecutionRole": roles[role]}
        assert d["CreationTime"] <= d["LastModifiedTime"]
        assert "_" not in d and "FailureReason" not in d
        assert tags_of(sm.list_tags(ResourceArn=profile_arn(domain, name))) == {"team": "team-A"}
        # The profile's home directory in the domain's EFS, named by its uid.
        fs = sm.describe_domain(DomainId=domain)["HomeEfsFileSystemId"]
        assert (env.daemon.data_dir / "efs" / fs / uid).is_dir()
    rc, out, _ = env.cli("sagemaker", "describe-user-profile", "--domain-id", domain,
                         "--user-profile-name", "mlops-engineer")
    assert rc == 0 and json.loads(out)["Status"] == "InService"


def test_list_user_profiles_filters_sort_and_pages(env, lab):
    sm, domain = lab["sm"], lab["domain"]
    names = ["alpha", "bravo", "charlie", "delta", "echo-x"]
    for n in names:
        create_profile(lab, n, wait=False)
    got = sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"]
    assert {p["UserProfileName"] for p in got} == set(names)
    for p in got:
        assert set(p) == {"DomainId", "UserProfileName", "Status", "CreationTime",
                          "LastModifiedTime"}
    asc = [p["UserProfileName"] for p in got]
    desc = [p["UserProfileName"] for p in sm.list_user_profiles(
        DomainIdEquals=domain, SortOrder="Descending")["UserProfiles"]]
    assert desc == list(reversed(asc))
    times = [p["CreationTime"] for p in got]
    assert times == sorted(times)
    by_mod = sm.list_user_profiles(SortBy="LastModifiedTime")["UserProfiles"]
    assert [p["LastModifiedTime"] for p in by_mod] == sorted(p["LastModifiedTime"] for p in by_mod)

    contains = sm.list_user_profiles(UserProfileNameContains="ha")["UserProfiles"]
    assert sorted(p["UserProfileName"] for p in contains) == ["alpha", "charlie"]
    assert sm.list_user_profiles(DomainIdEquals="d-000000000000")["UserProfiles"] == []

    seen, token = [], None
    while True:
        kw = {"MaxResults": 2, "DomainIdEquals": domain}
        if token:
            kw["NextToken"] = token
        page = sm.list_user_profiles(**kw)
        assert len(page["UserProfiles"]) <= 2
        seen += [p["UserProfileName"] for p in page["UserProfiles"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == asc
    # The CLI paginates by itself.
    rc, out, errtext = env.cli("sagemaker", "list-user-profiles", "--domain-id-equals", domain,
                               "--page-size", "2")
    assert rc == 0, errtext
    assert [p["UserProfileName"] for p in json.loads(out)["UserProfiles"]] == asc
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.list_user_profiles(NextToken="not-a-token")
    assert err(e)[:2] == (400, "ValidationException")  # message not verified against AWS


def test_duplicate_missing_domain_and_missing_profile(lab):
    sm, domain = lab["sm"], lab["domain"]
    create_profile(lab, "dup", wait=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_user_profile(DomainId=domain, UserProfileName="dup")
    assert err(e)[:2] == (400, "ResourceInUse")  # message not verified against AWS
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_user_profile(DomainId="d-000000000000", UserProfileName="x")
    assert err(e)[:2] == (400, "ResourceNotFound")  # message not verified against AWS
    for call in (sm.describe_user_profile, sm.delete_user_profile):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(DomainId=domain, UserProfileName="nobody")
        assert err(e)[:2] == (400, "ResourceNotFound")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.update_user_profile(DomainId=domain, UserProfileName="nobody")
    assert err(e)[:2] == (400, "ResourceNotFound")
    # Invalid names never reach the handler: the model's pattern.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_user_profile(DomainId=domain, UserProfileName="bad_name")
    assert err(e)[:2] == (400, "ValidationException")


def test_execution_role_must_exist_and_trust_sagemaker(lab):
    sm, domain, roles = lab["sm"], lab["domain"], lab["roles"]
    for role in (roles["Ec2Role"], f"arn:aws:iam::{ACCOUNT}:role/NoSuchRole"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sm.create_user_profile(DomainId=domain, UserProfileName="p1",
                                   UserSettings={"ExecutionRole": role})
        status, code, msg = err(e)
        assert (status, code) == (400, "ValidationException")
        assert role in msg
    # Nothing was created, and no uid was used up.
    assert sm.list_user_profiles()["UserProfiles"] == []
    create_profile(lab, "p1", role=roles["StudioRoleDataScience"])
    assert sm.describe_user_profile(DomainId=domain, UserProfileName="p1")[
        "HomeEfsFileSystemUid"] == "200001"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.update_user_profile(DomainId=domain, UserProfileName="p1",
                               UserSettings={"ExecutionRole": roles["Ec2Role"]})
    assert err(e)[:2] == (400, "ValidationException")


def test_pass_role_is_required(env, lab):
    domain, roles = lab["domain"], lab["roles"]
    no_pass = env.user("nopass", [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        no_pass.create_user_profile(DomainId=domain, UserProfileName="p",
                                    UserSettings={"ExecutionRole": roles["StudioRoleMLOps"]})
    status, code, msg = err(e)
    assert (status, code) == (400, "AccessDeniedException")
    assert "iam:PassRole" in msg and roles["StudioRoleMLOps"] in msg
    # Without a role to pass, the same caller may create a profile.
    no_pass.create_user_profile(DomainId=domain, UserProfileName="p")
    passer = env.user("passer", [
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": roles["StudioRoleMLOps"],
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}])
    passer.create_user_profile(DomainId=domain, UserProfileName="q",
                               UserSettings={"ExecutionRole": roles["StudioRoleMLOps"]})


def test_denied_creation_changes_nothing(env, lab):
    sm, domain = lab["sm"], lab["domain"]
    denied = env.user("reader", [{"Effect": "Allow", "Action": "sagemaker:Describe*",
                                  "Resource": "*"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        denied.create_user_profile(DomainId=domain, UserProfileName="p")
    status, code, msg = err(e)
    assert (status, code) == (400, "AccessDeniedException")
    assert "sagemaker:CreateUserProfile" in msg and profile_arn(domain, "p") in msg
    assert sm.list_user_profiles()["UserProfiles"] == []


def test_abac_on_profile_tags(env, lab):
    domain, roles = lab["domain"], lab["roles"]
    create_profile(lab, "ds-a", role=roles["StudioRoleDataScience"], tags={"team": "team-A"})
    create_profile(lab, "ds-b", role=roles["StudioRoleDataScience"], tags={"team": "team-B"})
    for key in ("sagemaker:ResourceTag/team", "aws:ResourceTag/team"):
        sm = env.user(f"abac-{key.split(':')[0]}", [{
            "Effect": "Allow", "Action": "sagemaker:DescribeUserProfile", "Resource": "*",
            "Condition": {"StringEquals": {key: "team-A"}}}])
        assert sm.describe_user_profile(DomainId=domain, UserProfileName="ds-a")["Status"] == \
            "InService"
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sm.describe_user_profile(DomainId=domain, UserProfileName="ds-b")
        status, code, msg = err(e)
        assert (status, code) == (400, "AccessDeniedException")
        assert profile_arn(domain, "ds-b") in msg
    # aws:RequestTag on creation: only profiles tagged team=team-A may be created.
    creator = env.user("creator", [{
        "Effect": "Allow", "Action": "sagemaker:CreateUserProfile", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/team": "team-A"}}}])
    creator.create_user_profile(DomainId=domain, UserProfileName="new-a",
                                Tags=[{"Key": "team", "Value": "team-A"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        creator.create_user_profile(DomainId=domain, UserProfileName="new-b",
                                    Tags=[{"Key": "team", "Value": "team-B"}])
    assert err(e)[:2] == (400, "AccessDeniedException")


def test_tags_round_trip_on_domain_profile_and_space(env, lab):
    sm, domain = lab["sm"], lab["domain"]
    create_profile(lab, "tagged", tags={"team": "team-A"}, wait=False)
    space_arn = sm.create_space(DomainId=domain, SpaceName="shared",
                                Tags=[{"Key": "k0", "Value": "v0"}])["SpaceArn"]
    domain_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{domain}"
    for arn, before in [(domain_arn, {}), (profile_arn(domain, "tagged"), {"team": "team-A"}),
                        (space_arn, {"k0": "v0"})]:
        assert tags_of(sm.list_tags(ResourceArn=arn)) == before
        out = sm.add_tags(ResourceArn=arn, Tags=[{"Key": "cost", "Value": "1"},
                                                  {"Key": "env", "Value": "dev"}])
        assert tags_of(out) == {"cost": "1", "env": "dev"}
        sm.add_tags(ResourceArn=arn, Tags=[{"Key": "cost", "Value": "2"}])
        assert tags_of(sm.list_tags(ResourceArn=arn)) == {**before, "cost": "2", "env": "dev"}
        sm.delete_tags(ResourceArn=arn, TagKeys=["cost", "absent"])
        assert tags_of(sm.list_tags(ResourceArn=arn)) == {**before, "env": "dev"}
    # The CLI.
    rc, out, errtext = env.cli("sagemaker", "list-tags", "--resource-arn", space_arn)
    assert rc == 0, errtext
    assert tags_of(json.loads(out)) == {"k0": "v0", "env": "dev"}
    # 50 tags at most per resource (the message is not verified against AWS).
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(1, 50)]
    sm.add_tags(ResourceArn=space_arn, Tags=many[:48])
    assert len(sm.list_tags(ResourceArn=space_arn)["Tags"]) == 50
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.add_tags(ResourceArn=space_arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert err(e)[:2] == (400, "ResourceLimitExceeded")
    assert len(sm.list_tags(ResourceArn=space_arn)["Tags"]) == 50
    # Pagination of ListTags (MaxResults is at least 50 in the model).
    page = sm.list_tags(ResourceArn=space_arn, MaxResults=50)
    assert len(page["Tags"]) == 50 and "NextToken" not in page
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.add_tags(ResourceArn=domain_arn, Tags=[{"Key": "aws:x", "Value": "v"}])
    assert err(e)[:2] == (400, "ValidationException")
    missing = profile_arn(domain, "nobody")
    for call, kw in [(sm.list_tags, {}), (sm.add_tags, {"Tags": [{"Key": "a", "Value": "b"}]}),
                     (sm.delete_tags, {"TagKeys": ["a"]})]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(ResourceArn=missing, **kw)
        assert err(e)[:2] == (400, "ResourceNotFound")  # not verified against AWS


def test_tag_operations_are_authorized_with_tag_keys(env, lab):
    sm, domain = lab["sm"], lab["domain"]
    arn = create_profile(lab, "guarded", tags={"team": "team-A"}, wait=False)
    tagger = env.user("tagger", [
        {"Effect": "Allow", "Action": ["sagemaker:AddTags", "sagemaker:DeleteTags"],
         "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}},
        {"Effect": "Allow", "Action": "sagemaker:ListTags", "Resource": "*",
         "Condition": {"StringEquals": {"sagemaker:ResourceTag/team": "team-A"}}}])
    tagger.add_tags(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        tagger.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "team-B"}])
    status, code, msg = err(e)
    assert (status, code) == (400, "AccessDeniedException") and "sagemaker:AddTags" in msg
    with pytest.raises(botocore.exceptions.ClientError) as e:
        tagger.delete_tags(ResourceArn=arn, TagKeys=["team"])
    assert err(e)[:2] == (400, "AccessDeniedException")
    tagger.delete_tags(ResourceArn=arn, TagKeys=["env"])
    assert tags_of(tagger.list_tags(ResourceArn=arn)) == {"team": "team-A"}
    assert tags_of(sm.list_tags(ResourceArn=arn)) == {"team": "team-A"}


def test_update_user_profile(lab):
    sm, domain, roles = lab["sm"], lab["domain"], lab["roles"]
    create_profile(lab, "upd", role=roles["StudioRoleDataScience"])
    out = sm.update_user_profile(
        DomainId=domain, UserProfileName="upd",
        UserSettings={"ExecutionRole": roles["StudioRoleMLOps"],
                      "SharingSettings": {"NotebookOutputOption": "Disabled"}})
    assert out["UserProfileArn"] == profile_arn(domain, "upd")
    d = wait_for(lambda: (lambda p: p if p["Status"] == "InService" else None)(
        sm.describe_user_profile(DomainId=domain, UserProfileName="upd")), "update")
    assert d["UserSettings"] == {"ExecutionRole": roles["StudioRoleMLOps"],
                                 "SharingSettings": {"NotebookOutputOption": "Disabled"}}
    assert d["HomeEfsFileSystemUid"] == "200001"


def test_delete_user_profile_with_and_without_apps(lab):
    sm, domain = lab["sm"], lab["domain"]
    create_profile(lab, "busy")
    create_profile(lab, "idle")
    sm.create_app(DomainId=domain, UserProfileName="busy", AppType="JupyterServer",
                  AppName="default")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_user_profile(DomainId=domain, UserProfileName="busy")
    assert err(e) == (400, "ResourceInUse",
                      f"Unable to delete UserProfile [{profile_arn(domain, 'busy')}] because "
                      "App(s) are associated with it.")
    # A domain with profiles cannot go either.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_domain(DomainId=domain)
    assert err(e)[:2] == (400, "ResourceInUse")

    sm.delete_user_profile(DomainId=domain, UserProfileName="idle")

    def gone(name):
        try:
            sm.describe_user_profile(DomainId=domain, UserProfileName=name)
            return False
        except botocore.exceptions.ClientError as ex:
            return ex.response["Error"]["Code"] == "ResourceNotFound"

    wait_for(lambda: gone("idle"), "idle deleted")
    wait_for(lambda: sm.describe_app(DomainId=domain, UserProfileName="busy",
                                     AppType="JupyterServer", AppName="default")["Status"]
             == "InService", "the app")
    sm.delete_app(DomainId=domain, UserProfileName="busy", AppType="JupyterServer",
                  AppName="default")
    wait_for(lambda: sm.describe_app(DomainId=domain, UserProfileName="busy",
                                     AppType="JupyterServer", AppName="default")["Status"]
             == "Deleted", "the app deleted")
    sm.delete_user_profile(DomainId=domain, UserProfileName="busy")
    wait_for(lambda: gone("busy"), "busy deleted")
    assert sm.list_user_profiles(DomainIdEquals=domain)["UserProfiles"] == []


def test_spaces_round_trip(env, lab):
    sm, domain = lab["sm"], lab["domain"]
    settings = {"JupyterServerAppSettings": {"DefaultResourceSpec": {"InstanceType": "system"}}}
    arn = sm.create_space(DomainId=domain, SpaceName="team-space", SpaceSettings=settings,
                          Tags=[{"Key": "team", "Value": "team-A"}])["SpaceArn"]
    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:space/{domain}/team-space"
    d = wait_for(lambda: (lambda s: s if s["Status"] == "InService" else None)(
        sm.describe_space(DomainId=domain, SpaceName="team-space")), "the space")
    assert d["SpaceSettings"] == settings and d["SpaceArn"] == arn and d["DomainId"] == domain
    assert d["HomeEfsFileSystemUid"] == "200001"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_space(DomainId=domain, SpaceName="team-space")
    assert err(e)[:2] == (400, "ResourceInUse")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_space(DomainId="d-000000000000", SpaceName="s")
    assert err(e)[:2] == (400, "ResourceNotFound")
    sm.create_space(DomainId=domain, SpaceName="other")
    rc, out, errtext = env.cli("sagemaker", "list-spaces", "--domain-id-equals", domain,
                               "--space-name-contains", "team")
    assert rc == 0, errtext
    assert [s["SpaceName"] for s in json.loads(out)["Spaces"]] == ["team-space"]
    assert len(sm.list_spaces(DomainIdEquals=domain)["Spaces"]) == 2

    sm.update_space(DomainId=domain, SpaceName="team-space", SpaceSettings={
        "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}})
    d = wait_for(lambda: (lambda s: s if s["Status"] == "InService" else None)(
        sm.describe_space(DomainId=domain, SpaceName="team-space")), "the space update")
    assert d["SpaceSettings"] == {**settings, "KernelGatewayAppSettings": {
        "DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}}

    sm.create_app(DomainId=domain, SpaceName="team-space", AppType="JupyterServer",
                  AppName="default")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.delete_space(DomainId=domain, SpaceName="team-space")
    assert err(e)[:2] == (400, "ResourceInUse")
    sm.delete_space(DomainId=domain, SpaceName="other")

    def gone():
        try:
            sm.describe_space(DomainId=domain, SpaceName="other")
            return False
        except botocore.exceptions.ClientError as ex:
            return ex.response["Error"]["Code"] == "ResourceNotFound"

    wait_for(gone, "space deleted")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.describe_space(DomainId=domain, SpaceName="nothing")
    assert err(e)[:2] == (400, "ResourceNotFound")


def test_states_move_in_the_background(make_daemon, tmp_path):
    """Pending, Updating and Deleting are seen before the tasks run (a 2.5 s delay, so that the
    task scheduler's whole-second clock cannot make them due at once)."""
    env = Env(make_daemon(data_dir=tmp_path / "slow",
                          env={"SAGEBOX_SAGEMAKER_DELAY_MS": "2500"}).start(), tmp_path)
    iam, ec2, sm = env.client("iam"), env.client("ec2"), env.client("sagemaker")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST_SAGEMAKER)["Role"]["Arn"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    domain = sm.create_domain(DomainName="d", AuthMode="IAM", VpcId=vpc, SubnetIds=[subnet],
                              DefaultUserSettings={"ExecutionRole": role})["DomainArn"]
    domain = domain.split("/")[-1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.create_user_profile(DomainId=domain, UserProfileName="early")
    assert err(e)[:2] == (400, "ValidationException")  # domain Pending; not verified against AWS
    wait_for(lambda: sm.describe_domain(DomainId=domain)["Status"] == "InService", "domain",
             timeout=30)

    def status(name):
        return sm.describe_user_profile(DomainId=domain, UserProfileName=name)["Status"]

    sm.create_user_profile(DomainId=domain, UserProfileName="p")
    sm.create_space(DomainId=domain, SpaceName="s")
    assert status("p") == "Pending"
    assert sm.describe_space(DomainId=domain, SpaceName="s")["Status"] == "Pending"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sm.update_user_profile(DomainId=domain, UserProfileName="p")
    assert err(e)[:2] == (400, "ResourceInUse")  # not InService; not verified against AWS
    wait_for(lambda: status("p") == "InService", "InService", timeout=30)
    sm.update_user_profile(DomainId=domain, UserProfileName="p")
    assert status("p") == "Updating"
    wait_for(lambda: status("p") == "InService", "updated", timeout=30)
    sm.delete_user_profile(DomainId=domain, UserProfileName="p")
    assert status("p") == "Deleting"
    assert [p["Status"] for p in sm.list_user_profiles()["UserProfiles"]] == ["Deleting"]
    assert_clean_exit(env.daemon)
