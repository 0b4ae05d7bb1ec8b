// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the KMS ciphertext blob parser (kms_crypto.h, kms_blob_parse) and what
// follows it on Decrypt. Checks the contract: a refused blob is KMS_EBADBLOB; a parsed blob has a
// 36-character key id, a version >= 1 and views that tile the input exactly; decrypting it under
// a fixed key either fails with KMS_EAUTH (leaving the output empty) or yields ct_len bytes; a
// blob made from the parsed fields round-trips. The input is also tried as a wrapped backing key
// (base64 text), which must be refused cleanly unless it is a real one.
#include "svc/kms/kms_crypto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// A fixed key: the fuzzer knows it, which lets the kept corpus hold blobs that really decrypt.
static const unsigned char fixed_key[KMS_SYMMETRIC_KEY_LEN] = {
    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kms_blob b;
    struct buf plain = BUF_INIT;
    struct buf again = BUF_INIT;
    struct buf back = BUF_INIT;
    int rc = kms_blob_parse(data, size, &b);
    if (rc != 0) {
        if (rc != KMS_EBADBLOB) {
            abort();
        }
    } else {
        if (strlen(b.key_id) != KMS_KEY_ID_LEN || b.version == 0 || b.header != data ||
            b.iv != data + KMS_BLOB_HEADER_LEN || b.ct != b.iv + KMS_BLOB_IV_LEN ||
            b.tag + KMS_BLOB_TAG_LEN != data + size || b.ct_len != size - KMS_BLOB_MIN_LEN) {
            abort();
        }
        rc = kms_decrypt(fixed_key, sizeof(fixed_key), &b, NULL, 0, &plain);
        if ((rc != 0 && rc != KMS_EAUTH) || (rc != 0 && plain.len != 0) ||
            (rc == 0 && plain.len != b.ct_len)) {
            abort();
        }
        // Re-encrypt the ciphertext bytes under the parsed id and version: must round-trip.
        if (kms_encrypt(fixed_key, sizeof(fixed_key), b.key_id, b.version, NULL, 0, b.ct, b.ct_len,
                        &again) != 0) {
            abort();
        }
        struct kms_blob b2;
        if (kms_blob_parse((const unsigned char *)again.data, again.len, &b2) != 0 ||
            strcmp(b2.key_id, b.key_id) != 0 || b2.version != b.version ||
            kms_decrypt(fixed_key, sizeof(fixed_key), &b2, NULL, 0, &back) != 0 ||
            back.len != b.ct_len || (b.ct_len > 0 && memcmp(back.data, b.ct, b.ct_len) != 0)) {
            abort();
        }
    }
    buf_reset(&back);
    rc = kms_unwrap(fixed_key, "1234abcd-12ab-34cd-56ef-1234567890ab", 1, (const char *)data, size,
                    &back);
    if ((rc != 0 && rc != KMS_EAUTH && rc != KMS_EBADBLOB) || (rc != 0 && back.len != 0)) {
        abort();
    }
    kms_buf_wipe(&plain);
    kms_buf_wipe(&back);
    buf_free(&again);
    return 0;
}
