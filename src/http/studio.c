// SPDX-License-Identifier: Apache-2.0
// The Studio endpoint; see studio.h. AWS's own sign-in answers a token whose principal may no
// longer call CreatePresignedDomainUrl with "Auth token containing insufficient permissions";
// the other refusals (expired, used, forged token; no session) are sagebox's own words. Every
// value from the store or the request is HTML-escaped before it reaches a page.
#include "http/studio.h"

#include "core/ids.h"
#include "core/jsonload.h"
#include "proto/query.h"
#include "svc/iam/role_use.h"
#include "svc/sagemaker/presign.h"
#include "svc/sagemaker/sm_common.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COOKIE_NAME  "sagebox_studio"
#define INSUFFICIENT "Auth token containing insufficient permissions"

// ---- HTML --------------------------------------------------------------------------------------

// Appends s HTML-escaped (text and attribute values alike).
static void esc(struct buf *b, const char *s)
{
    for (const char *p = s != NULL ? s : ""; *p; p++) {
        switch (*p) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *p);
        }
    }
}

static void page_start(struct http_response *rs, int status, const char *title)
{
    buf_reset(&rs->body);
    rs->status = status;
    rs->content_type = "text/html; charset=utf-8";
    http_response_header(rs, "Cache-Control", "no-store");
    http_response_header(rs, "X-Frame-Options", "DENY");
    http_response_header(rs, "Content-Security-Policy", "default-src 'none'; form-action 'self'");
    buf_puts(&rs->body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    esc(&rs->body, title);
    buf_puts(&rs->body, "</title></head><body>\n<h1>");
    esc(&rs->body, title);
    buf_puts(&rs->body, "</h1>\n");
}

static void page_end(struct http_response *rs)
{
    buf_puts(&rs->body, "</body></html>\n");
}

// A whole error page: status, and message as its only paragraph.
static void error_page(struct http_response *rs, int status, const char *message)
{
    page_start(rs, status, "SageMaker Studio");
    buf_puts(&rs->body, "<p class=\"error\">");
    esc(&rs->body, message);
    buf_puts(&rs->body, "</p>\n");
    page_end(rs);
}

// ---- helpers -----------------------------------------------------------------------------------

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t jint(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

// The value of parameter name in a form or query text, decoded, in a; NULL when absent.
static const char *form_value(struct arena *a, const char *text, size_t len, const char *name)
{
    struct buf v = BUF_INIT;
    const char *out = NULL;
    if (query_form_value(text, len, name, &v) == 1) {
        out = arena_strndup(a, v.data != NULL ? v.data : "", v.len);
    }
    buf_free(&v);
    return out;
}

// A cookie of one Cookie header; see studio.h.
const char *studio_cookie_in(struct arena *a, const char *header, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';') {
            p++;
        }
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            return arena_strndup(a, p + nlen + 1, len - nlen - 1);
        }
        p += len;
    }
    return NULL;
}

// The value of the cookie name in the request's Cookie headers, in its arena; NULL when absent.
static const char *cookie_value(const struct http_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->header_count; i++) {
        if (strcasecmp(rq->headers[i].name, "Cookie") == 0) {
            const char *v = studio_cookie_in(rq->arena, rq->headers[i].value, name);
            if (v != NULL) {
                return v;
            }
        }
    }
    return NULL;
}

// A call context acting for caller in region (the store scope and the decisions of sm_* use it).
static void call_init(struct svc_call *c, const struct svc_env *env, const struct http_request *rq,
                      const struct svc_caller *caller, const char *region, const char *operation,
                      time_t now, struct policy_context *ctx, const json_t *in)
{
    char *rid = arena_alloc(rq->arena, IDS_UUID_LEN + 1);
    ids_uuid4(rid);
    *c = (struct svc_call){
        .env = env,
        .arena = rq->arena,
        .request_id = rid,
        .service = "sagemaker",
        .operation = operation,
        .region = region,
        .caller = caller,
        .ctx = ctx,
        .now = now,
        .in = in,
        .client_ip = rq->client_ip,
    };
}

