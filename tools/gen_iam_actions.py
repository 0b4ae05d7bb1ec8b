#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate src/policy/iam_actions.{h,c}: the IAM service prefixes and their action names.

The source is the set of official AWS service models that Debian's python3-botocore ships
(/usr/lib/python3/dist-packages/botocore/data/<service>/<api-version>/service-2.json, Apache-2.0).
For each service the newest API version is read. The IAM service prefix is the model's
metadata.signingName, or its endpointPrefix when it has none; a few models sign with a name that
is not their IAM prefix and are mapped by hand below. The operation names of a model are the IAM
action names for almost every service, but not all: some IAM actions have no API operation of the
same name (iam:PassRole is checked when a role is handed to a service; s3:ListBucket authorizes
the ListObjects/ListObjectsV2/HeadBucket operations; API Gateway's management actions are HTTP
verbs). EXTRA_ACTIONS lists the well-known ones, each with the reason, so that the policy linter
does not flag them. It is deliberately small: the linter only warns, it never refuses a policy.

Usage: tools/gen_iam_actions.py [--data DIR] [--out-dir src/policy]
The output is deterministic for a given botocore data directory; commit it.
"""

import argparse
import json
import os
import sys

DEFAULT_DATA = "/usr/lib/python3/dist-packages/botocore/data"

# Models whose signing name is not the IAM service prefix (IAM "Actions, resources, and
# condition keys" reference). None drops a model whose operations are not IAM actions.
PREFIX_OVERRIDES = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring"; IAM actions are cloudwatch:*
    "iot": "iot",  # signs as "execute-api"
    "iot-data": "iot",  # signs as "iotdata"; iot:Publish, iot:GetThingShadow ...
    "iotsecuretunneling": "iot",  # signs as "IoTSecuredTunneling"; iot:OpenTunnel ...
    "iotevents-data": "iotevents",  # signs as "ioteventsdata"
    "mobile": "mobilehub",  # signs as "AWSMobileHubService"
    "mturk": "mechanicalturk",  # endpoint "mturk-requester"
    "connectparticipant": None,  # authorized by participant tokens, not IAM
    "sso": None,  # the portal API is authorized by SSO access tokens, not IAM
    "sso-oidc": None,  # unauthenticated OIDC endpoints
}

# Service prefixes that have IAM actions but no model in botocore.
EXTRA_PREFIXES = {
    # Session Manager's channels, used by SSM Agent and Studio terminals.
    "ssmmessages": ["AcknowledgeMessage", "CreateControlChannel", "CreateDataChannel",
                    "GetEndpoint", "OpenControlChannel", "OpenDataChannel", "SendReply"],
    "ec2messages": ["AcknowledgeMessage", "DeleteMessage", "FailMessage", "GetEndpoint",
                    "GetMessages", "SendReply"],
}

# IAM actions with no API operation of the same name (IAM "Actions, resources, and condition
# keys" reference for each service).
EXTRA_ACTIONS = {
    # Checked when a role is handed to a service (iam:PassedToService); no PassRole API exists.
    "iam": ["PassRole"],
    # Permissions checked inside AssumeRole* for session tags, source identity and context.
    "sts": ["TagSession", "SetSourceIdentity", "SetContext"],
    # S3 authorizes several operations with one action: ListObjects(V2)/HeadBucket ->
    # ListBucket, HeadObject -> GetObject, CreateMultipartUpload/UploadPart -> PutObject,
    # versioned requests -> *Version*, ListBuckets -> ListAllMyBuckets, and so on.
    "s3": ["ListBucket", "ListBucketVersions", "ListBucketMultipartUploads",
           "ListMultipartUploadParts", "ListAllMyBuckets", "GetObjectVersion",
           "DeleteObjectVersion", "GetObjectVersionAcl", "PutObjectVersionAcl",
           "GetObjectVersionTagging", "PutObjectVersionTagging", "DeleteObjectVersionTagging",
           "GetObjectVersionAttributes", "GetObjectVersionForReplication",
           "GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration",
           "GetLifecycleConfiguration", "PutLifecycleConfiguration", "GetReplicationConfiguration",
           "PutReplicationConfiguration", "GetEncryptionConfiguration",
           "PutEncryptionConfiguration", "BypassGovernanceRetention", "ReplicateObject",
           "ReplicateDelete", "ReplicateTags", "ObjectOwnerOverrideToBucketOwner"],
    # ReEncrypt is authorized as ReEncryptFrom on the source key and ReEncryptTo on the target.
    "kms": ["ReEncryptFrom", "ReEncryptTo"],
    # Lambda's Invoke operation is the lambda:InvokeFunction action.
    "lambda": ["InvokeFunction", "InvokeFunctionUrl"],
    # Git over HTTPS/SSH to CodeCommit has no API operation.
    "codecommit": ["GitPull", "GitPush"],
    # API Gateway's control plane is authorized per HTTP verb; calling an API is execute-api.
    "apigateway": ["DELETE", "GET", "PATCH", "POST", "PUT"],
    "execute-api": ["Invoke", "InvalidateCache", "ManageConnections"],
    # ECR image pushes and pulls through docker.
    "ecr": ["BatchImportUpstreamImage"],
    # The SageMaker Metrics API (sagemaker-metrics) is newer than Debian 12's botocore model set;
    # the workshop's read-only policy allows BatchGetMetrics.
    "sagemaker": ["BatchGetMetrics", "BatchPutMetrics"],
}

HEADER = """\
// SPDX-License-Identifier: Apache-2.0
// GENERATED by tools/gen_iam_actions.py; do not edit. The IAM service prefixes and the action
// names of each service, taken from the AWS service models that Debian's python3-botocore ships
// (the API operation names, which are the IAM action names for almost every service) plus a short
// hand-kept list of IAM actions that have no operation of their own (iam:PassRole, s3:ListBucket,
// kms:ReEncryptFrom ...; the generator says why for each). Used by the policy linter to warn about
// actions no service has. All lookups are ASCII case-insensitive, as IAM action matching is.
#ifndef SAGEBOX_IAM_ACTIONS_H
#define SAGEBOX_IAM_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

