# SPDX-License-Identifier: Apache-2.0
# CloudWatch Logs through Debian's boto3 and AWS CLI v2 against the real daemon: log groups
# (retention, KMS keys, tags), log streams, PutLogEvents' batch rules, GetLogEvents'
# tokens, FilterLogEvents with each form of filter pattern, pagination, errors, access denial and
# durability. Expected codes and messages are AWS's, each with its source:
#   - CloudWatch Logs API Reference (each operation's page, the PutLogEvents batch rules) and the
#     botocore model (shapes, the Days documentation);
#   - real AWS output quoted in public issues, cited next to the assertion that uses it;
#   - messages marked "not verified" are this implementation's wording where no AWS quote was
#     found; only their error code and status are AWS's.
import json
import signal
import time

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
REGION = "us-east-1"


def err(excinfo):
    r = excinfo.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def now_ms():
    return int(time.time() * 1000)


def allow(*actions, resource="*", effect="Allow", condition=None):
    stmt = {"Effect": effect, "Action": list(actions), "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


def make_user(client, name, policy=None):
    iam = client("iam")
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


def group_arn(name):
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"


def put(logs, group, stream, messages, start=None):
    t = start if start is not None else now_ms() - 60_000
    events = [{"timestamp": t + i, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


# ---- Log groups --------------------------------------------------------------------------


def test_create_describe_and_delete_group(client, aws_cli):
    logs = client("logs")
    before = now_ms()
    logs.create_log_group(logGroupName="/app/web")
    g = logs.describe_log_groups()["logGroups"]
    assert [x["logGroupName"] for x in g] == ["/app/web"]
    # The ARN with ":*" is what DescribeLogGroups reports (User Guide, "Overview of managing
    # access permissions to your CloudWatch Logs resources").
    assert g[0]["arn"] == group_arn("/app/web") + ":*"
    assert g[0]["storedBytes"] == 0 and g[0]["metricFilterCount"] == 0
    assert before - 1000 <= g[0]["creationTime"] <= now_ms() + 1000
    assert "retentionInDays" not in g[0]
    rc, out, errtext = aws_cli("logs", "create-log-group", "--log-group-name", "cli-group")
    assert rc == 0, errtext
    rc, out, errtext = aws_cli("logs", "describe-log-groups", "--log-group-name-prefix", "cli")
    assert rc == 0, errtext
    assert [x["logGroupName"] for x in json.loads(out)["logGroups"]] == ["cli-group"]
    logs.delete_log_group(logGroupName="/app/web")
    names = [x["logGroupName"] for x in logs.describe_log_groups()["logGroups"]]
    assert names == ["cli-group"]


def test_group_errors(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="dup")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="dup")
    # "ResourceAlreadyExistsException ... The specified log group already exists" (AWS).
    assert err(e) == (400, "ResourceAlreadyExistsException",
                      "The specified log group already exists")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_group(logGroupName="missing")
    # "ResourceNotFoundException: The specified log group does not exist." (convox/rack#655).
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")
    # CloudWatch Logs reports constraint failures as InvalidParameterException with the request
    # framework's wording (fluent-plugin-cloudwatch-logs#223, aws/serverless-application-model#182).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="bad name")
    assert err(e) == (400, "InvalidParameterException",
                      "1 validation error detected: Value 'bad name' at 'logGroupName' failed to "
                      "satisfy constraint: Member must satisfy regular expression pattern: "
                      "[\\.\\-_/#A-Za-z0-9]+")
    # "InvalidParameterException: Log groups starting with AWS/ are reserved for AWS." for
    # "aws/cwagent" (aws-solutions/application-monitoring-with-amazon-cloudwatch#11).
    for name in ("aws/cwagent", "AWS/x"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            logs.create_log_group(logGroupName=name)
        assert err(e) == (400, "InvalidParameterException",
                          "Log groups starting with AWS/ are reserved for AWS.")
    rc, out, errtext = aws_cli("logs", "delete-log-group", "--log-group-name", "missing")
    assert rc != 0 and "ResourceNotFoundException" in errtext
    # Nothing was created by the failures.
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["dup"]


def test_describe_groups_prefix_pattern_and_pagination(client, aws_cli):
    logs = client("logs")
    names = ["/b/x", "/a/one", "/a/two", "Foo", "FooBar", "aws-Foo", "GroupFoo", "foo", "Froo"]
    for n in names:
        logs.create_log_group(logGroupName=n)
    all_names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    # "The results are ASCII-sorted by log group name." (DescribeLogGroups API Reference)
    assert all_names == sorted(names)
    got = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/a/")["logGroups"]]
    assert got == ["/a/one", "/a/two"]
    # logGroupNamePattern: "a case-sensitive substring search. For example, if you specify Foo,
    # log groups named FooBar, aws/Foo, and GroupFoo would match, but foo, F/o/o and Froo would
    # not match." (the model's documentation)
    got = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="Foo")["logGroups"]]
    assert got == ["Foo", "FooBar", "GroupFoo", "aws-Foo"]
    # Pages of two, also with a pattern that skips groups.
    for kwargs, want in (({}, sorted(names)), ({"logGroupNamePattern": "o"}, None)):
        pages, token = [], None
        while True:
            args = dict(kwargs, limit=2)
            if token:
                args["nextToken"] = token
            r = logs.describe_log_groups(**args)
            assert len(r["logGroups"]) <= 2
            pages += [g["logGroupName"] for g in r["logGroups"]]
            token = r.get("nextToken")
            if not token:
                break
        if want is None:
            want = [n for n in sorted(names) if "o" in n]
        assert pages == want
    # The paginator (and the CLI, which pages by itself) see every group once.
    pag = logs.get_paginator("describe_log_groups")
    seen = [g["logGroupName"] for p in pag.paginate(PaginationConfig={"PageSize": 3})
            for g in p["logGroups"]]
    assert seen == sorted(names)
    rc, out, errtext = aws_cli("logs", "describe-log-groups", "--page-size", "2")
    assert rc == 0, errtext
    assert [g["logGroupName"] for g in json.loads(out)["logGroups"]] == sorted(names)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="a")
    # "logGroupNamePattern and logGroupNamePrefix are mutually exclusive" (model documentation);
    # the message is not verified.
    assert err(e)[:2] == (400, "InvalidParameterException")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_groups(limit=51)
    assert err(e)[:2] == (400, "InvalidParameterException")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_groups(nextToken="!!not a token!!")
    assert err(e)[:2] == (400, "InvalidParameterException")  # message not verified


