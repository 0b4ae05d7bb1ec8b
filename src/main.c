// SPDX-License-Identifier: Apache-2.0
// The sagebox command line: a small dispatcher from the first argument to the command that
// implements it (`sagebox policy ...` in cli_policy.c, `sagebox serve` in cli_serve.c).
#include "cli_policy.h"
#include "cli_serve.h"

#include <stdio.h>
#include <string.h>

// The build passes the project version; this fallback keeps a bare compile working.
#ifndef SAGEBOX_VERSION
#define SAGEBOX_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
    fputs("usage: sagebox <command> [arguments]\n"
          "\n"
          "commands:\n"
          "  serve [--listen ADDR:PORT] [--data-dir DIR] ...   run the AWS-compatible server\n"
          "  policy simulate [FILE]                 decide a request as AWS's policy evaluation "
          "would\n"
          "  policy validate [--kind KIND] [FILE]   check a policy document as IAM does\n"
          "  help                                   show this help\n"
          "  --version                              print the version\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0) {
        return cli_serve_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "policy") == 0) {
        return cli_policy_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("sagebox %s\n", SAGEBOX_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "sagebox: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return 2;
}
