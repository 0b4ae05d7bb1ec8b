# SPDX-License-Identifier: Apache-2.0
# `sagebox policy simulate` and `sagebox policy validate` driven as a user drives them: the
# examples shipped in examples/, standard input, and bad input. A decision exits 0 whatever it
# is; anything the command cannot act on exits 2 with a message on standard error.
# Expected decisions and messages are AWS's (IAM User Guide, "Troubleshoot access denied error
# messages"; the lab's steps 6 and 7, see /work/shared/scenario.md).
import json

ACCOUNT = "111122223333"
DS_SESSION = (
    f"arn:aws:sts::{ACCOUNT}:assumed-role/sagemaker-admin-workshop-StudioRoleDataScience-"
    "1A2B3C4D5E6F/SageMaker"
)
MLOPS_SESSION = (
    f"arn:aws:sts::{ACCOUNT}:assumed-role/sagemaker-admin-workshop-StudioRoleMLOps-"
    "6F5E4D3C2B1A/SageMaker"
)
PARAM = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/sagemaker-admin-workshop-us-east-1-{ACCOUNT}-vpc-id"
USER = f"arn:aws:iam::{ACCOUNT}:user/ana"
ALLOW_SQS = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Sqs", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
}


def request(**extra):
    r = {
        "action": "sqs:SendMessage",
        "resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders",
        "principal": USER,
    }
    r.update(extra)
    return json.dumps(r)


# --- simulate: the examples ------------------------------------------------------------------


def test_lab_ssm_endpoint_example(sagebox, examples_dir):
    p = sagebox("policy", "simulate", examples_dir / "simulate-lab-ssm-endpoint.json")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    ds, mlops = json.loads(p.stdout)
    assert ds["decision"] == "ExplicitlyDenied"
    assert ds["blockedBy"] == ["vpc-endpoint"]
    assert ds["message"] == (
        f"User: {DS_SESSION} is not authorized to perform: ssm:GetParameter on resource: "
        f"{PARAM} with an explicit deny in a VPC endpoint policy"
    )
    # The endpoint policy has no Allow statement, so AWS refuses the MLOps role too.
    assert mlops["decision"] == "ImplicitlyDenied"
    assert mlops["blockedBy"] == ["vpc-endpoint"]
    assert mlops["message"] == (
        f"User: {MLOPS_SESSION} is not authorized to perform: ssm:GetParameter on resource: "
        f"{PARAM} because no VPC endpoint policy allows the ssm:GetParameter action"
    )


def test_presigned_url_example(sagebox, examples_dir):
    p = sagebox("policy", "simulate", examples_dir / "simulate-presigned-url.json")
    assert p.returncode == 0, p.stderr
    laptop_vpc_deny, from_vpc, laptop_ip_deny = json.loads(p.stdout)
    assert laptop_vpc_deny["decision"] == "ExplicitlyDenied"
    assert laptop_vpc_deny["blockedBy"] == ["identity"]
    assert laptop_vpc_deny["message"].endswith(
        "is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: "
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:user-profile/d-abcdefghijkl/data-scientist "
        "with an explicit deny in an identity-based policy"
    )
    assert laptop_vpc_deny["deniedBy"] == [
        {
            "type": "identity",
            "policy": "inline:EnableSageMakerStudioAccessViaVPC",
            "sid": "EnableSageMakerStudioAccessViaVPC",
        }
    ]
    assert from_vpc["decision"] == "Allowed"
    assert from_vpc["message"] == ""
    assert laptop_ip_deny["decision"] == "Allowed"
    assert laptop_ip_deny["blockedBy"] == []


def test_every_example_is_accepted(sagebox, examples_dir):
    examples = sorted(examples_dir.glob("simulate-*.json"))
    assert examples
    for path in examples:
        p = sagebox("policy", "simulate", path)
        assert p.returncode == 0, f"{path.name}: {p.stderr}"
        out = json.loads(p.stdout)
        for d in out if isinstance(out, list) else [out]:
            assert d["decision"] in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")


# --- simulate: standard input and the output format -------------------------------------------


def test_simulate_reads_stdin_without_file_and_with_dash(sagebox):
    req = request(identityPolicies=[{"name": "Sqs", "policy": ALLOW_SQS}])
    for args in (("policy", "simulate"), ("policy", "simulate", "-")):
        p = sagebox(*args, stdin=req)
        assert p.returncode == 0, p.stderr
        d = json.loads(p.stdout)
        assert list(d) == ["decision", "blockedBy", "allowedBy", "deniedBy", "message"]
        assert d["decision"] == "Allowed"
        assert d["allowedBy"] == [{"type": "identity", "policy": "Sqs", "sid": "Sqs"}]


def test_denial_exits_zero_with_aws_message(sagebox):
    p = sagebox("policy", "simulate", stdin=request())
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["decision"] == "ImplicitlyDenied"
    assert d["blockedBy"] == ["identity"]
    assert d["message"] == (
        f"User: {USER} is not authorized to perform: sqs:SendMessage on resource: "
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders because no identity-based policy allows the "
        "sqs:SendMessage action"
    )


