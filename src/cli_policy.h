// SPDX-License-Identifier: Apache-2.0
// The `sagebox policy` command: `simulate` reads a simulator request (docs/policy-simulate.md) and
// prints AWS's decision; `validate` checks a policy document the way IAM does
// (MalformedPolicyDocument, LimitExceeded) and warns about what is legal but suspicious.
#ifndef SAGEBOX_CLI_POLICY_H
#define SAGEBOX_CLI_POLICY_H

#include <stdio.h>

// Runs `sagebox policy ...`; argv[0] is "policy" and argv[1..argc) are its arguments. Reads the
// named file or standard input, writes results to standard output and errors to standard error.
// Returns the process exit status: 0 for a decision (whatever it is) or a valid document, 2 for
// a usage error, unreadable input, bad simulator input or a document IAM would refuse.
int cli_policy_main(int argc, char **argv);

// Writes the usage lines of the policy command to f.
void cli_policy_usage(FILE *f);

#endif