// Returns the number of known service prefixes.
size_t iam_actions_service_count(void);

// Returns the lowercase prefix of service svc (0 <= svc < iam_actions_service_count()).
const char *iam_actions_service_name(size_t svc);

// Returns the index of the service whose prefix is prefix[0..len), or -1 when none is.
int iam_actions_find_service(const char *prefix, size_t len);

// Returns the number of actions of service svc.
size_t iam_actions_action_count(size_t svc);

// Returns the name of action i of service svc, without the prefix, e.g. "CreateDomain".
const char *iam_actions_action_name(size_t svc, size_t i);

// Returns true when name[0..len) (without the prefix) is an action of service svc.
bool iam_actions_has_action(size_t svc, const char *name, size_t len);

// Returns true when the IAM wildcard pattern pat[0..len) ('*' and '?', without the prefix)
// matches at least one action of service svc.
bool iam_actions_any_match(size_t svc, const char *pat, size_t len);

#endif
"""

C_PROLOGUE = """\
// SPDX-License-Identifier: Apache-2.0
// GENERATED by tools/gen_iam_actions.py from the service models of Debian's python3-botocore
// (Apache-2.0); do not edit. One string table holds every name NUL-terminated; the services are
// sorted by prefix and each one's actions are sorted case-insensitively, so both lookups are
// binary searches. See iam_actions.h.
// clang-format off
#include "policy/iam_actions.h"

#include "core/wildcard.h"

#include <stdint.h>
#include <string.h>

struct service {
    uint32_t name;         // offset of the prefix in strings
    uint32_t first_action; // index of its first action in action_offsets
    uint32_t action_count;
};

"""

C_FUNCTIONS = """
// clang-format on

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// Compares a[0..a_len) with the NUL-terminated b, ignoring ASCII case, like strcmp.
static int casecmp_n(const char *a, size_t a_len, const char *b)
{
    for (size_t i = 0; i < a_len; i++) {
        int ca = lower((unsigned char)a[i]);
        int cb = lower((unsigned char)b[i]);
        if (ca != cb || cb == 0) {
            return ca - cb;
        }
    }
    return -lower((unsigned char)b[a_len]);
}

// Returns the number of entries in the service table.
size_t iam_actions_service_count(void)
{
    return sizeof(services) / sizeof(services[0]);
}

// Returns the prefix of service svc; svc must be a valid index.
const char *iam_actions_service_name(size_t svc)
{
    return strings + services[svc].name;
}