# Every value the PutRetentionPolicy API Reference lists (the model's Days documentation lacks
# 1096, which AWS added later).
RETENTION = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
             2557, 2922, 3288, 3653]


def test_retention_policy(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="ret")
    for days in RETENTION:
        logs.put_retention_policy(logGroupName="ret", retentionInDays=days)
        assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == days
    for bad in (0, 2, 4, 366, 3654, -1):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            logs.put_retention_policy(logGroupName="ret", retentionInDays=bad)
        # The request framework's enum wording (not verified for this member).
        assert err(e) == (400, "InvalidParameterException",
                          f"1 validation error detected: Value '{bad}' at 'retentionInDays' failed "
                          "to satisfy constraint: Member must satisfy enum value set: ["
                          + ", ".join(map(str, RETENTION)) + "]")
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 3653
    rc, out, errtext = aws_cli("logs", "delete-retention-policy", "--log-group-name", "ret")
    assert rc == 0, errtext
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_retention_policy(logGroupName="nope", retentionInDays=1)
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")


def test_kms_key_association(client):
    logs = client("logs")
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs.create_log_group(logGroupName="enc", kmsKeyId=key)
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key
    logs.disassociate_kms_key(logGroupName="enc")
    assert "kmsKeyId" not in logs.describe_log_groups()["logGroups"][0]
    logs.associate_kms_key(logGroupName="enc", kmsKeyId=key)
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key
    # Only the ARN's form is checked until sagebox has KMS; aliases and bare ids are refused
    # (message not verified).
    for bad in ("1234abcd-12ab-34cd-56ef-1234567890ab", "alias/mine",
                f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/mine", "arn:aws:s3:::bucket"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            logs.associate_kms_key(logGroupName="enc", kmsKeyId=bad)
        assert err(e)[:2] == (400, "InvalidParameterException")
        with pytest.raises(botocore.exceptions.ClientError) as e:
            logs.create_log_group(logGroupName="enc2", kmsKeyId=bad)
        assert err(e)[:2] == (400, "InvalidParameterException")
    assert logs.describe_log_groups()["logGroups"][0]["kmsKeyId"] == key
    assert len(logs.describe_log_groups()["logGroups"]) == 1


def test_tags_both_apis(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="tagged", tags={"team": "a", "env": "dev"})
    assert logs.list_tags_log_group(logGroupName="tagged")["tags"] == {"team": "a", "env": "dev"}
    logs.tag_log_group(logGroupName="tagged", tags={"env": "prod", "cost": "1"})
    logs.untag_log_group(logGroupName="tagged", tags=["team"])
    assert logs.list_tags_log_group(logGroupName="tagged")["tags"] == {"env": "prod", "cost": "1"}
    arn = group_arn("tagged")
    logs.tag_resource(resourceArn=arn, tags={"x": "y"})
    logs.untag_resource(resourceArn=arn, tagKeys=["cost"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod", "x": "y"}
    rc, out, errtext = aws_cli("logs", "list-tags-for-resource", "--resource-arn", arn)
    assert rc == 0, errtext
    assert json.loads(out)["tags"] == {"env": "prod", "x": "y"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.list_tags_for_resource(resourceArn=group_arn("absent"))
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.tag_resource(resourceArn="arn:aws:s3:::bucket", tags={"a": "b"})
    assert err(e)[:2] == (400, "InvalidParameterException")  # message not verified
    # 50 tags per log group (CloudWatch Logs quotas); the message is not verified.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(49)})
    assert err(e)[:2] == (400, "TooManyTagsException")
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod", "x": "y"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.list_tags_log_group(logGroupName="absent")
    assert err(e)[:2] == (400, "ResourceNotFoundException")


# ---- Log streams -------------------------------------------------------------------------


def test_streams_lifecycle_order_and_pages(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="g")
    for s in ("b", "a", "c", "a2"):
        logs.create_log_stream(logGroupName="g", logStreamName=s)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_stream(logGroupName="g", logStreamName="a")
    assert err(e) == (400, "ResourceAlreadyExistsException",
                      "The specified log stream already exists")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_stream(logGroupName="none", logStreamName="a")
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_stream(logGroupName="g", logStreamName="bad:name")
    assert err(e)[:2] == (400, "InvalidParameterException")
    r = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert [s["logStreamName"] for s in r] == ["a", "a2", "b", "c"]
    assert r[0]["arn"] == group_arn("g") + ":log-stream:a"
    assert r[0]["storedBytes"] == 0 and "lastEventTimestamp" not in r[0]
    r = logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="a")["logStreams"]
    assert [s["logStreamName"] for s in r] == ["a", "a2"]
    r = logs.describe_log_streams(logGroupName="g", descending=True)["logStreams"]
    assert [s["logStreamName"] for s in r] == ["c", "b", "a2", "a"]
    t = now_ms() - 100_000
    for i, s in enumerate(("c", "a", "b")):
        put(logs, "g", s, [f"m{i}"], start=t + i * 1000)
    r = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime")["logStreams"]
    assert [s["logStreamName"] for s in r] == ["a2", "c", "a", "b"]
    by_name = {s["logStreamName"]: s for s in r}
    assert by_name["a"]["firstEventTimestamp"] == by_name["a"]["lastEventTimestamp"] == t + 1000
    assert by_name["a"]["lastIngestionTime"] >= t
    r = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime",
                                  descending=True)["logStreams"]
    assert [s["logStreamName"] for s in r] == ["b", "a", "c", "a2"]
    # "If you order the results by event time, you cannot specify the logStreamNamePrefix
    # parameter." (DescribeLogStreams API Reference)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="a")
    assert err(e) == (400, "InvalidParameterException",
                      "Cannot order by LastEventTime with a logStreamNamePrefix.")
    pag = logs.get_paginator("describe_log_streams")
    seen = [s["logStreamName"] for p in pag.paginate(logGroupName="g",
                                                     PaginationConfig={"PageSize": 3})
            for s in p["logStreams"]]
    assert seen == ["a", "a2", "b", "c"]
    rc, out, errtext = aws_cli("logs", "describe-log-streams", "--log-group-name", "g",
                               "--page-size", "1")
    assert rc == 0, errtext
    assert [s["logStreamName"] for s in json.loads(out)["logStreams"]] == ["a", "a2", "b", "c"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_streams(logGroupName="none")
    assert err(e)[:2] == (400, "ResourceNotFoundException")
    logs.delete_log_stream(logGroupName="g", logStreamName="a")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_stream(logGroupName="g", logStreamName="a")
    assert err(e) == (400, "ResourceNotFoundException", "The specified log stream does not exist.")
    # A stream created again under the same name starts empty.
    logs.create_log_stream(logGroupName="g", logStreamName="a")
    assert logs.get_log_events(logGroupName="g", logStreamName="a")["events"] == []


def test_delete_group_deletes_streams_and_events(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="gone")
    logs.create_log_stream(logGroupName="gone", logStreamName="s")
    put(logs, "gone", "s", ["one", "two"])
    logs.delete_log_group(logGroupName="gone")
    logs.create_log_group(logGroupName="gone")
    assert logs.describe_log_streams(logGroupName="gone")["logStreams"] == []
    assert logs.filter_log_events(logGroupName="gone")["events"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0


# ---- PutLogEvents ------------------------------------------------------------------------


def test_put_and_get_events_with_tokens(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="ev")
    logs.create_log_stream(logGroupName="ev", logStreamName="s")
    t = now_ms() - 60_000
    r = put(logs, "ev", "s", [f"line {i}" for i in range(5)], start=t)
    assert "rejectedLogEventsInfo" not in r and r["nextSequenceToken"]
    # The sequence token is accepted and ignored (API Reference, since January 2023): a stale or
    # made-up one still succeeds.
    r2 = logs.put_log_events(logGroupName="ev", logStreamName="s", sequenceToken="12345",
                             logEvents=[{"timestamp": t + 5, "message": "line 5"}])
    assert r2["nextSequenceToken"] != r["nextSequenceToken"]
    logs.put_log_events(logGroupName="ev", logStreamName="s", sequenceToken=r["nextSequenceToken"],
                        logEvents=[{"timestamp": t + 6, "message": "line 6"}])
    # An event may arrive after a later one: reads are in timestamp order.
    logs.put_log_events(logGroupName="ev", logStreamName="s",
                        logEvents=[{"timestamp": t - 1, "message": "early"}])
    all_msgs = ["early"] + [f"line {i}" for i in range(7)]
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in r["events"]] == all_msgs
    assert r["nextForwardToken"].startswith("f/") and r["nextBackwardToken"].startswith("b/")
    assert all(e["ingestionTime"] >= e["timestamp"] for e in r["events"])
    # Forward in pages of 3 until the token repeats (how clients know they reached the end).
    seen, token = [], None
    while True:
        args = {"logGroupName": "ev", "logStreamName": "s", "limit": 3, "startFromHead": True}
        if token:
            args["nextToken"] = token
        r = logs.get_log_events(**args)
        seen += [e["message"] for e in r["events"]]
        if r["nextForwardToken"] == token:
            assert r["events"] == []
            break
        token = r["nextForwardToken"]
    assert seen == all_msgs
    # Without startFromHead the latest events come first; backward tokens page towards the head.
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", limit=3)
    assert [e["message"] for e in r["events"]] == ["line 4", "line 5", "line 6"]
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", limit=3,
                            nextToken=r["nextBackwardToken"])
    assert [e["message"] for e in r["events"]] == ["line 1", "line 2", "line 3"]
    back = r["nextBackwardToken"]
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", limit=3, nextToken=back)
    assert [e["message"] for e in r["events"]] == ["early", "line 0"]
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", limit=3,
                            nextToken=r["nextBackwardToken"])
    assert r["events"] == []
    # Time range: startTime inclusive, endTime exclusive (GetLogEvents API Reference).
    r = logs.get_log_events(logGroupName="ev", logStreamName="s", startTime=t + 1, endTime=t + 3,
                            startFromHead=True)
    assert [e["message"] for e in r["events"]] == ["line 1", "line 2"]
    rc, out, errtext = aws_cli("logs", "get-log-events", "--log-group-name", "ev",
                               "--log-stream-name", "s", "--start-from-head", "--limit", "2")
    assert rc == 0, errtext
    assert [e["message"] for e in json.loads(out)["events"]] == ["early", "line 0"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.get_log_events(logGroupName="ev", logStreamName="s", nextToken="x/123")
    assert err(e)[:2] == (400, "InvalidParameterException")  # message not verified
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.get_log_events(logGroupName="ev", logStreamName="nope")
    assert err(e) == (400, "ResourceNotFoundException", "The specified log stream does not exist.")
    g = logs.describe_log_groups()["logGroups"][0]
    assert g["storedBytes"] == sum(len(m) for m in all_msgs)


def test_put_log_events_batch_rules(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="rules")
    logs.create_log_stream(logGroupName="rules", logStreamName="s")
    t = now_ms() - 60_000
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="rules", logStreamName="s",
                            logEvents=[{"timestamp": t, "message": "b"},
                                       {"timestamp": t - 1, "message": "a"}])
    assert err(e) == (400, "InvalidParameterException",
                      "Log events in a single PutLogEvents request must be in chronological order.")
    # 1,048,576 bytes counting 26 per event: 2 events of 524,262 bytes fit exactly; one more
    # byte is too much ("Upload too large: 1049882 bytes exceeds limit of 1048576",
    # nhs-england-tools/terraform-aws-opennext#27).
    big = "x" * (524_288 - 26)
    logs.put_log_events(logGroupName="rules", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": big},
                                   {"timestamp": t, "message": big}])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="rules", logStreamName="s",
                            logEvents=[{"timestamp": t, "message": big},
                                       {"timestamp": t, "message": big + "y"}])
    assert err(e) == (400, "InvalidParameterException",
                      "Upload too large: 1048577 bytes exceeds limit of 1048576")
    # At most 10,000 events (the model's InputLogEvents max).
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="rules", logStreamName="s",
                            logEvents=[{"timestamp": t, "message": "m"}] * 10_001)
    assert err(e)[:2] == (400, "InvalidParameterException")
    logs.put_log_events(logGroupName="rules", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "m"}] * 10_000)
    # A batch spanning more than 24 hours fails (API Reference; message not verified).
    old = now_ms() - 3 * 86_400_000
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="rules", logStreamName="s",
                            logEvents=[{"timestamp": old, "message": "a"},
                                       {"timestamp": old + 86_400_001, "message": "b"}])
    assert err(e)[:2] == (400, "InvalidParameterException")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="rules", logStreamName="nope",
                            logEvents=[{"timestamp": t, "message": "m"}])
    assert err(e) == (400, "ResourceNotFoundException", "The specified log stream does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="none", logStreamName="s",
                            logEvents=[{"timestamp": t, "message": "m"}])
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")
    # GetLogEvents returns at most 10,000 events a call; the backward token reaches the rest.
    r = logs.get_log_events(logGroupName="rules", logStreamName="s")
    assert len(r["events"]) == 10_000
    r = logs.get_log_events(logGroupName="rules", logStreamName="s",
                            nextToken=r["nextBackwardToken"])
    assert [len(e["message"]) for e in r["events"]] == [len(big), len(big)]


