// SPDX-License-Identifier: Apache-2.0
// The batched request log; see accesslog.h.
#include "http/accesslog.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES (64 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static char buf[BUF_BYTES];  // gathered lines, guarded by lock
static size_t used;          // bytes of buf in use, guarded by lock
static bool flusher_started; // guarded by lock
static atomic_int in_flight;

// Writes buf[0..used) to stderr and empties it; the caller holds lock.
static void flush_locked(void)
{
    size_t off = 0;
    while (off < used) {
        ssize_t n = write(STDERR_FILENO, buf + off, used - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; // stderr is gone or full: drop the lines rather than stall requests
        }
        off += (size_t)n;
    }
    used = 0;
}

// The background writer: sleeps until lines are waiting, lets ACCESSLOG_DELAY_MS of them
// gather, writes them.
static void *flusher(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (used == 0) {
            pthread_cond_wait(&wake, &lock);
        }
        pthread_mutex_unlock(&lock);
        struct timespec delay = {0, ACCESSLOG_DELAY_MS * 1000000L};
        nanosleep(&delay, NULL);
        pthread_mutex_lock(&lock);
        flush_locked();
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

void accesslog_enter(void)
{
    atomic_fetch_add_explicit(&in_flight, 1, memory_order_relaxed);
}

void accesslog_leave(void)
{
    atomic_fetch_sub_explicit(&in_flight, 1, memory_order_relaxed);
}

// Appends a line; see accesslog.h.
void accesslog_write(const char *line, size_t len)
{
    bool alone = atomic_load_explicit(&in_flight, memory_order_relaxed) <= 1;
    pthread_mutex_lock(&lock);
    if (used + len > BUF_BYTES) {
        flush_locked();
    }
    if (len > BUF_BYTES) {
        len = BUF_BYTES;
    }
    bool was_empty = used == 0;
    memcpy(buf + used, line, len);
    used += len;
    if (alone) {
        flush_locked();
    } else if (!flusher_started) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        if (pthread_create(&t, &attr, flusher, NULL) == 0) {
            flusher_started = true;
            pthread_cond_signal(&wake);
        } else {
            flush_locked(); // no background writer: write at once
        }
        pthread_attr_destroy(&attr);
    } else if (was_empty) {
        pthread_cond_signal(&wake);
    }
    pthread_mutex_unlock(&lock);
}

void accesslog_flush(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
}