// The request context of a principal's request from the client of rq (the global keys the
// gateway sets for a signed request, with the redeeming client's address).
static struct policy_context *caller_context(const struct svc_caller *caller,
                                             const struct http_request *rq)
{
    struct policy_context *ctx = policy_context_new();
    policy_context_add_principal_keys(ctx, &caller->principal);
    if (caller->user_id[0] != '\0') {
        policy_context_set(ctx, "aws:userid", caller->user_id);
    }
    if (caller->principal.type == POLICY_PRINCIPAL_ROLE_SESSION && caller->identity_arn[0]) {
        policy_context_set(ctx, "aws:PrincipalArn", caller->identity_arn);
    }
    if (caller->principal_tags != NULL) {
        json_t *tags = jsonload_str(caller->principal_tags);
        size_t i;
        const json_t *t;
        json_array_foreach(tags, i, t)
        {
            const char *k = jstr(t, "Key");
            const char *v = jstr(t, "Value");
            if (k != NULL) {
                char name[320];
                snprintf(name, sizeof(name), "aws:PrincipalTag/%s", k);
                policy_context_set(ctx, name, v != NULL ? v : "");
            }
        }
        json_decref(tags);
    }
    policy_context_set(ctx, "aws:SourceIp", rq->client_ip);
    policy_context_set(ctx, "aws:SecureTransport", "false");
    policy_context_set(ctx, "aws:ViaAWSService", "false");
    return ctx;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
    }
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

// The signed form of a session id: "SID.MAC(purpose:SID)" (in a), or NULL without a key.
static const char *signed_sid(const struct svc_env *env, struct arena *a, const char *purpose,
                              const char *sid)
{
    char data[128];
    int n = snprintf(data, sizeof(data), "%s:%s", purpose, sid);
    char mac[SM_MAC_B64_LEN + 1];
    if (n <= 0 || (size_t)n >= sizeof(data) ||
        sm_studio_mac(env->data_dir, data, (size_t)n, mac) != 0) {
        return NULL;
    }
    size_t slen = strlen(sid);
    char *out = arena_alloc(a, slen + 1 + SM_MAC_B64_LEN + 1);
    memcpy(out, sid, slen);
    out[slen] = '.';
    memcpy(out + slen + 1, mac, SM_MAC_B64_LEN + 1);
    return out;
}

// ---- GET /studio/auth --------------------------------------------------------------------------

