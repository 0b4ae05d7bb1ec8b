#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate requests.json: request bodies exactly as Debian's botocore sends them.

For each case below, botocore's own serializer (botocore/serialize.py, selected by the
service's protocol) turns the parameters into the HTTP request; the file keeps the method,
headers and body, and the typed tree the protocol layer must decode them into (src/proto/proto.h):
the same parameters with datetimes as epoch seconds and bytes as base64 text.

The parameters include values that break the model's constraints on purpose (marked
"invalid": true): the serializer does not validate (botocore's ParamValidator is a separate
step), so these bodies are what a client with validation turned off sends.

Usage: tests/unit/data/proto/gen_vectors.py > tests/unit/data/proto/requests.json
"""
import base64
import datetime
import json
import sys

import botocore.serialize
import botocore.session
from botocore.awsrequest import create_request_object, prepare_request_dict

UTC = datetime.timezone.utc
T1 = datetime.datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)
T2 = datetime.datetime(2023, 12, 31, 23, 59, 59, 250000, tzinfo=UTC)

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})

CASES = [
    # IAM (Query)
    ("iam", "CreateUser", {"UserName": "ana", "Path": "/eng/", "PermissionsBoundary":
                           "arn:aws:iam::123456789012:policy/Boundary",
                           "Tags": [{"Key": "team", "Value": "ml"},
                                    {"Key": "cost center", "Value": "a/b=c+d @x:y"}]}),
    ("iam", "CreateRole", {"RoleName": "SageMakerExec", "AssumeRolePolicyDocument": TRUST,
                           "MaxSessionDuration": 7200, "Description": "caf\u00e9 \u4e2d"}),
    ("iam", "ListUsers", {"PathPrefix": "/", "Marker": "abc/+=", "MaxItems": 5}),
    ("iam", "CreateAccessKey", {}),
    ("iam", "UpdateAccessKey", {"UserName": "ana", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                                "Status": "Inactive"}),
    ("iam", "CreatePolicyVersion", {"PolicyArn": "arn:aws:iam::123456789012:policy/P",
                                    "PolicyDocument": TRUST, "SetAsDefault": True}),
    ("iam", "TagUser", {"UserName": "ana", "Tags": []}),
    ("iam", "GetAccountAuthorizationDetails", {"Filter": ["User", "Role"], "MaxItems": 100}),
    ("iam", "SimulateCustomPolicy", {
        "PolicyInputList": [TRUST], "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "ResourceArns": ["arn:aws:s3:::b/*"],
        "ContextEntries": [{"ContextKeyName": "aws:SourceIp", "ContextKeyType": "ip",
                            "ContextKeyValues": ["10.0.0.1", "10.0.0.2"]}]}),
    # STS (Query)
    ("sts", "GetCallerIdentity", {}),
    ("sts", "AssumeRole", {
        "RoleArn": "arn:aws:iam::123456789012:role/R", "RoleSessionName": "s1",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "Policy": TRUST, "DurationSeconds": 3600,
        "Tags": [{"Key": "project", "Value": "x"}], "TransitiveTagKeys": ["project"],
        "ExternalId": "ext-1", "SourceIdentity": "ana"}),
    ("sts", "GetSessionToken", {"DurationSeconds": 900, "SerialNumber":
                                "arn:aws:iam::123456789012:mfa/ana", "TokenCode": "123456"}),
    # CloudFormation (Query): lists of structures, enums, a map inside a list
    ("cloudformation", "CreateStack", {
        "StackName": "s", "TemplateBody": "{}", "TimeoutInMinutes": 5,
        "Parameters": [{"ParameterKey": "Env", "ParameterValue": "dev"}],
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        "Tags": [{"Key": "a", "Value": "b"}]}),
    ("cloudformation", "CreateChangeSet", {
        "StackName": "s", "ChangeSetName": "c1", "ChangeSetType": "IMPORT",
        "ResourcesToImport": [{"ResourceType": "AWS::S3::Bucket", "LogicalResourceId": "B",
                               "ResourceIdentifier": {"BucketName": "bkt", "Other": "v"}}]}),
    # EC2
    ("ec2", "RunInstances", {
        "ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 2, "InstanceType": "t3.micro",
        "SecurityGroupIds": ["sg-1", "sg-2"], "DryRun": False,
        "TagSpecifications": [{"ResourceType": "instance",
                               "Tags": [{"Key": "Name", "Value": "web"}]}],
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                                 "Ebs": {"VolumeSize": 8, "Encrypted": True}}],
        "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "subnet-1",
                               "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5",
                                                       "Primary": True}],
                               "Ipv6Addresses": [{"Ipv6Address": "::1"}]}]}),
    ("ec2", "DescribeInstances", {
        "Filters": [{"Name": "tag:Name", "Values": ["web", "db"]},
                    {"Name": "instance-state-name", "Values": ["running"]}],
        "InstanceIds": ["i-0123456789abcdef0"], "MaxResults": 10}),
    ("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": True}),
    ("ec2", "DescribeSpotPriceHistory", {"StartTime": T1, "EndTime": T2,
                                         "InstanceTypes": ["m5.large"]}),
    ("ec2", "ImportKeyPair", {"KeyName": "k", "PublicKeyMaterial": b"ssh-ed25519 AAAA\x00\xff"}),
    # KMS (JSON 1.1)
    ("kms", "Encrypt", {"KeyId": "alias/app", "Plaintext": b"\x00\x01secret\xff",
                        "EncryptionContext": {"purpose": "test", "k2": "v2"},
                        "GrantTokens": ["g1"], "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    ("kms", "CreateKey", {"Description": "d", "KeyUsage": "ENCRYPT_DECRYPT",
                          "KeySpec": "SYMMETRIC_DEFAULT", "MultiRegion": False,
                          "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
    ("kms", "ScheduleKeyDeletion", {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                                    "PendingWindowInDays": 7}),
    ("kms", "ListKeys", {}),
    # CloudWatch Logs (JSON 1.1)
    ("logs", "PutLogEvents", {"logGroupName": "/aws/sagemaker/TrainingJobs",
                              "logStreamName": "job/algo-1",
                              "logEvents": [{"timestamp": 1714566615000, "message": "hello"},
                                            {"timestamp": 1714566616000, "message": "w\u00f6rld"}]}),
    ("logs", "CreateLogGroup", {"logGroupName": "g", "tags": {"a": "b"}}),
    # SSM (JSON 1.1)
    ("ssm", "PutParameter", {"Name": "/app/db", "Value": "s3cr3t", "Type": "SecureString",
                             "Overwrite": True}),
    ("ssm", "GetParameters", {"Names": ["/a", "/b"], "WithDecryption": True}),
    # SageMaker (JSON 1.1)
    ("sagemaker", "CreateTrainingJob", {
        "TrainingJobName": "job-1",
        "AlgorithmSpecification": {"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/x:1",
                                   "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerExec",
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://b/train/"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://b/out/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                           "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "HyperParameters": {"epochs": "3", "lr": "0.1"},
        "EnableNetworkIsolation": True,
        "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
        "Tags": [{"Key": "k", "Value": "v"}]}),
    ("sagemaker", "ListTrainingJobs", {"CreationTimeAfter": T1, "MaxResults": 10,
                                       "SortBy": "CreationTime", "SortOrder": "Descending"}),
    ("sagemaker", "CreateNotebookInstance", {
        "NotebookInstanceName": "nb", "InstanceType": "ml.t3.medium",
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerExec",
        "DirectInternetAccess": "Disabled", "RootAccess": "Disabled",
        "SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"], "VolumeSizeInGB": 5}),
]


def tree(v):
    """The typed tree of proto.h for a botocore parameter value."""
    if isinstance(v, datetime.datetime):
        return v.timestamp()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: tree(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tree(x) for x in v]
    return v


def main():
    session = botocore.session.get_session()
    out = []
    for service, op, params in CASES:
        model = session.get_service_model(service)
        opm = model.operation_model(op)
        ser = botocore.serialize.create_serializer(model.metadata["protocol"],
                                                   include_validation=False)
        req = ser.serialize_to_request(params, opm)
        # What the endpoint sends: botocore's own request preparation (awsrequest.py), which
        # form-encodes the Query protocols' parameter dict.
        prepare_request_dict(req, endpoint_url="http://127.0.0.1:4566")
        prepared = create_request_object(req).prepare()
        body = prepared.body or b""
        if isinstance(body, bytes):
            body = body.decode()
        out.append({
            "service": service,
            "signing_name": model.signing_name,
            "operation": op,
            "method": req["method"],
            "headers": {k: v for k, v in prepared.headers.items()
                        if k in ("Content-Type", "X-Amz-Target")},
            "body": body,
            "tree": tree(params),
        })
    json.dump({"note": "generated by gen_vectors.py with Debian botocore " +
               botocore.__version__, "cases": out}, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
