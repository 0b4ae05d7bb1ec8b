#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate src/proto/model_data.c: compact C tables of the official AWS service models.

The source is the set of service models that Debian's python3-botocore ships
(/usr/lib/python3/dist-packages/botocore/data/<service>/<api-version>/service-2.json,
Apache-2.0). For each service the newest API version is read, and only what the protocol layer
needs is kept (no documentation): the service metadata, every operation (HTTP method and path,
input and output shapes, result wrapper, error shapes) and every shape reachable from an
operation (type, members and their wire names, list members, map keys and values, min/max,
pattern, enum values, timestamp format, the "error" trait of exceptions).

Where Debian's model predates an API feature sagebox needs, tools/model_overlays/<service>.json
holds the missing operations and shapes excerpted verbatim from the newer official model; it is
merged over the loaded model (tools/model_overlay.py) and its source is named in the header.

The same file carries the Unicode general category ranges (from Python's unicodedata, whose
Unicode version the file names) that the pattern matcher needs for \\p{L}, \\p{N} ... classes.

Layout (see src/proto/model.h): one string pool of NUL-terminated strings addressed by byte
offset (offset 0 is ""), and flat arrays of services, operations, shapes, members (structure
members, list members, map keys and values: each a reference to a shape with member-level
traits merged as botocore merges them), enum values, patterns and operation errors, addressed
by index. Shapes and members are numbered globally across services. Every table is sorted in a
fixed order, so the output is deterministic for a given botocore data directory; commit it.

Usage: tools/gen_models.py [--data DIR] [--out src/proto/model_data.c]
                           [--services iam,sts,...] [--stats]
Adding a service is adding its name to --services (or to DEFAULT_SERVICES below).
"""

import argparse
import json
import os
import sys
import textwrap
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_overlay import load_model_with_overlay, overlay_path  # noqa: E402

DEFAULT_DATA = "/usr/lib/python3/dist-packages/botocore/data"
DEFAULT_SERVICES = ["iam", "sts", "ec2", "kms", "logs", "ssm", "sagemaker", "cloudformation"]

PROTOCOLS = {"query": "MODEL_QUERY", "ec2": "MODEL_EC2", "json": "MODEL_JSON",
             "rest-json": "MODEL_REST_JSON", "rest-xml": "MODEL_REST_XML"}
TYPES = {"structure": "MODEL_STRUCTURE", "list": "MODEL_LIST", "map": "MODEL_MAP",
         "string": "MODEL_STRING", "integer": "MODEL_INTEGER", "long": "MODEL_LONG",
         "float": "MODEL_FLOAT", "double": "MODEL_DOUBLE", "boolean": "MODEL_BOOLEAN",
         "timestamp": "MODEL_TIMESTAMP", "blob": "MODEL_BLOB"}
TS_FORMATS = {None: "0", "iso8601": "MODEL_TS_ISO8601", "unixTimestamp": "MODEL_TS_UNIX",
              "rfc822": "MODEL_TS_RFC822"}
METHODS = {"GET": "MODEL_GET", "POST": "MODEL_POST", "PUT": "MODEL_PUT",
           "DELETE": "MODEL_DELETE", "HEAD": "MODEL_HEAD", "PATCH": "MODEL_PATCH"}

# Shape flags (model.h MODEL_SHAPE_*).
SF_HAS_MIN, SF_HAS_MAX, SF_SENSITIVE, SF_EXCEPTION, SF_FAULT, SF_DOCUMENT, SF_UNION = (
    1, 2, 4, 8, 16, 32, 64)
# Member flags (model.h MODEL_MEMBER_*).
MF_REQUIRED, MF_FLATTENED, MF_XML_ATTRIBUTE, MF_IDEMPOTENCY, MF_SENSITIVE, MF_JSONVALUE = (
    1, 2, 4, 8, 16, 32)


def newest_version(data, service):
    d = os.path.join(data, service)
    versions = sorted(v for v in os.listdir(d)
                      if os.path.isfile(os.path.join(d, v, "service-2.json")))
    if not versions:
        sys.exit(f"gen_models: no service-2.json for {service} under {d}")
    return versions[-1]


class Strings:
    """The string pool: each distinct string once, offsets in insertion order."""

    def __init__(self):
        self.offsets = {"": 0}
        self.items = [""]
        self.size = 1

    def add(self, s):
        if s is None:
            return 0
        if s not in self.offsets:
            self.offsets[s] = self.size
            self.items.append(s)
            self.size += len(s.encode("utf-8")) + 1
        return self.offsets[s]


def c_escape(s):
    """A C string literal body: printable ASCII as is, the rest as octal escapes. '?' is
    escaped so that no trigraph can form (-std=c11 honours them)."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in "\\\"?":
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return "".join(out)


