// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the JSON 1.1 request side (src/proto/json11.c, proto.c, shape.c) and the
// model's pattern matcher (src/proto/jregex.c). The first byte picks the mode: JSON decoding
// plus validation for KMS, Logs, SSM or SageMaker (the next two bytes pick the operation, the
// rest is the body), or the matcher (a pattern and a text split at the first NUL). Properties
// checked beyond "no crash": a decoded tree is an object that validated, encodes back along the
// input shape, and that body decodes to the same tree; a failure is a 400
// with a code and renders; a compiled pattern answers 0, 1 or -1, and a literal pattern
// (letters and digits only) matches itself.
#include "proto/jregex.h"
#include "proto/json11.h"
#include "proto/model.h"
#include "proto/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_regex(const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n);
    size_t pl = nul != NULL ? (size_t)(nul - s) : n;
    const char *text = nul != NULL ? nul + 1 : s;
    size_t tl = nul != NULL ? n - pl - 1 : n;
    struct jregex *re = NULL;
    if (jregex_compile(s, pl, &re, NULL) != 0) {
        if (re != NULL) {
            abort();
        }
        return;
    }
    int r = jregex_match(re, text, tl);
    if (r < -1 || r > 1) {
        abort();
    }
    bool literal = pl > 0;
    for (size_t i = 0; i < pl; i++) {
        char c = s[i];
        literal =
            literal && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }
    if (literal && jregex_match(re, s, pl) != 1) {
        abort();
    }
    jregex_free(re);
}

// Decodes a JSON body, or runs the matcher; see the file comment.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *services[] = {"kms", "logs", "ssm", "sagemaker"};
    if (size < 1) {
        return 0;
    }
    if (data[0] >= 0xC0) {
        fuzz_regex((const char *)data + 1, size - 1);
        return 0;
    }
    if (size < 3) {
        return 0;
    }
    const struct proto_service *svc = proto_service_find(services[data[0] % 4]);
    unsigned pick = (unsigned)data[1] << 8 | data[2];
    const struct proto_op *op = &model_ops[svc->op_first + pick % svc->op_count];
    json_t *tree = NULL;
    struct awserr err = {0};
    if (proto_decode(op, (const char *)data + 3, size - 3, NULL, &tree, &err) == 0) {
        if (!json_is_object(tree)) {
            abort();
        }
        // The decoded tree encodes back along the input shape, and that body decodes to the
        // same tree.
        if (op->input >= 0) {
            struct buf body = BUF_INIT;
            if (json11_encode_structure(&model_shapes[op->input], tree, &body) != 0) {
                abort();
            }
            json_t *again = NULL;
            struct awserr err2 = {0};
            if (proto_decode(op, body.data, body.len, NULL, &again, &err2) != 0 ||
                !json_equal(tree, again)) {
                abort();
            }
            json_decref(again);
            buf_free(&body);
        }
        json_decref(tree);
    } else {
        if (tree != NULL || err.status != 400 || err.code[0] == '\0') {
            abort();
        }
        struct buf body = BUF_INIT;
        const char *ct = NULL;
        proto_encode_error(svc, &err, "fuzz", &body, &ct);
        buf_free(&body);
    }
    return 0;
}