static void redeem(const struct svc_env *env, struct authn_cache *creds,
                   const struct http_request *rq, struct http_response *rs, time_t now,
                   struct studio_result *res)
{
    res->action = "sagebox:StudioSignIn";
    json_t *tok = NULL;
    json_t *sess = NULL;
    struct policy_context *ctx = NULL;
    struct sm_obj p = {0};
    const char *token = form_value(rq->arena, rq->raw_query, rq->raw_query_len, "token");
    if (token != NULL) {
        tok = sm_studio_open(env->data_dir, token, strlen(token));
    }
    const char *kind = jstr(tok, "kind");
    if (tok == NULL || kind == NULL || strcmp(kind, "signin") != 0) {
        error_page(rs, 403, "The sign-in link is not valid.");
        goto out;
    }
    const char *arn = jstr(tok, "arn");
    const char *akid = jstr(tok, "akid");
    const char *acct = jstr(tok, "acct");
    const char *region = jstr(tok, "region");
    const char *domain = jstr(tok, "domain");
    const char *profile = jstr(tok, "profile");
    const char *jti = jstr(tok, "jti");
    if (arn == NULL || akid == NULL || acct == NULL || region == NULL || domain == NULL ||
        profile == NULL || jti == NULL) {
        error_page(rs, 403, "The sign-in link is not valid.");
        goto out;
    }
    copy_str(res->principal, sizeof(res->principal), arn);
    if ((json_int_t)now >= jint(tok, "exp")) {
        error_page(rs, 403, "The sign-in link has expired.");
        goto out;
    }
    // The principal that made the link, with its current state and policies: a deleted or
    // deactivated key, or another principal behind it, no longer signs anyone in.
    struct svc_caller *caller = arena_calloc(rq->arena, 1, sizeof(*caller));
    struct awserr aerr = {0};
    if (authn_resolve_key(env, creds, akid, now, rq->arena, caller, &aerr) != 0 ||
        strcmp(caller->arn, arn) != 0 || strcmp(caller->account, acct) != 0) {
        copy_str(res->decision, sizeof(res->decision), "ImplicitlyDenied");
        error_page(rs, 403, INSUFFICIENT);
        goto out;
    }
    ctx = caller_context(caller, rq);
    struct svc_call c;
    call_init(&c, env, rq, caller, region, "CreatePresignedDomainUrl", now, ctx, NULL);
    const char *profile_id = sm_fmt(&c, "%s/%s", domain, profile);
    int found = sm_get(&c, SM_KIND_PROFILE, profile_id, &p);
    if (found < 0) {
        error_page(rs, 500, "The request processing has failed.");
        goto out;
    }
    int arc = sm_authorize(&c, "sagemaker:CreatePresignedDomainUrl",
                           sm_arn(&c, "user-profile", profile_id), found ? sm_tags(p.doc) : NULL);
    copy_str(res->decision, sizeof(res->decision), c.decision);
    if (arc != 0) {
        error_page(rs, c.err.status >= 500 ? 500 : 403,
                   c.err.status >= 500 ? "The request processing has failed." : INSUFFICIENT);
        goto out;
    }
    if (found == 0) {
        error_page(rs, 403, "The user profile of this sign-in link no longer exists.");
        goto out;
    }

    // Use the token once and open the session, in one transaction.
    char sid[IDS_UUID_LEN + 1];
    ids_uuid4(sid);
    const char *cookie = signed_sid(env, rq->arena, "session", sid);
    json_int_t duration = jint(tok, "sess");
    if (cookie == NULL || duration <= 0) {
        error_page(rs, 500, "The request processing has failed.");
        goto out;
    }
    sess = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "acct", acct, "region", region,
                     "domain", domain, "profile", profile, "arn", arn, "created", (json_int_t)now,
                     "exp", (json_int_t)now + duration);
    if (jstr(tok, "space") != NULL) {
        json_object_set_new(sess, "space", json_string(jstr(tok, "space")));
    }
    char *sess_text = json_dumps(sess, JSON_COMPACT);
    json_t *used = json_pack("{s:I, s:s}", "exp", jint(tok, "exp"), "session", sid);
    char *used_text = json_dumps(used, JSON_COMPACT);
    json_decref(used);
    struct store_obj used_obj = {.account = acct,
                                 .region = region,
                                 .kind = SM_KIND_TOKEN,
                                 .id = jti,
                                 .doc = used_text,
                                 .doc_len = strlen(used_text)};
    struct store_obj sess_obj = {.account = acct,
                                 .region = region,
                                 .kind = SM_KIND_STUDIO_SESSION,
                                 .id = sid,
                                 .parent = domain,
                                 .key2 = sid,
                                 .doc = sess_text,
                                 .doc_len = strlen(sess_text)};
    struct store_err se;
    int src = store_begin(env->store, &se);
    if (src == 0) {
        src = store_put(env->store, &used_obj, STORE_CREATE, &se);
    }
    if (src == 0) {
        src = store_put(env->store, &sess_obj, STORE_CREATE, &se);
    }
    if (src == 0) {
        src = store_commit(env->store, &se);
    } else {
        store_rollback(env->store);
    }
    free(sess_text);
    free(used_text);
    if (src == SB_EEXISTS) {
        error_page(rs, 403, "The sign-in link has already been used.");
        goto out;
    }
    if (src != 0) {
        fprintf(stderr, "sagebox: studio: storing the session: %s\n", se.msg);
        error_page(rs, 500, "The request processing has failed.");
        goto out;
    }
    char max_age[24];
    snprintf(max_age, sizeof(max_age), "%lld", (long long)duration);
    size_t cap = strlen(cookie) + 128;
    char *set = arena_alloc(rq->arena, cap);
    snprintf(set, cap, COOKIE_NAME "=%s; Path=/studio/; Max-Age=%s; HttpOnly; SameSite=Lax", cookie,
             max_age);
    http_response_header(rs, "Set-Cookie", set);
    http_response_header(rs, "Location", "/studio/");
    http_response_header(rs, "Cache-Control", "no-store");
    rs->status = 302;
    rs->content_type = "text/html; charset=utf-8";
    buf_puts(&rs->body,
             "<!DOCTYPE html>\n<html><body><a href=\"/studio/\">Studio</a></body></html>\n");
