// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the Query and EC2 protocol request side (src/proto/query.c, proto.c,
// shape.c): routing by Action/Version and form decoding plus validation against the model. The
// first byte picks the service (IAM, STS, EC2, CloudFormation), the next two the operation; the
// rest is the form body. Properties checked beyond "no crash": a request routes either to an
// operation of the service or to an error; a decoded tree is an object that validated; a
// failure is a 400 with a code; every error renders into a document without aborting.
#include "proto/model.h"
#include "proto/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(const struct proto_service *svc, const struct awserr *err)
{
    struct buf body = BUF_INIT;
    const char *ct = NULL;
    proto_encode_error(svc, err, "fuzz", &body, &ct);
    if (ct == NULL || body.len == 0) {
        abort();
    }
    buf_free(&body);
}

// Decodes the body as a request of the chosen operation; see the file comment.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *services[] = {"iam", "sts", "ec2", "cloudformation"};
    if (size < 3) {
        return 0;
    }
    const struct proto_service *svc = proto_service_find(services[data[0] % 4]);
    unsigned pick = (unsigned)data[1] << 8 | data[2];
    const struct proto_op *op = &model_ops[svc->op_first + pick % svc->op_count];
    const char *body = (const char *)data + 3;
    size_t len = size - 3;

    // Routing reads Action and Version out of the same bytes.
    char *copy = malloc(len + 1);
    memcpy(copy, body, len);
    copy[len] = '\0';
    struct proto_request rq = {.method = "POST",
                               .scope_service = (data[0] & 4) ? NULL : services[data[0] % 4],
                               .body = copy,
                               .body_len = len,
                               .query = (data[0] & 8) ? copy : NULL};
    const struct proto_service *rsvc = NULL;
    const struct proto_op *rop = NULL;
    struct awserr err = {0};
    if (proto_route(&rq, &rsvc, &rop, &err) == 0) {
        if (rop == NULL || proto_op_service(rop) != rsvc) {
            abort();
        }
    } else if (err.status != 400 || rop != NULL) {
        abort();
    } else {
        render(rsvc, &err);
    }
    free(copy);

    json_t *tree = NULL;
    memset(&err, 0, sizeof(err));
    if (proto_decode(op, body, len, NULL, &tree, &err) == 0) {
        if (!json_is_object(tree)) {
            abort();
        }
        json_decref(tree);
    } else {
        if (tree != NULL || err.status != 400 || err.code[0] == '\0') {
            abort();
        }
        render(svc, &err);
    }
    return 0;
}
