// SPDX-License-Identifier: Apache-2.0
// The policy simulator's JSON format (docs/policy-simulate.md): a request described as one JSON
// object (action, resource, principal, context and the policies of every type that apply) is
// turned into calls to the policy engine of policy.h, and the decision is rendered as one JSON
// object (decision, blockedBy, allowedBy, deniedBy, message). This is the format that
// `sagebox policy simulate` reads and prints; it uses only the public API of policy.h.
#ifndef SAGEBOX_POLICY_JSON_H
#define SAGEBOX_POLICY_JSON_H

#include "core/buf.h"
#include "policy/policy.h"

#include <jansson.h>
#include <stddef.h>

// Evaluates the request described by the simulator input object in (borrowed, not modified).
// Returns a new reference to the decision object. When the input is wrong (an unknown field, a
// value of the wrong type, a missing action or principal, a principal that is not one, a
// malformed policy) returns NULL and appends a one-line reason to *err, naming the field and,
// for a malformed policy, the policy's name and the reason IAM gives.
json_t *policy_json_simulate_value(const json_t *in, struct buf *err);

// Evaluates the simulator input text in[0..in_len): a JSON object gives one decision object, a
// JSON array of objects gives an array of decisions in the same order. On success appends the
// output (indented JSON followed by a newline) to *out and returns 0. On any input error,
// including invalid JSON, duplicate object keys and an error in one element of an array,
// appends a one-line reason to *err (prefixed with "[i] " for array element i), leaves *out
// unchanged and returns -1.
int policy_json_simulate(const char *in, size_t in_len, struct buf *out, struct buf *err);

// Looks up a policy kind by the name policy_kind_name gives it (e.g. "identity", "trust",
// "key"), ignoring case. Returns 0 and sets *out, or -1 when no kind has that name (*out is
// left unchanged).
int policy_json_kind_from_name(const char *name, enum policy_kind *out);

#endif