out:
    sm_obj_release(&p);
    policy_context_free(ctx);
    json_decref(sess);
    json_decref(tok);
}

// ---- sessions ----------------------------------------------------------------------------------

struct session {
    const char *sid;
    json_t *doc; // owned
};

// Loads the session of the request's cookie. Returns 1 with *s, or 0 after writing the refusal
// page (no, forged or expired session).
static int session_load(const struct svc_env *env, const struct http_request *rq,
                        struct http_response *rs, time_t now, struct session *s)
{
    memset(s, 0, sizeof(*s));
    const char *v = cookie_value(rq, COOKIE_NAME);
    const char *dot = v != NULL ? strchr(v, '.') : NULL;
    if (dot == NULL || dot - v != IDS_UUID_LEN) {
        error_page(rs, 403,
                   "You are not signed in to SageMaker Studio. Open a new presigned "
                   "domain URL to sign in.");
        return 0;
    }
    char sid[IDS_UUID_LEN + 1];
    memcpy(sid, v, IDS_UUID_LEN);
    sid[IDS_UUID_LEN] = '\0';
    const char *want = signed_sid(env, rq->arena, "session", sid);
    if (want == NULL || strlen(v) != strlen(want) || CRYPTO_memcmp(want, v, strlen(want)) != 0) {
        error_page(rs, 403,
                   "Your SageMaker Studio session is not valid. Open a new presigned "
                   "domain URL to sign in.");
        return 0;
    }
    struct store_obj o;
    if (store_get_by_key2(env->store, SM_KIND_STUDIO_SESSION, sid, rq->arena, &o, NULL) != 0) {
        error_page(rs, 403,
                   "Your SageMaker Studio session has ended. Open a new presigned "
                   "domain URL to sign in.");
        return 0;
    }
    s->doc = jsonload(o.doc, o.doc_len);
    if (!json_is_object(s->doc) || (json_int_t)now >= jint(s->doc, "exp")) {
        json_decref(s->doc);
        s->doc = NULL;
        error_page(rs, 403,
                   "Your SageMaker Studio session has expired. Open a new presigned "
                   "domain URL to sign in.");
        return 0;
    }
    s->sid = arena_strndup(rq->arena, sid, IDS_UUID_LEN);
    return 1;
}

// The execution role of a profile: its own, or the domain's default.
static const char *execution_role(const json_t *profile, const json_t *domain)
{
    const char *r = jstr(json_object_get(profile, "UserSettings"), "ExecutionRole");
    if (r == NULL) {
        r = jstr(json_object_get(domain, "DefaultUserSettings"), "ExecutionRole");
    }
    return r;
}

static void row(struct buf *b, const char *label, const char *value)
{
    buf_puts(b, "<tr><th>");
    esc(b, label);
    buf_puts(b, "</th><td>");
    esc(b, value != NULL ? value : "-");
    buf_puts(b, "</td></tr>\n");
}

// ---- GET /studio/ ------------------------------------------------------------------------------

