# SPDX-License-Identifier: Apache-2.0
"""Model overlays: excerpts of newer official AWS service models merged over Debian's.

Why overlays exist: the botocore service models that Debian's python3-botocore ships (1.29.27
in Debian 12) are the spec sagebox is generated from (tools/gen_models.py), but they predate
some API features an issue may require -- e.g. KMS RotateKeyOnDemand, ListKeyRotations and the
RotationPeriodInDays member of EnableKeyRotationRequest. An overlay,
tools/model_overlays/<service>.json, carries exactly those parts, copied verbatim from the newer
official model (boto/botocore, Apache-2.0; documentation strings may be dropped). It is never a
hand-written shape: its "source" field names the repository, path and commit it was excerpted
from, so that anyone can check it against that file.

Overlay format: {"source": "...", "operations": {name: operation}, "shapes": {name: shape}}.
Applying it adds every operation and shape, replacing a same-named one of the base model as a
whole (a newer shape replaces the older one; members are not merged). Every shape that an
overlay operation or shape refers to must exist after the merge, or apply_overlay raises
ValueError.

Used by tools/gen_models.py (the C model tables) and tests/integ/kms_newer_model.py (a boto3
client that sees the same merged model). Standard library only.
"""

import copy
import json
import os

OVERLAY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_overlays")


def _refs_of_shape(shape):
    """The shape names a shape definition refers to (members, list member, map key and value)."""
    refs = [ref["shape"] for ref in shape.get("members", {}).values()]
    for k in ("member", "key", "value"):
        if k in shape:
            refs.append(shape[k]["shape"])
    return refs


def _refs_of_operation(op):
    """The shape names an operation refers to (input, output, errors)."""
    refs = []
    for k in ("input", "output"):
        if op.get(k):
            refs.append(op[k]["shape"])
    refs.extend(e["shape"] for e in op.get("errors", []))
    return refs


def apply_overlay(model, overlay):
    """Return a copy of the botocore service model `model` with the overlay's operations and
    shapes added, each replacing a same-named one. The inputs are not modified. Raises
    ValueError when the overlay is malformed or when an overlay operation or shape refers to a
    shape that neither the overlay nor the base model defines."""
    if not isinstance(overlay, dict):
        raise ValueError("model overlay: not a JSON object")
    unknown = set(overlay) - {"source", "operations", "shapes"}
    if unknown:
        raise ValueError("model overlay: unknown keys %s" % sorted(unknown))
    ops = overlay.get("operations", {})
    shapes = overlay.get("shapes", {})
    if not isinstance(ops, dict) or not isinstance(shapes, dict):
        raise ValueError("model overlay: operations and shapes must be objects")
    merged = copy.deepcopy(model)
    merged.setdefault("operations", {})
    merged.setdefault("shapes", {})
    for name, op in ops.items():
        if not isinstance(op, dict) or op.get("name", name) != name:
            raise ValueError("model overlay: operation %s is malformed" % name)
        merged["operations"][name] = copy.deepcopy(op)
    for name, sh in shapes.items():
        if not isinstance(sh, dict) or "type" not in sh:
            raise ValueError("model overlay: shape %s has no type" % name)
        merged["shapes"][name] = copy.deepcopy(sh)
    missing = []
    for name, op in ops.items():
        missing += ["%s (operation %s)" % (r, name) for r in _refs_of_operation(op)
                    if r not in merged["shapes"]]
    for name, sh in shapes.items():
        missing += ["%s (shape %s)" % (r, name) for r in _refs_of_shape(sh)
                    if r not in merged["shapes"]]
    if missing:
        raise ValueError("model overlay: undefined shapes: " + ", ".join(missing))
    return merged


def overlay_path(service):
    """The path of tools/model_overlays/<service>.json, or None when there is none."""
    p = os.path.join(OVERLAY_DIR, service + ".json")
    return p if os.path.isfile(p) else None


def load_overlay(service):
    """The parsed overlay of a service, or None when there is none."""
    p = overlay_path(service)
    if p is None:
        return None
    with open(p) as f:
        return json.load(f)


def load_model_with_overlay(data_dir, service, version):
    """Load <data_dir>/<service>/<version>/service-2.json and apply the service's overlay when
    one exists; return the (merged) model."""
    with open(os.path.join(data_dir, service, version, "service-2.json")) as f:
        model = json.load(f)
    overlay = load_overlay(service)
    if overlay is not None:
        model = apply_overlay(model, overlay)
    return model
