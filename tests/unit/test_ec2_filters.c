// SPDX-License-Identifier: Apache-2.0
// Tests of the EC2 filter engine and the document helpers of src/svc/ec2/ec2_common.h on
// documents shaped like the botocore model's Describe* items: EC2's wildcards ('*', '?', '\'
// escapes, case-sensitive), paths through lists, booleans and integers as text, several values
// OR'ed and several filters AND'ed, tag:KEY / tag-key / tag-value, unknown filter names and the
// value limit; EC2 id forms and the kinds table; tags on documents; internal members.
//
// Expected behaviours come from the EC2 API Reference ("Query parameters" > filters: "You can use
// wildcards with the filter values: * matches zero or more characters, and ? matches exactly one
// character", and each Describe* page's filter list) and from real EC2 answers cited in
// ec2_common.h, not from the code under test.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "svc/ec2/ec2_common.h"

#include <string.h>

// A VPC as DescribeVpcs shows it (EC2 API Reference, DescribeVpcs example response).
static const char *vpc_json =
    "{\"CidrBlock\":\"10.0.0.0/16\",\"DhcpOptionsId\":\"dopt-19edf471\",\"State\":\"available\","
    "\"VpcId\":\"vpc-0e9801d129EXAMPLE\",\"OwnerId\":\"111122223333\",\"InstanceTenancy\":"
    "\"default\",\"CidrBlockAssociationSet\":[{\"AssociationId\":\"vpc-cidr-assoc-"
    "062c64cfafEXAMPLE\","
    "\"CidrBlock\":\"10.0.0.0/16\",\"CidrBlockState\":{\"State\":\"associated\"}},"
    "{\"AssociationId\":\"vpc-cidr-assoc-0b1\",\"CidrBlock\":\"10.1.0.0/16\",\"CidrBlockState\":"
    "{\"State\":\"disassociated\"}}],\"IsDefault\":false,\"Tags\":[{\"Key\":\"Name\",\"Value\":"
    "\"Not Shared\"},{\"Key\":\"env\",\"Value\":\"prod*\"}],\"AvailableIpAddressCount\":251,"
    "\"_EnableDnsSupport\":true}";