static void studio_page(const struct svc_env *env, const struct http_request *rq,
                        struct http_response *rs, const struct session *s, time_t now,
                        struct studio_result *res)
{
    res->action = "sagebox:StudioPage";
    struct sm_obj d = {0};
    struct sm_obj p = {0};
    struct svc_caller caller = {0};
    copy_str(caller.account, sizeof(caller.account), jstr(s->doc, "acct"));
    copy_str(caller.arn, sizeof(caller.arn), jstr(s->doc, "arn"));
    struct svc_call c;
    call_init(&c, env, rq, &caller, jstr(s->doc, "region"), "StudioPage", now, NULL, NULL);
    const char *domain = jstr(s->doc, "domain");
    const char *profile = jstr(s->doc, "profile");
    if (sm_get(&c, SM_KIND_DOMAIN, domain, &d) != 1 ||
        sm_get(&c, SM_KIND_PROFILE, sm_fmt(&c, "%s/%s", domain, profile), &p) != 1) {
        error_page(rs, 403, "The domain or the user profile of this session no longer exists.");
        goto out;
    }
    const char *csrf = signed_sid(env, rq->arena, "csrf", s->sid);
    if (csrf == NULL) {
        error_page(rs, 500, "The request processing has failed.");
        goto out;
    }
    page_start(rs, 200, "SageMaker Studio");
    struct buf *b = &rs->body;
    char when[40];
    svc_iso_time((time_t)jint(s->doc, "exp"), when, sizeof(when));
    buf_puts(b, "<table id=\"session\">\n");
    row(b, "Domain ID", domain);
    row(b, "Domain name", sm_str(d.doc, "DomainName"));
    row(b, "User profile", profile);
    row(b, "User profile status", sm_str(p.doc, "Status"));
    row(b, "Execution role", execution_role(p.doc, d.doc));
    row(b, "Space", jstr(s->doc, "space"));
    row(b, "Signed in as", jstr(s->doc, "arn"));
    row(b, "Session expires", when);
    buf_puts(b, "</table>\n<h2>Apps</h2>\n<table id=\"apps\">\n"
                "<tr><th>AppType</th><th>AppName</th><th>Status</th><th></th></tr>\n");
    struct store_scope asc = sm_scope(&c, SM_KIND_APP);
    struct store_list_opts lo = {
        .parent = domain, .path_prefix = sm_fmt(&c, "user/%s/", profile), .limit = 100};
    struct store_list list = {0};
    if (store_list(env->store, &asc, &lo, rq->arena, &list, NULL) == 0) {
        for (size_t i = 0; i < list.count; i++) {
            json_t *a = jsonload(list.items[i].doc, list.items[i].doc_len);
            buf_puts(b, "<tr><td>");
            esc(b, jstr(a, "AppType"));
            buf_puts(b, "</td><td>");
            esc(b, jstr(a, "AppName"));
            buf_puts(b, "</td><td>");
            esc(b, jstr(a, "Status"));
            buf_puts(b, "</td><td><form method=\"post\" action=\"/studio/apps/delete\">"
                        "<input type=\"hidden\" name=\"csrf\" value=\"");
            esc(b, csrf);
            buf_puts(b, "\"><input type=\"hidden\" name=\"AppType\" value=\"");
            esc(b, jstr(a, "AppType"));
            buf_puts(b, "\"><input type=\"hidden\" name=\"AppName\" value=\"");
            esc(b, jstr(a, "AppName"));
            buf_puts(b, "\"><button type=\"submit\">Delete</button></form></td></tr>\n");
            json_decref(a);
        }
    }
    buf_puts(b, "</table>\n<h2>Spaces</h2>\n<table id=\"spaces\">\n"
                "<tr><th>SpaceName</th><th>Status</th></tr>\n");
    struct store_scope ssc = sm_scope(&c, SM_KIND_SPACE);
    struct store_list_opts so = {.parent = domain, .limit = 100};
    struct store_list spaces = {0};
    if (store_list(env->store, &ssc, &so, rq->arena, &spaces, NULL) == 0) {
        for (size_t i = 0; i < spaces.count; i++) {
            json_t *sp = jsonload(spaces.items[i].doc, spaces.items[i].doc_len);
            buf_puts(b, "<tr><td>");
            esc(b, jstr(sp, "SpaceName"));
            buf_puts(b, "</td><td>");
            esc(b, jstr(sp, "Status"));
            buf_puts(b, "</td></tr>\n");
            json_decref(sp);
        }
    }
    buf_puts(b, "</table>\n<h2>Create an app</h2>\n"
                "<form method=\"post\" action=\"/studio/apps\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    esc(b, csrf);
    buf_puts(b, "\"><select name=\"AppType\"><option>JupyterServer</option>"
                "<option>KernelGateway</option></select>"
                "<input name=\"AppName\" value=\"default\">"
                "<button type=\"submit\">Create</button></form>\n");
    page_end(rs);
    copy_str(res->decision, sizeof(res->decision), "-");
out:
    sm_obj_release(&d);
    sm_obj_release(&p);
}

// ---- POST /studio/apps, /studio/apps/delete
// ------------------------------------------------------

static bool app_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch == '-' && i > 0 && i + 1 < n)) {
            return false;
        }
    }
    return true;
}

