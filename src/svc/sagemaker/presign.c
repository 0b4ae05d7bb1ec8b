// SPDX-License-Identifier: Apache-2.0
// CreatePresignedDomainUrl (SageMaker API Reference, 2017-07-24): a one-time sign-in URL to
// Studio for a user profile of an IAM-mode domain, served by sagebox itself (http/studio.h) at
// the address the request reached it. The URL's token is sealed with the server's Studio signing
// key and carries who made it (ARN and access key, so that the principal's current policies
// decide again when it is redeemed), the domain, the profile, the space, the session duration,
// the source address, an expiry and a unique id.
#include "svc/sagemaker/presign.h"
#include "svc/sagemaker/sm_common.h"

#include "core/ids.h"
#include "core/jsonload.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "studio-signing.key"
#define KEY_LEN  32

// ---- the signing key ---------------------------------------------------------------------------

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static bool key_loaded;
static char key_dir[4096];
static unsigned char key_bytes[KEY_LEN];

// Reads exactly KEY_LEN bytes from fd. Returns 0 or -1.
static int read_key(int fd, unsigned char key[KEY_LEN])
{
    size_t got = 0;
    while (got < KEY_LEN) {
        ssize_t n = read(fd, key + got, KEY_LEN - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

// Creates the key file with a new random key (0600, exclusively, fsynced). Returns 0, 1 when
// another process created it first, or -1.
static int create_key(const char *path, unsigned char key[KEY_LEN])
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return errno == EEXIST ? 1 : -1;
    }
    ids_random_bytes(key, KEY_LEN);
    int rc = 0;
    size_t put = 0;
    while (put < KEY_LEN) {
        ssize_t n = write(fd, key + put, KEY_LEN - put);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = -1;
            break;
        }
        put += (size_t)n;
    }
    if (rc == 0 && fsync(fd) != 0) {
        rc = -1;
    }
    close(fd);
    if (rc != 0) {
        unlink(path);
    }
    return rc;
}