def test_rejected_events(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="rej")
    logs.create_log_stream(logGroupName="rej", logStreamName="s")
    now = now_ms()
    day = 86_400_000
    # More than 14 days old, then fine, then more than 2 hours ahead (PutLogEvents API Reference).
    events = [{"timestamp": now - 14 * day - 60_000, "message": "old1"},
              {"timestamp": now - 14 * day - 30_000, "message": "old2"},
              {"timestamp": now - 14 * day + 3_600_000, "message": "ok1"},
              {"timestamp": now - 14 * day + 3_600_001, "message": "ok2"}]
    # The batch may span at most 24 hours, so the future case is a batch of its own.
    r = logs.put_log_events(logGroupName="rej", logStreamName="s", logEvents=events)
    assert r["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    r = logs.put_log_events(logGroupName="rej", logStreamName="s",
                            logEvents=[{"timestamp": now, "message": "ok3"},
                                       {"timestamp": now + 2 * 3_600_000 + 60_000, "message": "new1"},
                                       {"timestamp": now + 3 * 3_600_000, "message": "new2"}])
    assert r["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    # Older than the group's retention: expired.
    logs.put_retention_policy(logGroupName="rej", retentionInDays=1)
    r = logs.put_log_events(logGroupName="rej", logStreamName="s",
                            logEvents=[{"timestamp": now - day - 3_600_000, "message": "exp"},
                                       {"timestamp": now - 2 * 3_600_000, "message": "ok4"}])
    assert r["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    r = logs.get_log_events(logGroupName="rej", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in r["events"]] == ["ok1", "ok2", "ok4", "ok3"]


# ---- FilterLogEvents ---------------------------------------------------------------------

APACHE = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 4355',
]


def filtered(logs, **kw):
    return [e["message"] for e in logs.filter_log_events(logGroupName="f", **kw)["events"]]


def test_filter_log_events(client, aws_cli):
    logs = client("logs")
    logs.create_log_group(logGroupName="f")
    for s in ("web-1", "web-2", "app"):
        logs.create_log_stream(logGroupName="f", logStreamName=s)
    t = now_ms() - 120_000
    put(logs, "f", "web-1", APACHE, start=t)
    put(logs, "f", "web-2", ["ERROR WARN message", "ERROR message", "WARN message"], start=t + 10)
    put(logs, "f", "app", ['{"eventType": "UpdateTrail", "latency": 700, "flag": true}',
                           '{"eventType": "DeleteTrail", "latency": 20, "gone": null}',
                           "not json at all"], start=t + 20)
    every = filtered(logs)
    assert len(every) == 9
    # Interleaved by timestamp across streams, each with its stream and a 56-digit id.
    r = logs.filter_log_events(logGroupName="f")["events"]
    assert [e["timestamp"] for e in r] == sorted(e["timestamp"] for e in r)
    assert {e["logStreamName"] for e in r} == {"web-1", "web-2", "app"}
    assert all(len(e["eventId"]) == 56 for e in r) and len({e["eventId"] for e in r}) == 9
    # Terms, exclusion and OR (User Guide, "Matching terms in log events").
    assert filtered(logs, filterPattern="ERROR") == ["ERROR WARN message", "ERROR message"]
    assert filtered(logs, filterPattern="ERROR -WARN") == ["ERROR message"]
    assert filtered(logs, filterPattern="?ERROR ?WARN") == \
        ["ERROR WARN message", "ERROR message", "WARN message"]
    assert filtered(logs, filterPattern='"index.html"') == [APACHE[2]]
    # Space-delimited patterns.
    assert filtered(logs, filterPattern="[ip, user, username, timestamp, request, "
                                        "status_code = 4*, bytes]") == [APACHE[2]]
    assert filtered(logs, filterPattern="[..., status_code, bytes > 5000]") == [APACHE[1]]
    assert filtered(logs, filterPattern="[w1=ERROR || w1=WARN, w2]") == \
        ["ERROR message", "WARN message"]
    # JSON patterns.
    assert filtered(logs, filterPattern='{ $.eventType = "UpdateTrail" }') == [
        '{"eventType": "UpdateTrail", "latency": 700, "flag": true}']
    assert len(filtered(logs, filterPattern="{ $.latency > 10 && $.eventType = *Trail }")) == 2
    assert len(filtered(logs, filterPattern="{ $.gone IS NULL || $.flag IS TRUE }")) == 2
    assert filtered(logs, filterPattern="{ $.flag NOT EXISTS && $.latency < 100 }") == [
        '{"eventType": "DeleteTrail", "latency": 20, "gone": null}']
    # Regular expressions.
    assert filtered(logs, filterPattern="%^ERROR|apache_pb%") == \
        [APACHE[0], APACHE[1], "ERROR WARN message", "ERROR message"]
    # Streams by name and by prefix, and a time range (both ends inclusive).
    assert filtered(logs, logStreamNames=["app"], filterPattern="json") == ["not json at all"]
    assert len(filtered(logs, logStreamNamePrefix="web-")) == 6
    assert filtered(logs, startTime=t + 1, endTime=t + 10) == [APACHE[1], APACHE[2],
                                                                "ERROR WARN message"]
    # "InvalidParameterException: Invalid filter pattern" (aws/aws-toolkit-jetbrains#3219; an
    # unquoted e-mail address, Miserlou/Zappa#651).
    for bad in ("email@domain.com", "{ $.a = 1", "[a, b", "%(x)%"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            logs.filter_log_events(logGroupName="f", filterPattern=bad)
        assert err(e) == (400, "InvalidParameterException", "Invalid filter pattern")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.filter_log_events(logGroupName="f", logStreamNames=["app"],
                               logStreamNamePrefix="web")
    assert err(e)[:2] == (400, "InvalidParameterException")  # message not verified
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.filter_log_events(logGroupName="nope")
    assert err(e) == (400, "ResourceNotFoundException", "The specified log group does not exist.")
    # Pages of 2 through nextToken, and through the paginator and the CLI.
    pages, token = [], None
    while True:
        args = {"logGroupName": "f", "limit": 2}
        if token:
            args["nextToken"] = token
        r = logs.filter_log_events(**args)
        assert len(r["events"]) <= 2
        pages += [e["message"] for e in r["events"]]
        token = r.get("nextToken")
        if not token:
            break
    assert pages == every
    pag = logs.get_paginator("filter_log_events")
    assert [e["message"] for p in pag.paginate(logGroupName="f", PaginationConfig={"PageSize": 4})
            for e in p["events"]] == every
    rc, out, errtext = aws_cli("logs", "filter-log-events", "--log-group-name", "f",
                               "--filter-pattern", "[w1=ERROR, w2]", "--page-size", "1")
    assert rc == 0, errtext
    assert [e["message"] for e in json.loads(out)["events"]] == ["ERROR message"]


# ---- Authorization -----------------------------------------------------------------------


def denied(user, action, resource):
    # The IAM User Guide's "Access denied error messages" wording; the resource is the one AWS
    # names for each action (see logs_common.h).
    return (f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} on "
            f"resource: {resource} because no identity-based policy allows the {action} action")


def test_access_denied_changes_nothing(client):
    root = client("logs")
    root.create_log_group(logGroupName="mine")
    root.create_log_stream(logGroupName="mine", logStreamName="s")
    key = make_user(client, "reader", allow("logs:DescribeLogGroups", "logs:FilterLogEvents"))
    logs = client("logs", key=key[0], secret=key[1])
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["mine"]
    assert logs.filter_log_events(logGroupName="mine")["events"] == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="theirs")
    assert err(e) == (400, "AccessDeniedException",
                      denied("reader", "logs:CreateLogGroup", group_arn("theirs") + ":log-stream:"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="mine", logStreamName="s",
                            logEvents=[{"timestamp": now_ms(), "message": "x"}])
    assert err(e) == (400, "AccessDeniedException",
                      denied("reader", "logs:PutLogEvents", group_arn("mine") + ":log-stream:s"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_group(logGroupName="mine")
    assert err(e)[1] == "AccessDeniedException"
    # A group that does not exist is decided first: the caller learns nothing.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_group(logGroupName="absent")
    assert err(e)[1] == "AccessDeniedException"
    assert [g["logGroupName"] for g in root.describe_log_groups()["logGroups"]] == ["mine"]
    assert root.get_log_events(logGroupName="mine", logStreamName="s")["events"] == []


def test_resource_scoped_and_tag_conditions(client):
    root = client("logs")
    root.create_log_group(logGroupName="app/a", tags={"team": "red"})
    root.create_log_group(logGroupName="app/b", tags={"team": "blue"})
    for g in ("app/a", "app/b"):
        root.create_log_stream(logGroupName=g, logStreamName="s")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        # Writers commonly grant streams with log-group:NAME:* (User Guide).
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app/a:*"},
        {"Effect": "Allow", "Action": "logs:PutRetentionPolicy", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}},
        {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "red"}}},
    ]})
    key = make_user(client, "writer", policy)
    logs = client("logs", key=key[0], secret=key[1])
    logs.create_log_stream(logGroupName="app/a", logStreamName="s2")
    put(logs, "app/a", "s2", ["hello"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put(logs, "app/b", "s", ["hello"])
    assert err(e)[1] == "AccessDeniedException"
    logs.put_retention_policy(logGroupName="app/a", retentionInDays=7)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_retention_policy(logGroupName="app/b", retentionInDays=7)
    assert err(e)[1] == "AccessDeniedException"
    # CreateLogGroup with tags also needs logs:TagResource: "User with accountId: ... is not
    # authorized to perform CreateLogGroup with Tags. An additional permission
    # "logs:TagResource" is required." (DataDog/cloudformation-template pull 61)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="app/c", tags={"team": "red"})
    assert err(e) == (400, "AccessDeniedException",
                      f"User with accountId: {ACCOUNT} is not authorized to perform CreateLogGroup "
                      "with Tags. An additional permission \"logs:TagResource\" is required.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="app/c", tags={"team": "blue"})
    assert err(e)[1] == "AccessDeniedException"
    names = [g["logGroupName"] for g in root.describe_log_groups()["logGroups"]]
    assert names == ["app/a", "app/b"]
    assert root.describe_log_groups()["logGroups"][1].get("retentionInDays") is None


# ---- Durability --------------------------------------------------------------------------


def test_events_survive_kill_9(make_daemon):
    import boto3
    from botocore.config import Config

    d = make_daemon().start()

    def logs_client():
        return boto3.client("logs", endpoint_url=d.endpoint, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))

    logs = logs_client()
    logs.create_log_group(logGroupName="durable")
    logs.put_retention_policy(logGroupName="durable", retentionInDays=30)
    logs.create_log_stream(logGroupName="durable", logStreamName="s")
    t = now_ms() - 10_000
    for i in range(5):
        logs.put_log_events(logGroupName="durable", logStreamName="s",
                            logEvents=[{"timestamp": t + i, "message": f"acked {i}"}])
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    d.stop()
    d.start()
    logs = logs_client()
    r = logs.get_log_events(logGroupName="durable", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in r["events"]] == [f"acked {i}" for i in range(5)]
    g = logs.describe_log_groups()["logGroups"][0]
    assert g["retentionInDays"] == 30
    s = logs.describe_log_streams(logGroupName="durable")["logStreams"][0]
    assert s["lastEventTimestamp"] == t + 4