static void app_action(const struct svc_env *env, const struct http_request *rq,
                       struct http_response *rs, const struct session *s, time_t now, bool create,
                       struct studio_result *res)
{
    res->action = create ? "sagemaker:CreateApp" : "sagemaker:DeleteApp";
    struct sm_obj d = {0};
    struct sm_obj p = {0};
    json_t *role = NULL;
    json_t *in = NULL;
    bool in_session = false;
    struct svc_role_session rsess;
    const char *csrf = form_value(rq->arena, rq->body, rq->body_len, "csrf");
    const char *want = signed_sid(env, rq->arena, "csrf", s->sid);
    if (csrf == NULL || want == NULL || strlen(csrf) != strlen(want) ||
        CRYPTO_memcmp(csrf, want, strlen(want)) != 0) {
        error_page(rs, 403, "The form is not valid for this session.");
        goto out;
    }
    const char *type = form_value(rq->arena, rq->body, rq->body_len, "AppType");
    const char *name = form_value(rq->arena, rq->body, rq->body_len, "AppName");
    if (type == NULL || name == NULL ||
        (strcmp(type, "JupyterServer") != 0 && strcmp(type, "KernelGateway") != 0) ||
        !app_name_ok(name)) {
        error_page(rs, 400,
                   "AppType must be JupyterServer or KernelGateway and AppName a valid "
                   "app name.");
        goto out;
    }
    struct svc_caller caller = {0};
    copy_str(caller.account, sizeof(caller.account), jstr(s->doc, "acct"));
    copy_str(caller.arn, sizeof(caller.arn), jstr(s->doc, "arn"));
    struct svc_call c;
    call_init(&c, env, rq, &caller, jstr(s->doc, "region"), create ? "CreateApp" : "DeleteApp", now,
              NULL, NULL);
    const char *domain = jstr(s->doc, "domain");
    const char *profile = jstr(s->doc, "profile");
    if (sm_get(&c, SM_KIND_DOMAIN, domain, &d) != 1 ||
        sm_get(&c, SM_KIND_PROFILE, sm_fmt(&c, "%s/%s", domain, profile), &p) != 1) {
        error_page(rs, 403, "The domain or the user profile of this session no longer exists.");
        goto out;
    }
    const char *role_arn = execution_role(p.doc, d.doc);
    if (role_arn == NULL || svc_role_load(&c, role_arn, &role) != 1) {
        error_page(rs, 403, "The execution role of this user profile does not exist.");
        goto out;
    }
    svc_handler_fn fn = svc_find("sagemaker", create ? "CreateApp" : "DeleteApp");
    if (fn == NULL) {
        error_page(rs, 501, "sagebox does not implement this operation yet.");
        goto out;
    }
    svc_role_session_begin(&c, role, "SageMaker", "sagemaker", &rsess);
    in_session = true;
    copy_str(res->principal, sizeof(res->principal), rsess.caller.arn);
    policy_context_set(rsess.call.ctx, "aws:SourceIp", rq->client_ip);
    in = json_pack("{s:s, s:s, s:s, s:s}", "DomainId", domain, "UserProfileName", profile,
                   "AppType", type, "AppName", name);
    if (create) {
        // What Studio creates carries the tags SageMaker adds to resources created from Studio
        // (sagemaker:domain-arn, sagemaker:user-profile-arn), for aws:ResourceTag conditions.
        json_object_set_new(
            in, "Tags",
            json_pack("[{s:s, s:s}, {s:s, s:s}]", "Key", "sagemaker:domain-arn", "Value",
                      sm_arn(&c, "domain", domain), "Key", "sagemaker:user-profile-arn", "Value",
                      sm_arn(&c, "user-profile", sm_fmt(&c, "%s/%s", domain, profile))));
    }
    rsess.call.in = in;
    rsess.call.operation = create ? "CreateApp" : "DeleteApp";
    int rc = fn(&rsess.call);
    copy_str(res->decision, sizeof(res->decision), rsess.call.decision);
    if (rc != 0) {
        const struct awserr *e = &rsess.call.err;
        page_start(rs, e->status >= 400 ? e->status : 500, "SageMaker Studio");
        buf_puts(&rs->body, "<p class=\"error\">");
        esc(&rs->body, e->code[0] ? e->code : "InternalFailure");
        buf_puts(&rs->body, ": ");
        esc(&rs->body, e->message[0] ? e->message : "The request processing has failed.");
        buf_puts(&rs->body, "</p>\n<p><a href=\"/studio/\">Back to Studio</a></p>\n");
        page_end(rs);
        goto out;
    }
    rs->status = 303;
    http_response_header(rs, "Location", "/studio/");
    rs->content_type = "text/html; charset=utf-8";
    buf_puts(&rs->body,
             "<!DOCTYPE html>\n<html><body><a href=\"/studio/\">Studio</a></body></html>\n");
out:
    if (in_session) {
        svc_role_session_end(&rsess);
    }
    json_decref(in);
    json_decref(role);
    sm_obj_release(&d);
    sm_obj_release(&p);
}

