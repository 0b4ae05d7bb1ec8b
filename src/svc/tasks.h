// SPDX-License-Identifier: Apache-2.0
// Background work of the services: what AWS does after answering a request (a SageMaker domain
// goes from Pending to InService, an app from Pending to InService, a deletion completes). A
// handler schedules a task inside its own write transaction (svc_task_schedule), so the task is
// durable exactly when the change that needs it is: a kill -9 loses neither, and a rolled-back
// request leaves no task. One worker thread (svc_tasks_start) runs due tasks in due order, each
// in its own write transaction with the task's removal, so a task runs to completion once; a
// task whose handler fails (a store failure) is tried again a second later, at most 5 times.
//
// Store layout: kind "sys.task" in the pseudo-account "sagebox" (region ""), so that one listing
// sees the tasks of every account. The id is the due time in epoch milliseconds, zero-padded to
// 16 digits, "-" and 16 random hex digits: listing by id is listing by due time. Document:
//   {"service": "sagemaker", "type": "DomainCreated", "account": A, "region": R,
//    "args": {...}, "attempts": n}
//
// A task handler is an svc_handler_fn found by (service, type) in svc_task_tables (registry.c):
// it gets a call whose operation is the type, whose input (c->in) is the task's args, whose
// caller is the service principal ("sagemaker.amazonaws.com") in the task's account, region and
// clock; it changes the store inside the transaction the worker opened (it must not open one).
#ifndef SAGEBOX_SVC_TASKS_H
#define SAGEBOX_SVC_TASKS_H

#include "svc/svc.h"

#include <stddef.h>
#include <stdint.h>

#define SVC_TASK_KIND    "sys.task"
#define SVC_TASK_ACCOUNT "sagebox"

// Schedules task type of service (a signing name) to run delay_ms milliseconds from now (the
// real clock in milliseconds, moved by the env's clock offset) with
// args (a JSON object, not stolen; NULL for {}), in the caller's account and region. Must be
// called inside c's write transaction. Returns 0, or -1 with c->err set (500, the service's
// internal failure).
int svc_task_schedule(struct svc_call *c, const char *service, const char *type, int64_t delay_ms,
                      const json_t *args);

struct svc_tasks;

// Starts the worker thread over env (its store, clock offset). Returns NULL when the thread
// cannot be started (err gets why).
struct svc_tasks *svc_tasks_start(const struct svc_env *env, char *err, size_t err_cap);

// Stops the worker (a running task finishes first) and frees it; NULL does nothing.
void svc_tasks_stop(struct svc_tasks *t);

// Runs every task due at (real time + env's clock offset) now, in due order, on the calling
// thread; returns how many ran. The worker calls it; tests call it directly.
size_t svc_tasks_run_due(const struct svc_env *env);

#endif
