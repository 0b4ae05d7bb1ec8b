// SPDX-License-Identifier: Apache-2.0
// The `sagebox policy` command line: `simulate` feeds a simulator request (docs/policy-simulate.md)
// to the policy engine and prints the decision as JSON; `validate` parses a policy document as a
// given kind and prints IAM's reason for refusing it (the MalformedPolicyDocument or
// LimitExceeded message of the IAM API) or the warnings of policy_lint. This file does the I/O;
// the engine and the simulator format stay pure (src/policy/).
#include "cli_policy.h"

#include "core/arena.h"
#include "core/buf.h"
#include "policy/policy.h"
#include "policy/policy_json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

// Exit statuses: a decision or a valid document is a success whatever it says; anything the
// command cannot act on is a usage error.
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,
};

// Prints the usage of the policy command; see cli_policy.h.
void cli_policy_usage(FILE *f)
{
    fputs("usage: sagebox policy simulate [FILE]\n"
          "       sagebox policy validate [--kind KIND] [FILE]\n"
          "\n"
          "  simulate   decide a request as AWS would; FILE (or standard input, or \"-\") holds\n"
          "             one request object or an array of them (docs/policy-simulate.md)\n"
          "  validate   check a policy document as IAM does; KIND is one of identity,\n"
          "             inline-user, inline-group, inline-role, boundary, session, trust,\n"
          "             resource, key, scp, rcp, endpoint (default: identity)\n",
          f);
}

// Reads all of path ("-" or NULL for standard input) into *out. Returns 0, or -1 after printing
// the reason to standard error.
static int read_input(const char *path, struct buf *out)
{
    int rc = -1;
    bool is_stdin = path == NULL || strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "sagebox: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        buf_append(out, chunk, n);
        if (n < sizeof(chunk)) {
            break;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "sagebox: cannot read %s: %s\n", is_stdin ? "standard input" : path,
                strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (!is_stdin) {
        fclose(f);
    }
    return rc;
}

static int cmd_simulate(int argc, char **argv)
{
    int rc = EXIT_USAGE;
    struct buf in = BUF_INIT;
    struct buf out = BUF_INIT;
    struct buf err = BUF_INIT;

    if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')) {
        cli_policy_usage(stderr);
        goto out;
    }
    if (read_input(argc == 2 ? argv[1] : NULL, &in) != 0) {
        goto out;
    }
    if (policy_json_simulate(buf_cstr(&in), in.len, &out, &err) != 0) {
        fprintf(stderr, "sagebox: %s\n", buf_cstr(&err));
        goto out;
    }
    fputs(buf_cstr(&out), stdout);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
out:
    buf_free(&in);
    buf_free(&out);
    buf_free(&err);
    return rc;
}

// Prints policy_lint's warnings, one per line, to standard output.
static void print_warnings(const struct policy *p)
{
    struct policy_warning few[32];
    size_t cap = sizeof(few) / sizeof(*few);
    struct policy_warning *w = few;
    size_t total = policy_lint(p, w, cap);
    if (total > cap) {
        cap = total;
        w = sb_xcalloc(cap, sizeof(*w));
        total = policy_lint(p, w, cap);
    }
    for (size_t i = 0; i < total && i < cap; i++) {
        printf("warning: Statement[%u]: %s\n", (unsigned)w[i].statement_index, w[i].message);
    }
    if (w != few) {
        free(w);
    }
}

static int cmd_validate(int argc, char **argv)
{
    int rc = EXIT_USAGE;
    struct buf in = BUF_INIT;
    struct policy *p = NULL;
    enum policy_kind kind = POLICY_KIND_IDENTITY;
    const char *path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *kind_name = NULL;
        if (strcmp(a, "--kind") == 0 && i + 1 < argc) {
            kind_name = argv[++i];
        } else if (strncmp(a, "--kind=", 7) == 0) {
            kind_name = a + 7;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && path == NULL) {
            path = a;
            continue;
        } else {
            cli_policy_usage(stderr);
            goto out;
        }
        if (policy_json_kind_from_name(kind_name, &kind) != 0) {
            fprintf(stderr, "sagebox: unknown policy kind \"%s\"\n", kind_name);
            cli_policy_usage(stderr);
            goto out;
        }
    }
    if (read_input(path, &in) != 0) {
        goto out;
    }
    struct policy_error perr = {0};
    if (policy_parse(buf_cstr(&in), in.len, kind, "policy", NULL, &p, &perr) != 0) {
        fprintf(stderr, "%s: %s\n",
                perr.code == POLICY_ERR_TOO_LARGE ? "LimitExceeded" : "MalformedPolicyDocument",
                perr.message);
        goto out;
    }
    print_warnings(p);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
out:
    policy_free(p);
    buf_free(&in);
    return rc;
}

// Runs the policy command; see cli_policy.h.
int cli_policy_main(int argc, char **argv)
{
    if (argc < 2) {
        cli_policy_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "simulate") == 0) {
        return cmd_simulate(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "validate") == 0) {
        return cmd_validate(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_policy_usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "sagebox: unknown policy command \"%s\"\n", cmd);
    cli_policy_usage(stderr);
    return EXIT_USAGE;
}
