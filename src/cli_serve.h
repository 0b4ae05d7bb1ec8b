// SPDX-License-Identifier: Apache-2.0
// `sagebox serve`: the AWS-compatible daemon's command line.
#ifndef SAGEBOX_CLI_SERVE_H
#define SAGEBOX_CLI_SERVE_H

// Runs `sagebox serve` with argv[0] == "serve". Returns the process exit status: 0 after a clean
// stop on SIGINT/SIGTERM, 1 when the server cannot start, 2 for bad arguments.
int cli_serve_main(int argc, char **argv);

#endif