def test_policy_given_as_a_string(sagebox):
    p = sagebox("policy", "simulate", stdin=request(identityPolicies=[json.dumps(ALLOW_SQS)]))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["decision"] == "Allowed"


def test_array_in_array_out(sagebox):
    reqs = [json.loads(request()), json.loads(request(identityPolicies=[ALLOW_SQS]))]
    p = sagebox("policy", "simulate", stdin=json.dumps(reqs))
    assert p.returncode == 0, p.stderr
    assert [d["decision"] for d in json.loads(p.stdout)] == ["ImplicitlyDenied", "Allowed"]


# --- simulate: bad input ----------------------------------------------------------------------


def assert_usage_error(p, *fragments):
    assert p.returncode == 2
    assert p.stdout == ""
    for f in fragments:
        assert f in p.stderr, p.stderr


def test_invalid_json(sagebox):
    assert_usage_error(sagebox("policy", "simulate", stdin='{"action": '), "invalid JSON")


def test_unknown_field(sagebox):
    assert_usage_error(
        sagebox("policy", "simulate", stdin=request(Principal="x")), 'unknown field "Principal"'
    )


def test_missing_action_and_principal(sagebox):
    assert_usage_error(
        sagebox("policy", "simulate", stdin=json.dumps({"principal": USER})), 'missing "action"'
    )
    assert_usage_error(
        sagebox("policy", "simulate", stdin=json.dumps({"action": "s3:GetObject"})),
        'missing "principal"',
    )


def test_malformed_policy_names_it(sagebox):
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*"}]}
    p = sagebox(
        "policy", "simulate", stdin=request(identityPolicies=[{"name": "NoResource", "policy": bad}])
    )
    assert_usage_error(p, "identityPolicies[0] (NoResource): MalformedPolicyDocument: ")


def test_error_in_one_element_of_an_array(sagebox):
    reqs = [json.loads(request()), {"action": "sqs:SendMessage", "principal": "nobody"}]
    assert_usage_error(sagebox("policy", "simulate", stdin=json.dumps(reqs)), "[1] ")


def test_missing_file(sagebox, tmp_path):
    assert_usage_error(
        sagebox("policy", "simulate", tmp_path / "absent.json"), "cannot open", "absent.json"
    )


# --- validate ---------------------------------------------------------------------------------


def test_validate_accepts_a_valid_document(sagebox):
    p = sagebox("policy", "validate", stdin=json.dumps(ALLOW_SQS))
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""


def test_validate_refuses_with_iam_reason(sagebox, tmp_path):
    path = tmp_path / "p.json"
    doc = dict(ALLOW_SQS)
    doc["Statement"] = [dict(ALLOW_SQS["Statement"][0], Principal="*")]
    path.write_text(json.dumps(doc))
    p = sagebox("policy", "validate", path)
    assert p.returncode == 2
    assert p.stderr.startswith("MalformedPolicyDocument: ")


def test_validate_kind_changes_the_rules(sagebox):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    assert sagebox("policy", "validate", "--kind", "trust", stdin=json.dumps(trust)).returncode == 0
    assert sagebox("policy", "validate", "--kind=trust", stdin=json.dumps(trust)).returncode == 0
    p = sagebox("policy", "validate", stdin=json.dumps(trust))
    assert p.returncode == 2
    assert p.stderr.startswith("MalformedPolicyDocument: ")


def test_validate_size_quota_is_limit_exceeded(sagebox):
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sqs:*",
                "Resource": [f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i:05d}" for i in range(200)],
            }
        ],
    }
    p = sagebox("policy", "validate", "--kind", "session", stdin=json.dumps(doc))
    assert p.returncode == 2
    assert p.stderr.startswith("LimitExceeded: ")


def test_validate_warnings_exit_zero(sagebox):
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    p = sagebox("policy", "validate", stdin=json.dumps(doc))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines and all(line.startswith("warning: Statement[") for line in lines)


def test_validate_unknown_kind(sagebox):
    assert_usage_error(
        sagebox("policy", "validate", "--kind", "bucket", stdin="{}"), 'unknown policy kind "bucket"'
    )


# --- the command line ---------------------------------------------------------------------------


def test_version(sagebox):
    p = sagebox("--version")
    assert p.returncode == 0
    assert p.stdout.startswith("sagebox ")


def test_help_on_stdout(sagebox):
    p = sagebox("help")
    assert p.returncode == 0
    assert "usage: sagebox" in p.stdout


def test_unknown_command_and_no_command(sagebox):
    assert_usage_error(sagebox("frobnicate"), 'unknown command "frobnicate"', "usage: sagebox")
    assert_usage_error(sagebox(), "usage: sagebox")
    assert_usage_error(sagebox("policy"), "usage: sagebox policy")
    assert_usage_error(sagebox("policy", "teleport"), 'unknown policy command "teleport"')