static const struct ec2_filter_def defs[] = {
    {"cidr", "CidrBlock", NULL},
    {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock", NULL},
    {"cidr-block-association.state", "CidrBlockAssociationSet.CidrBlockState.State", NULL},
    {"is-default", "IsDefault", NULL},
    {"count", "AvailableIpAddressCount", NULL},
    {"state", "State", NULL},
    {"vpc-id", "VpcId", NULL},
    {NULL, NULL, NULL},
};

struct fix {
    struct arena a;
    json_t *vpc;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    arena_init(&f->a, NULL, 0);
    f->vpc = json_loads(vpc_json, 0, NULL);
    assert_non_null(f->vpc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    json_decref(f->vpc);
    arena_release(&f->a);
    free(f);
    return 0;
}

// Compiles a Filters list given as JSON text and reports whether the document passes it.
static bool passes(struct fix *f, const char *filters)
{
    json_t *fl = json_loads(filters, 0, NULL);
    assert_non_null(fl);
    struct awserr err = {0};
    struct ec2_filter_set *fs = NULL;
    int rc = ec2_filters_compile(&f->a, &err, defs, fl, &fs);
    json_decref(fl);
    if (rc != 0) {
        fail_msg("compile failed: %s %s", err.code, err.message);
    }
    return ec2_filters_match(fs, f->vpc);
}

static void t_wildcards(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        const char *text;
        bool match;
    } cases[] = {
        {"vpc-*", "vpc-0a1b", true},
        {"*", "", true},
        {"?", "", false},
        {"10.0.?.0/16", "10.0.0.0/16", true},
        {"10.0.?.0/16", "10.0.10.0/16", false},
        {"VPC-*", "vpc-1", false}, // filter values are case-sensitive
        {"prod\\*", "prod*", true},
        {"prod\\*", "production", false},
        {"a\\?c", "a?c", true},
        {"a\\?c", "abc", false},
        {"*shared", "Not Shared", false},
        {"*Shared", "Not Shared", true},
        {"", "", true},
        {"x", "", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool m = ec2_filter_value_match(cases[i].pattern, cases[i].text);
        if (m != cases[i].match) {
            fail_msg("'%s' vs '%s': expected %d", cases[i].pattern, cases[i].text, cases[i].match);
        }
    }
    const char *vals[] = {"a*", "b"};
    assert_true(ec2_filter_any(vals, 2, "b"));
    assert_true(ec2_filter_any(vals, 2, "abc"));
    assert_false(ec2_filter_any(vals, 2, "c"));
    assert_false(ec2_filter_any(vals, 0, "a"));
}

static void t_paths_and_types(void **state)
{
    struct fix *f = *state;
    assert_true(passes(f, "[{\"Name\":\"cidr\",\"Values\":[\"10.0.0.0/16\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"cidr\",\"Values\":[\"10.1.0.0/16\"]}]"));
    // a path through a list matches when any element matches
    assert_true(passes(f, "[{\"Name\":\"cidr-block-association.cidr-block\","
                          "\"Values\":[\"10.1.0.0/16\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"cidr-block-association.state\","
                          "\"Values\":[\"disassociated\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"cidr-block-association.state\","
                           "\"Values\":[\"associating\"]}]"));
    // booleans compare as "true"/"false", integers in decimal
    assert_true(passes(f, "[{\"Name\":\"is-default\",\"Values\":[\"false\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"is-default\",\"Values\":[\"true\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"count\",\"Values\":[\"251\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"count\",\"Values\":[\"25?\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"count\",\"Values\":[\"250\"]}]"));
}

static void t_and_or(void **state)
{
    struct fix *f = *state;
    // values of one filter are OR'ed
    assert_true(passes(f, "[{\"Name\":\"state\",\"Values\":[\"pending\",\"available\"]}]"));
    // filters are AND'ed
    assert_true(passes(f, "[{\"Name\":\"state\",\"Values\":[\"available\"]},"
                          "{\"Name\":\"vpc-id\",\"Values\":[\"vpc-0e98*\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"state\",\"Values\":[\"available\"]},"
                           "{\"Name\":\"vpc-id\",\"Values\":[\"vpc-1*\"]}]"));
    // a filter without values lets nothing through; no filters let everything through
    assert_false(passes(f, "[{\"Name\":\"state\",\"Values\":[]}]"));
    assert_true(passes(f, "[]"));
    assert_true(ec2_filters_match(NULL, f->vpc));
}

static void t_tags(void **state)
{
    struct fix *f = *state;
    assert_true(passes(f, "[{\"Name\":\"tag:Name\",\"Values\":[\"Not Shared\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"tag:Name\",\"Values\":[\"Not*\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"tag:name\",\"Values\":[\"Not Shared\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"tag:Name\",\"Values\":[\"prod*\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"tag:env\",\"Values\":[\"prod\\\\*\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"tag-key\",\"Values\":[\"env\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"tag-key\",\"Values\":[\"N*\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"tag-key\",\"Values\":[\"Owner\"]}]"));
    assert_true(passes(f, "[{\"Name\":\"tag-value\",\"Values\":[\"Not Shared\"]}]"));
    assert_false(passes(f, "[{\"Name\":\"tag-value\",\"Values\":[\"Name\"]}]"));
    // tag-key and tag-value are independent: the key of one tag, the value of another
    assert_true(passes(f, "[{\"Name\":\"tag-key\",\"Values\":[\"env\"]},"
                          "{\"Name\":\"tag-value\",\"Values\":[\"Not Shared\"]}]"));
    json_object_del(f->vpc, "Tags");
    assert_false(passes(f, "[{\"Name\":\"tag-key\",\"Values\":[\"*\"]}]"));
}

static int compile_error(struct fix *f, const char *filters, struct awserr *err)
{
    json_t *fl = json_loads(filters, 0, NULL);
    struct ec2_filter_set *fs = NULL;
    int rc = ec2_filters_compile(&f->a, err, defs, fl, &fs);
    json_decref(fl);
    return rc;
}

static void t_errors(void **state)
{
    struct fix *f = *state;
    struct awserr err = {0};
    assert_int_equal(compile_error(f, "[{\"Name\":\"vpc-idd\",\"Values\":[\"x\"]}]", &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, "InvalidParameterValue");
    assert_string_equal(err.message, "The filter 'vpc-idd' is invalid");
    memset(&err, 0, sizeof(err));
    assert_int_equal(compile_error(f, "[{\"Name\":\"tag:\",\"Values\":[\"x\"]}]", &err), -1);
    assert_string_equal(err.message, "The filter 'tag:' is invalid");
    // 201 values in all exceed EC2's 200
    json_t *fl = json_array();
    json_t *vals = json_array();
    for (int i = 0; i < 201; i++) {
        json_array_append_new(vals, json_string("x"));
    }
    json_array_append_new(fl, json_pack("{s:s, s:o}", "Name", "state", "Values", vals));
    char *text = json_dumps(fl, 0);
    memset(&err, 0, sizeof(err));
    assert_int_equal(compile_error(f, text, &err), -1);
    assert_string_equal(err.code, "FilterLimitExceeded");
    free(text);
    json_decref(fl);
}

static bool custom(const json_t *doc, const char *const *values, size_t count)
{
    const char *id = ec2_str(doc, "VpcId");
    return id != NULL && ec2_filter_any(values, count, id + 4);
}

static void t_custom_matcher(void **state)
{
    struct fix *f = *state;
    static const struct ec2_filter_def cdefs[] = {{"suffix", NULL, custom}, {NULL, NULL, NULL}};
    json_t *fl = json_loads("[{\"Name\":\"suffix\",\"Values\":[\"0e98*\"]}]", 0, NULL);
    struct awserr err = {0};
    struct ec2_filter_set *fs = NULL;
    assert_int_equal(ec2_filters_compile(&f->a, &err, cdefs, fl, &fs), 0);
    assert_true(ec2_filters_match(fs, f->vpc));
    json_decref(fl);
}

static void t_ids_and_kinds(void **state)
{
    (void)state;
    assert_true(ec2_id_wellformed("vpc-0123456789abcdef0", "vpc"));
    assert_true(ec2_id_wellformed("vpc-1a2b3c4d", "vpc"));           // pre-2018 short form
    assert_false(ec2_id_wellformed("vpc-1a2b3c4", "vpc"));           // 7 digits
    assert_false(ec2_id_wellformed("vpc-0123456789ABCDEF0", "vpc")); // uppercase
    assert_false(ec2_id_wellformed("vpc-xxxxxxxxx", "vpc"));
    assert_false(ec2_id_wellformed("subnet-1a2b3c4d", "vpc"));
    assert_false(ec2_id_wellformed("vpc1a2b3c4d", "vpc"));
    assert_false(ec2_id_wellformed(NULL, "vpc"));

    assert_string_equal(ec2_kind_of_id("sgr-0123456789abcdef0")->kind, EC2_KIND_SGR);
    assert_string_equal(ec2_kind_of_id("sg-0123456789abcdef0")->kind, EC2_KIND_SG);
    assert_string_equal(ec2_kind_of_id("eipalloc-0123456789abcdef0")->type, "elastic-ip");
    assert_string_equal(ec2_kind_of_id("nat-0123456789abcdef0")->type, "natgateway");
    assert_null(ec2_kind_of_id("i-0123456789abcdef0"));
    assert_null(ec2_kind_of_id("vpcx-1"));
    assert_string_equal(ec2_kind_by_type("route-table")->prefix, "rtb");
    assert_string_equal(ec2_kind_by_type("vpc-flow-log")->prefix, "fl");
    assert_string_equal(ec2_kind_by_store(EC2_KIND_DOPT)->type, "dhcp-options");
    assert_null(ec2_kind_by_type("instance"));
    // the spellings of the EC2 error-code list, which differ from kind to kind
    assert_string_equal(ec2_kind_of_id("vpc-1")->malformed_code, "InvalidVpcID.Malformed");
    assert_string_equal(ec2_kind_of_id("sg-1")->malformed_code, "InvalidGroupId.Malformed");
    assert_string_equal(ec2_kind_of_id("rtb-1")->not_found_code, "InvalidRouteTableID.NotFound");
    assert_null(ec2_kind_of_id("eipalloc-1")->malformed_code);

    // every kind's prefix finds the kind, and the ids the service makes are well formed
    for (size_t i = 0; i < ec2_kind_count; i++) {
        char id[64];
        snprintf(id, sizeof(id), "%s-0123456789abcdef0", ec2_kinds[i].prefix);
        assert_ptr_equal(ec2_kind_of_id(id), &ec2_kinds[i]);
        assert_true(ec2_id_wellformed(id, ec2_kinds[i].prefix));
    }
}

// A call that only carries an arena and an error, for the helpers that report through c->err.
static void bare_call(struct svc_call *c, struct arena *a)
{
    memset(c, 0, sizeof(*c));
    c->arena = a;
}

static void t_tags_on_documents(void **state)
{
    struct fix *f = *state;
    struct svc_call c;
    bare_call(&c, &f->a);
    const struct ec2_kind *vpc = ec2_kind_by_store(EC2_KIND_VPC);
    const struct ec2_kind *rtb = ec2_kind_by_store(EC2_KIND_RTB);
    json_t *doc = json_object();
    ec2_tags_init(vpc, doc, NULL);
    assert_null(json_object_get(doc, "Tags")); // DescribeVpcs omits an empty tag set
    ec2_tags_init(rtb, doc, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "Tags")), 0); // route tables show []

    json_t *tags = json_loads("[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\"}]", 0, NULL);
    assert_int_equal(ec2_tags_apply(&c, vpc, doc, tags), 0);
    json_t *list = json_object_get(doc, "Tags");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(ec2_str(json_array_get(list, 1), "Value"), ""); // missing Value is ""
    json_t *again = json_loads("[{\"Key\":\"a\",\"Value\":\"2\"}]", 0, NULL);
    assert_int_equal(ec2_tags_apply(&c, vpc, doc, again), 0);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(ec2_str(json_array_get(list, 0), "Value"), "2");

    // DeleteTags: with a Value only when equal, without one whatever the value
    json_t *wrong = json_loads("[{\"Key\":\"a\",\"Value\":\"1\"}]", 0, NULL);
    ec2_tags_remove(vpc, doc, wrong);
    assert_int_equal(json_array_size(list), 2);
    json_t *any = json_loads("[{\"Key\":\"a\"}]", 0, NULL);
    ec2_tags_remove(vpc, doc, any);
    assert_int_equal(json_array_size(list), 1);
    ec2_tags_remove(vpc, doc, NULL);
    assert_null(json_object_get(doc, "Tags"));

    // 50 tags at most
    json_t *many = json_array();
    for (int i = 0; i < 51; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        json_array_append_new(many, json_pack("{s:s, s:s}", "Key", k, "Value", "v"));
    }
    assert_int_equal(ec2_tags_apply(&c, vpc, doc, many), -1);
    assert_string_equal(c.err.code, "TagLimitExceeded");

    json_decref(many);
    json_decref(any);
    json_decref(wrong);
    json_decref(again);
    json_decref(tags);
    json_decref(doc);
}

static void t_tags_check(void **state)
{
    struct fix *f = *state;
    struct svc_call c;
    static const struct {
        const char *tags;
        const char *message; // NULL: accepted
    } cases[] = {
        {"[{\"Key\":\"Name\",\"Value\":\"x\"}]", NULL},
        {"[{\"Key\":\"team:aws:owner\",\"Value\":\"x\"}]", NULL},
        {"[{\"Key\":\"aws:x\",\"Value\":\"x\"}]",
         "Tag keys starting with 'aws:' are reserved for internal use"},
        {"[{\"Key\":\"AWS:x\",\"Value\":\"x\"}]",
         "Tag keys starting with 'aws:' are reserved for internal use"},
        {"[{\"Key\":\"\",\"Value\":\"x\"}]",
         "Value ( '' ) for parameter Tag key is invalid. Tag key cannot be null or empty."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bare_call(&c, &f->a);
        json_t *t = json_loads(cases[i].tags, 0, NULL);
        int rc = ec2_tags_check(&c, t);
        json_decref(t);
        if (cases[i].message == NULL) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(c.err.code, "InvalidParameterValue");
            assert_string_equal(c.err.message, cases[i].message);
        }
    }
    char key[200];
    memset(key, 'k', 128);
    key[128] = '\0';
    json_t *t = json_pack("[{s:s, s:s}]", "Key", key, "Value", "");
    bare_call(&c, &f->a);
    assert_int_equal(ec2_tags_check(&c, t), -1);
    json_decref(t);
    key[127] = '\0';
    t = json_pack("[{s:s, s:s}]", "Key", key, "Value", "");
    assert_int_equal(ec2_tags_check(&c, t), 0);
    json_decref(t);
}

static void t_public_and_context(void **state)
{
    struct fix *f = *state;
    json_t *pub = ec2_doc_public(f->vpc);
    assert_null(json_object_get(pub, "_EnableDnsSupport"));
    assert_non_null(json_object_get(pub, "VpcId"));
    assert_non_null(json_object_get(f->vpc, "_EnableDnsSupport")); // the original is untouched
    json_decref(pub);

    // the per-resource condition keys ec2_authorize sets are removed again (policy_context_unset)
    struct policy_context *ctx = policy_context_new();
    policy_context_set(ctx, "ec2:ResourceTag/Env", "prod");
    policy_context_set(ctx, "aws:SourceIp", "127.0.0.1");
    policy_context_unset(ctx, "EC2:resourcetag/env");
    assert_false(policy_context_has(ctx, "ec2:ResourceTag/Env"));
    assert_true(policy_context_has(ctx, "aws:SourceIp"));
    policy_context_unset(ctx, "absent");
    policy_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_wildcards),
        cmocka_unit_test_setup_teardown(t_paths_and_types, setup, teardown),
        cmocka_unit_test_setup_teardown(t_and_or, setup, teardown),
        cmocka_unit_test_setup_teardown(t_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(t_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(t_custom_matcher, setup, teardown),
        cmocka_unit_test(t_ids_and_kinds),
        cmocka_unit_test_setup_teardown(t_tags_on_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(t_tags_check, setup, teardown),
        cmocka_unit_test_setup_teardown(t_public_and_context, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