// ---- dispatch ----------------------------------------------------------------------------------

static bool path_is(const struct http_request *rq, const char *p)
{
    size_t n = strlen(p);
    return rq->raw_path_len == n && memcmp(rq->raw_path, p, n) == 0;
}

// Serves a Studio request; see studio.h.
void studio_handle(const struct svc_env *env, struct authn_cache *creds,
                   const struct http_request *rq, struct http_response *rs,
                   struct studio_result *out)
{
    memset(out, 0, sizeof(*out));
    out->action = "sagebox:Studio";
    time_t now = time(NULL) + env->clock_offset;
    bool get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    bool post = strcmp(rq->method, "POST") == 0;
    if (path_is(rq, "/studio/auth")) {
        if (!get) {
            error_page(rs, 405, "The sign-in link takes GET.");
            return;
        }
        redeem(env, creds, rq, rs, now, out);
        return;
    }
    bool page = path_is(rq, "/studio/");
    bool create = path_is(rq, "/studio/apps");
    bool del = path_is(rq, "/studio/apps/delete");
    if (!page && !create && !del) {
        error_page(rs, 404, "There is no such page in SageMaker Studio.");
        return;
    }
    if ((page && !get) || ((create || del) && !post)) {
        error_page(rs, 405, "This page does not take that method.");
        return;
    }
    struct session s;
    if (session_load(env, rq, rs, now, &s) != 1) {
        return;
    }
    copy_str(out->principal, sizeof(out->principal), jstr(s.doc, "arn"));
    if (page) {
        studio_page(env, rq, rs, &s, now, out);
    } else {
        app_action(env, rq, rs, &s, now, create, out);
    }
    json_decref(s.doc);
}