// Loads (or creates) the key of data_dir into the cache. Called with key_lock held.
static int load_key_locked(const char *data_dir)
{
    if (key_loaded && strcmp(key_dir, data_dir) == 0) {
        return 0;
    }
    size_t dlen = strlen(data_dir);
    if (dlen + sizeof(KEY_FILE) + 1 >= sizeof(key_dir)) {
        return -1;
    }
    char path[4096 + sizeof(KEY_FILE) + 1];
    memcpy(path, data_dir, dlen);
    path[dlen] = '/';
    memcpy(path + dlen + 1, KEY_FILE, sizeof(KEY_FILE));
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
            int rc = read_key(fd, key_bytes);
            close(fd);
            if (rc != 0) {
                fprintf(stderr, "sagebox: %s is damaged (not %d bytes)\n", path, KEY_LEN);
                return -1;
            }
            memcpy(key_dir, data_dir, dlen + 1);
            key_loaded = true;
            return 0;
        }
        if (errno != ENOENT) {
            break;
        }
        int crc = create_key(path, key_bytes);
        if (crc == 0) {
            memcpy(key_dir, data_dir, dlen + 1);
            key_loaded = true;
            return 0;
        }
        if (crc < 0) {
            break;
        }
    }
    fprintf(stderr, "sagebox: cannot read or create %s\n", path);
    OPENSSL_cleanse(key_bytes, sizeof(key_bytes));
    key_loaded = false;
    return -1;
}

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url without padding of in[0..len) into out (4 * ceil(len / 3) + 1 bytes at least).
static size_t b64url_encode(const unsigned char *in, size_t len, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url_chars[(v >> 18) & 63];
        out[o++] = b64url_chars[(v >> 12) & 63];
        out[o++] = b64url_chars[(v >> 6) & 63];
        out[o++] = b64url_chars[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64url_chars[(v >> 18) & 63];
        out[o++] = b64url_chars[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64url_chars[(v >> 18) & 63];
        out[o++] = b64url_chars[(v >> 12) & 63];
        out[o++] = b64url_chars[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64url_value(char ch)
{
    const char *p = ch != '\0' ? strchr(b64url_chars, ch) : NULL;
    return p != NULL ? (int)(p - b64url_chars) : -1;
}

// Strict base64url decoding without padding into out (3 * len / 4 bytes at least). Returns the
// decoded length, or -1 for a character outside the alphabet or an impossible length.
static long b64url_decode(const char *in, size_t len, unsigned char *out)
{
    if (len % 4 == 1) {
        return -1;
    }
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value(in[i]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return (long)o;
}

// Computes the MAC; see presign.h.
int sm_studio_mac(const char *data_dir, const char *data, size_t len, char out[SM_MAC_B64_LEN + 1])
{
    out[0] = '\0';
    if (data_dir == NULL) {
        return -1;
    }
    unsigned char key[KEY_LEN];
    pthread_mutex_lock(&key_lock);
    int rc = load_key_locked(data_dir);
    if (rc == 0) {
        memcpy(key, key_bytes, KEY_LEN);
    }
    pthread_mutex_unlock(&key_lock);
    if (rc != 0) {
        return -1;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), key, KEY_LEN, (const unsigned char *)data, len, mac, &mac_len) == NULL ||
        mac_len != 32) {
        rc = -1;
    } else {
        b64url_encode(mac, mac_len, out);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

// Seals a payload; see presign.h.
const char *sm_studio_seal(const char *data_dir, struct arena *a, const json_t *payload)
{
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        return NULL;
    }
    size_t n = strlen(text);
    size_t cap = 4 * (n / 3 + 1) + 1 + SM_MAC_B64_LEN + 1;
    char *out = arena_alloc(a, cap);
    size_t k = b64url_encode((const unsigned char *)text, n, out);
    free(text);
    char mac[SM_MAC_B64_LEN + 1];
    if (sm_studio_mac(data_dir, out, k, mac) != 0) {
        return NULL;
    }
    out[k] = '.';
    memcpy(out + k + 1, mac, SM_MAC_B64_LEN + 1);
    return out;
}

// Opens a token; see presign.h.
json_t *sm_studio_open(const char *data_dir, const char *token, size_t len)
{
    const char *dot = memchr(token, '.', len);
    if (dot == NULL || len > 16384) {
        return NULL;
    }
    size_t body_len = (size_t)(dot - token);
    size_t mac_len = len - body_len - 1;
    char mac[SM_MAC_B64_LEN + 1];
    if (mac_len != SM_MAC_B64_LEN || sm_studio_mac(data_dir, token, body_len, mac) != 0 ||
        CRYPTO_memcmp(mac, dot + 1, SM_MAC_B64_LEN) != 0) {
        return NULL;
    }
    unsigned char *raw = malloc(body_len + 1);
    if (raw == NULL) {
        abort();
    }
    long n = b64url_decode(token, body_len, raw);
    json_t *doc =
        n > 0 ? json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(raw);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

// ---- CreatePresignedDomainUrl ------------------------------------------------------------------

// True when host is a plausible Host header (a name or address with an optional port) that can
// go into a URL as it is.
static bool host_ok(const char *host)
{
    if (host == NULL || host[0] == '\0' || strlen(host) > 255) {
        return false;
    }
    for (const char *p = host; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
                  ch == ']';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static json_int_t in_int(const struct svc_call *c, const char *member, json_int_t fallback)
{
    const json_t *v = json_object_get(c->in, member);
    return json_is_integer(v) ? json_integer_value(v) : fallback;
}

static int create_presigned_domain_url_body(struct svc_call *c)
{
    int rc = -1;
    const char *domain_id = sm_in_str(c, "DomainId");
    const char *profile = sm_in_str(c, "UserProfileName");
    const char *space = sm_in_str(c, "SpaceName");
    struct sm_obj d = {0};
    struct sm_obj p = {0};
    struct sm_obj s = {0};
    json_t *payload = NULL;
    json_int_t expires = in_int(c, "ExpiresInSeconds", 300);
    json_int_t session = in_int(c, "SessionExpirationDurationInSeconds", 43200);
    const char *profile_id = sm_fmt(c, "%s/%s", domain_id, profile);
    const char *arn = sm_arn(c, "user-profile", profile_id);
    int dfound = sm_get(c, SM_KIND_DOMAIN, domain_id, &d);
    if (dfound < 0) {
        goto out;
    }
    int pfound = sm_get(c, SM_KIND_PROFILE, profile_id, &p);
    if (pfound < 0) {
        goto out;
    }
    if (sm_authorize(c, "sagemaker:CreatePresignedDomainUrl", arn,
                     pfound ? sm_tags(p.doc) : NULL) != 0) {
        goto out;
    }
    // The model's ranges are checked by the protocol layer; these hold for a direct call too.
    if (expires < 5 || expires > 300 || session < 1800 || session > 43200) {
        rc = sm_error(c, "ValidationException",
                      "ExpiresInSeconds must be 5..300 and SessionExpirationDurationInSeconds "
                      "1800..43200."); // not verified against AWS
        goto out;
    }
    if (dfound == 0) {
        // Same wording as DescribeDomain's (domains.c); not verified against AWS.
        rc = sm_error(c, "ResourceNotFound", "Cannot find Domain with id %s", domain_id);
        goto out;
    }
    if (pfound == 0) {
        // Same wording as DescribeUserProfile's (profiles.c); not verified against AWS.
        rc = sm_error(c, "ResourceNotFound", "UserProfile [%s] does not exist.", arn);
        goto out;
    }
    const char *mode = sm_str(d.doc, "AuthMode");
    if (mode == NULL || strcmp(mode, "IAM") != 0) {
        // The API reference: "This operation can only be called when the authentication mode
        // equals IAM." The error's wording is not verified against AWS.
        rc = sm_error(c, "ValidationException",
                      "CreatePresignedDomainUrl is only supported for domains in IAM "
                      "authentication mode; domain %s uses %s.",
                      domain_id, mode ? mode : "none");
        goto out;
    }
    if (space != NULL) {
        int sfound = sm_get(c, SM_KIND_SPACE, sm_fmt(c, "%s/%s", domain_id, space), &s);
        if (sfound < 0) {
            goto out;
        }
        if (sfound == 0) {
            // Same wording as DescribeSpace's (spaces.c); not verified against AWS.
            rc = sm_error(c, "ResourceNotFound", "Space [%s] does not exist.",
                          sm_arn(c, "space", sm_fmt(c, "%s/%s", domain_id, space)));
            goto out;
        }
    }
    if (!host_ok(c->http_host)) {
        rc = sm_error(c, "ValidationException",
                      "The request has no usable Host header to build the URL from.");
        goto out;
    }
    char jti[IDS_UUID_LEN + 1];
    ids_uuid4(jti);
    const char *ip = c->client_ip;
    payload = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "jti", jti,
                        "acct", c->caller->account, "region", c->region, "arn", c->caller->arn,
                        "akid", c->caller->access_key_id, "domain", domain_id, "profile", profile,
                        "ip", ip ? ip : "", "iat", (json_int_t)c->now, "exp",
                        (json_int_t)c->now + expires, "sess", session, "kind", "signin");
    if (space != NULL) {
        json_object_set_new(payload, "space", json_string(space));
    }
    const char *token = sm_studio_seal(c->env->data_dir, c->arena, payload);
    if (token == NULL) {
        rc = svc_internal_error(c, "the Studio signing key is unavailable");
        goto out;
    }
    c->out = json_pack("{s:s}", "AuthorizedUrl",
                       sm_fmt(c, "http://%s/studio/auth?token=%s", c->http_host, token));
    rc = 0;
out:
    json_decref(payload);
    sm_obj_release(&d);
    sm_obj_release(&p);
    sm_obj_release(&s);
    return rc;
}

SM_OPERATION(create_presigned_domain_url, false)

const struct svc_handler sm_presign_handlers[] = {
    {"CreatePresignedDomainUrl", create_presigned_domain_url},
    {NULL, NULL},
};