def num(v):
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, int):
        return "%d.0" % v
    return repr(float(v))


class Generator:
    def __init__(self, data, services):
        self.data = data
        self.services = services
        self.strings = Strings()
        self.shapes = []      # rows: dict
        self.members = []     # rows: dict
        self.enums = []       # string offsets
        self.patterns = []    # string offsets, deduplicated
        self.pattern_index = {}
        self.ops = []
        self.op_errors = []
        self.svc_rows = []

    def pattern(self, p):
        if p not in self.pattern_index:
            self.pattern_index[p] = len(self.patterns)
            self.patterns.append(self.strings.add(p))
        return self.pattern_index[p]

    def run(self):
        for name in self.services:
            self.service(name)

    def service(self, name):
        version = newest_version(self.data, name)
        model = load_model_with_overlay(self.data, name, version)
        meta = model["metadata"]
        shapes = model["shapes"]
        ops = model["operations"]

        # Shapes reachable from the operations, numbered in name order.
        reach = set()
        stack = []
        for op in ops.values():
            for ref in [op.get("input"), op.get("output")] + op.get("errors", []):
                if ref:
                    stack.append(ref["shape"])
        while stack:
            s = stack.pop()
            if s in reach:
                continue
            reach.add(s)
            sh = shapes[s]
            for ref in list(sh.get("members", {}).values()) + [
                    sh.get(k) for k in ("member", "key", "value")]:
                if ref:
                    stack.append(ref["shape"])
        names = sorted(reach)
        base = len(self.shapes)
        index = {n: base + i for i, n in enumerate(names)}

        # Reserve the shape rows first so that member rows can point at them.
        for n in names:
            self.shapes.append(None)
        for n in names:
            self.shapes[index[n]] = self.shape(n, shapes[n], shapes, index)

        ns = meta.get("xmlNamespace")
        if ns is not None and meta["protocol"] == "ec2" and not ns.endswith("/"):
            # The EC2 model omits the trailing slash that EC2's own responses carry
            # (<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">).
            ns += "/"
        op_first = len(self.ops)
        for opname in sorted(ops):
            op = ops[opname]
            err_first = len(self.op_errors)
            for e in op.get("errors", []):
                self.op_errors.append(index[e["shape"]])
            http = op.get("http", {})
            self.ops.append({
                "name": self.strings.add(opname),
                "method": METHODS[http.get("method", "POST")],
                "path": self.strings.add(http.get("requestUri", "/")),
                "input": index[op["input"]["shape"]] if op.get("input") else -1,
                "output": index[op["output"]["shape"]] if op.get("output") else -1,
                "wrapper": self.strings.add(op.get("output", {}).get("resultWrapper")),
                "err_first": err_first,
                "err_count": len(self.op_errors) - err_first,
                "comment": opname,
            })
        self.svc_rows.append({
            "name": self.strings.add(name),
            "signing": self.strings.add(meta.get("signingName", meta["endpointPrefix"])),
            "endpoint": self.strings.add(meta["endpointPrefix"]),
            "version": self.strings.add(meta["apiVersion"]),
            "target": self.strings.add(meta.get("targetPrefix")),
            "ns": self.strings.add(ns),
            "json": self.strings.add(meta.get("jsonVersion")),
            "protocol": PROTOCOLS[meta["protocol"]],
            "op_first": op_first,
            "op_count": len(self.ops) - op_first,
            "shape_first": base,
            "shape_count": len(names),
            "comment": f"{name} {version}",
            "overlay": overlay_path(name),
        })

    def member(self, name, ref, shapes, index, required):
        target = shapes[ref["shape"]]

        def trait(k):
            # botocore resolves a member reference by copying the target shape and updating
            # it with the reference's own traits (model.py ShapeResolver.resolve_shape_ref).
            return ref[k] if k in ref else target.get(k)

        flags = 0
        if required:
            flags |= MF_REQUIRED
        if trait("flattened"):
            flags |= MF_FLATTENED
        if trait("xmlAttribute"):
            flags |= MF_XML_ATTRIBUTE
        if trait("idempotencyToken"):
            flags |= MF_IDEMPOTENCY
        if trait("sensitive"):
            flags |= MF_SENSITIVE
        if trait("jsonvalue"):
            flags |= MF_JSONVALUE
        xmlns = trait("xmlNamespace")
        return {
            "name": self.strings.add(name),
            "wire": self.strings.add(trait("locationName")),
            "query": self.strings.add(trait("queryName")),
            "xmlns": self.strings.add(xmlns["uri"] if isinstance(xmlns, dict) else xmlns),
            "shape": index[ref["shape"]],
            "flags": flags,
            "ts": TS_FORMATS[trait("timestampFormat")],
        }

    def shape(self, name, sh, shapes, index):
        t = sh["type"]
        flags = 0
        if "min" in sh:
            flags |= SF_HAS_MIN
        if "max" in sh:
            flags |= SF_HAS_MAX
        if sh.get("sensitive"):
            flags |= SF_SENSITIVE
        if sh.get("exception"):
            flags |= SF_EXCEPTION
        if sh.get("fault"):
            flags |= SF_FAULT
        if sh.get("document"):
            flags |= SF_DOCUMENT
        if sh.get("union"):
            flags |= SF_UNION
        first, count = 0, 0
        if t == "structure":
            first = len(self.members)
            req = set(sh.get("required", []))
            for mname, ref in sh.get("members", {}).items():
                self.members.append(self.member(mname, ref, shapes, index, mname in req))
            count = len(self.members) - first
        elif t == "list":
            first, count = len(self.members), 1
            self.members.append(self.member("", sh["member"], shapes, index, False))
        elif t == "map":
            first, count = len(self.members), 2
            self.members.append(self.member("", sh["key"], shapes, index, False))
            self.members.append(self.member("", sh["value"], shapes, index, False))
        elif "enum" in sh:
            first = len(self.enums)
            for v in sh["enum"]:
                self.enums.append(self.strings.add(v))
            count = len(self.enums) - first
        err = sh.get("error", {})
        return {
            "name": self.strings.add(name),
            "type": TYPES[t],
            "flags": flags,
            "ts": TS_FORMATS[sh.get("timestampFormat")],
            "status": err.get("httpStatusCode", 0),
            "code": self.strings.add(err.get("code")) if sh.get("exception") else 0,
            "first": first,
            "count": count,
            "pattern": self.pattern(sh["pattern"]) if "pattern" in sh else -1,
            "min": num(sh.get("min", 0)),
            "max": num(sh.get("max", 0)),
        }

    def write(self, out):
        w = []
        w.append("// SPDX-License-Identifier: Apache-2.0\n")
        w.append("// GENERATED by tools/gen_models.py from Debian's python3-botocore service models\n")
        w.append("// (Apache-2.0):\n")
        for s in self.svc_rows:
            w.append("//   %s\n" % s["comment"])
            if s["overlay"]:
                with open(s["overlay"]) as f:
                    src = json.load(f).get("source", "")
                w.append("//     + tools/model_overlays/%s, excerpted from:\n"
                         % os.path.basename(s["overlay"]))
                for line in textwrap.wrap(src, 92):
                    w.append("//       %s\n" % line)
        w.append("// Unicode general categories: Python unicodedata " +
                 unicodedata.unidata_version + ". Do not edit; rerun the generator.\n")
        w.append('#include "proto/model.h"\n\n')
        w.append("// clang-format off\n")

        # String pool, packed into lines of at most 100 columns.
        w.append("const char model_strings[] =\n")
        line = "   "
        for s in self.strings.items:
            lit = ' "' + c_escape(s) + '\\0"'
            if len(line) + len(lit) > 100:
                w.append(line + "\n")
                line = "   "
            line += lit
        w.append(line + ";\n")
        w.append("const unsigned model_strings_size = %d;\n\n" % self.strings.size)

        w.append("const struct proto_service model_services[] = {\n")
        for s in self.svc_rows:
            w.append("    // %s\n" % s["comment"])
            w.append("    {%d, %d, %d, %d, %d, %d, %d, %s, %d, %d, %d, %d},\n" % (
                s["name"], s["signing"], s["endpoint"], s["version"], s["target"], s["ns"],
                s["json"], s["protocol"], s["op_first"], s["op_count"], s["shape_first"],
                s["shape_count"]))
        w.append("};\n")
        w.append("const unsigned model_service_count = %d;\n\n" % len(self.svc_rows))

        w.append("// name, method, path, input, output, result wrapper, errors first, count\n")
        w.append("const struct proto_op model_ops[] = {\n")
        for o in self.ops:
            w.append("    {%d, %s, %d, %d, %d, %d, %d, %d},\n" % (
                o["name"], o["method"], o["path"], o["input"], o["output"], o["wrapper"],
                o["err_first"], o["err_count"]))
        w.append("};\n")
        w.append("const unsigned model_op_count = %d;\n\n" % len(self.ops))

        w.append("const uint32_t model_op_errors[] = {\n")
        w.extend(self.packed(self.op_errors))
        w.append("};\n\n")

        w.append("// name, type, flags, timestamp format, error status, error code, first, count,\n")
        w.append("// pattern, min, max\n")
        w.append("const struct model_shape model_shapes[] = {\n")
        for s in self.shapes:
            w.append("    {%d, %s, %d, %s, %d, %d, %d, %d, %d, %s, %s},\n" % (
                s["name"], s["type"], s["flags"], s["ts"], s["status"], s["code"], s["first"],
                s["count"], s["pattern"], s["min"], s["max"]))
        w.append("};\n")
        w.append("const unsigned model_shape_count = %d;\n\n" % len(self.shapes))

        w.append("// name, wire name (locationName), queryName, xmlNamespace, shape, flags,\n")
        w.append("// timestamp format\n")
        w.append("const struct model_member model_members[] = {\n")
        for m in self.members:
            w.append("    {%d, %d, %d, %d, %d, %d, %s},\n" % (
                m["name"], m["wire"], m["query"], m["xmlns"], m["shape"], m["flags"], m["ts"]))
        w.append("};\n")
        w.append("const unsigned model_member_count = %d;\n\n" % len(self.members))

        w.append("const uint32_t model_enum_values[] = {\n")
        w.extend(self.packed(self.enums))
        w.append("};\n\n")
        w.append("const uint32_t model_patterns[] = {\n")
        w.extend(self.packed(self.patterns))
        w.append("};\n")
        w.append("const unsigned model_pattern_count = %d;\n\n" % len(self.patterns))

        # Unicode major general categories as ranges: each entry starts a run of code points
        # of one category (L M N P S Z C) that lasts until the next entry.
        runs = []
        prev = None
        for cp in range(0x110000):
            c = unicodedata.category(chr(cp))[0]
            if c != prev:
                runs.append((cp, c))
                prev = c
        w.append("const struct model_ucat model_ucats[] = {\n")
        line = "   "
        for cp, c in runs:
            lit = " {0x%X, '%s'}," % (cp, c)
            if len(line) + len(lit) > 100:
                w.append(line + "\n")
                line = "   "
            line += lit
        w.append(line + "\n};\n")
        w.append("const unsigned model_ucat_count = %d;\n" % len(runs))
        w.append("// clang-format on\n")
        text = "".join(w)
        with open(out, "w") as f:
            f.write(text)
        return len(text)

    @staticmethod
    def packed(values):
        lines = []
        line = "   "
        for v in values:
            lit = " %d," % v
            if len(line) + len(lit) > 100:
                lines.append(line + "\n")
                line = "   "
            line += lit
        if line.strip():
            lines.append(line + "\n")
        if not values:
            lines.append("    0, // keeps the array non-empty\n")
        return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src", "proto", "model_data.c"))
    ap.add_argument("--services", default=",".join(DEFAULT_SERVICES),
                    help="comma-separated botocore service names")
    ap.add_argument("--stats", action="store_true", help="print table sizes")
    args = ap.parse_args()
    g = Generator(args.data, [s for s in args.services.split(",") if s])
    g.run()
    size = g.write(os.path.normpath(args.out))
    if args.stats:
        print(f"{len(g.svc_rows)} services, {len(g.ops)} operations, {len(g.shapes)} shapes, "
              f"{len(g.members)} members, {len(g.enums)} enum values, {len(g.patterns)} patterns, "
              f"{g.strings.size} bytes of strings; {size} bytes of C")


if __name__ == "__main__":
    main()