// Binary search over the sorted prefixes; returns the index or -1.
int iam_actions_find_service(const char *prefix, size_t len)
{
    size_t lo = 0;
    size_t hi = iam_actions_service_count();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = casecmp_n(prefix, len, strings + services[mid].name);
        if (c == 0) {
            return (int)mid;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return -1;
}

// Returns the number of actions of service svc; svc must be a valid index.
size_t iam_actions_action_count(size_t svc)
{
    return services[svc].action_count;
}

// Returns action i of service svc; both indexes must be valid.
const char *iam_actions_action_name(size_t svc, size_t i)
{
    return strings + action_offsets[services[svc].first_action + i];
}

// Binary search over the service's actions, which are sorted case-insensitively.
bool iam_actions_has_action(size_t svc, const char *name, size_t len)
{
    size_t lo = 0;
    size_t hi = services[svc].action_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = casecmp_n(name, len, iam_actions_action_name(svc, mid));
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return false;
}

// Tries the pattern against every action of the service (a few hundred at most); a pattern
// without wildcards takes the binary search instead.
bool iam_actions_any_match(size_t svc, const char *pat, size_t len)
{
    if (!wildcard_has_wild(pat, len)) {
        return iam_actions_has_action(svc, pat, len);
    }
    for (size_t i = 0; i < services[svc].action_count; i++) {
        const char *name = iam_actions_action_name(svc, i);
        if (wildcard_match(pat, len, name, strlen(name), true)) {
            return true;
        }
    }
    return false;
}
"""


def load_models(data_dir):
    """Return {prefix: set(action names)} from the newest model of every service."""
    actions = {}
    for service in sorted(os.listdir(data_dir)):
        sdir = os.path.join(data_dir, service)
        if not os.path.isdir(sdir):
            continue
        versions = sorted(v for v in os.listdir(sdir)
                          if os.path.isfile(os.path.join(sdir, v, "service-2.json")))
        if not versions:
            continue
        with open(os.path.join(sdir, versions[-1], "service-2.json"), encoding="utf-8") as f:
            model = json.load(f)
        meta = model["metadata"]
        if service in PREFIX_OVERRIDES:
            prefix = PREFIX_OVERRIDES[service]
        else:
            prefix = meta.get("signingName") or meta["endpointPrefix"]
        if prefix is None:
            continue
        actions.setdefault(prefix.lower(), set()).update(model["operations"].keys())
    for prefix, names in EXTRA_PREFIXES.items():
        actions.setdefault(prefix, set()).update(names)
    for prefix, names in EXTRA_ACTIONS.items():
        actions.setdefault(prefix, set()).update(names)
    return actions


def c_string_lines(names):
    """Render names as C string literals, each NUL-terminated, packed into lines <= 100 cols."""
    lines = []
    cur = "    "
    for n in names:
        lit = '"' + n + '\\0"'
        if len(cur) + len(lit) + 1 > 100 and cur.strip():
            lines.append(cur.rstrip())
            cur = "    "
        cur += lit + " "
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out-dir", default=os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "policy")))
    args = ap.parse_args()

    actions = load_models(args.data)
    for prefix, names in actions.items():
        for n in names:
            if not n.replace("-", "").replace("_", "").isalnum():
                sys.exit(f"unexpected action name {prefix}:{n}")
    prefixes = sorted(actions)

    strings = []  # the string table, in order
    offset = 0
    services = []  # (name offset, first action, action count)
    action_offsets = []

    def add(s):
        nonlocal offset
        strings.append(s)
        o = offset
        offset += len(s.encode()) + 1
        return o

    for p in prefixes:
        services.append([add(p), 0, 0])
    for i, p in enumerate(prefixes):
        names = sorted(actions[p], key=lambda s: (s.lower(), s))
        services[i][1] = len(action_offsets)
        services[i][2] = len(names)
        for n in names:
            action_offsets.append(add(n))

    out_h = os.path.join(args.out_dir, "iam_actions.h")
    with open(out_h, "w", encoding="utf-8") as f:
        f.write(HEADER)
    out_c = os.path.join(args.out_dir, "iam_actions.c")
    with open(out_c, "w", encoding="utf-8") as f:
        f.write(C_PROLOGUE)
        f.write(f"// {len(prefixes)} services, {len(action_offsets)} actions.\n")
        f.write("static const char strings[] =\n")
        f.write("\n".join(c_string_lines(strings)))
        f.write(";\n\n")
        f.write("static const uint32_t action_offsets[] = {\n")
        row = "   "
        for o in action_offsets:
            item = f" {o},"
            if len(row) + len(item) > 100:
                f.write(row + "\n")
                row = "   "
            row += item
        f.write(row + "\n};\n\n")
        f.write("static const struct service services[] = {\n")
        for (name_off, first, count), p in zip(services, prefixes):
            f.write(f"    {{{name_off}, {first}, {count}}}, // {p}\n")
        f.write("};\n")
        f.write(C_FUNCTIONS)
    print(f"wrote {out_h} and {out_c}: {len(prefixes)} services, {len(action_offsets)} actions, "
          f"{offset} bytes of strings")


if __name__ == "__main__":
    main()
