// SPDX-License-Identifier: Apache-2.0
// IAM operations of this resource family: being written (the table is empty until they land).
#include "svc/registry.h"

const struct svc_handler iam_user_handlers[] = {
    {NULL, NULL},
};
