// SPDX-License-Identifier: Apache-2.0
// The evaluation logic, table-driven. Every file tests/unit/data/eval/*.json is an array of cases
// {"name", "source", "input", "expect"}: "input" is a simulator request (docs/policy-simulate.md)
// and "expect" the decision AWS documents for it at "source" (IAM User Guide, "Policy evaluation
// logic" and its cross-account, boundary, session, principal and troubleshooting pages;
// Organizations SCP and RCP evaluation; KMS key policies; the lab). Each case becomes one cmocka
// test that feeds the input through policy_json_simulate_value and compares:
//   decision  exactly;
//   blockedBy as a set (AWS documents which types deny, not an order);
//   message   exactly (AWS's wording);
//   allowedBy each listed statement must be among the matches (other policies may match too);
//   deniedBy  as a set: exactly the Deny statements that matched.
#include "core/arena.h"
#include "core/buf.h"
#include "policy/policy_json.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef SAGEBOX_TEST_DATA
#error "SAGEBOX_TEST_DATA must name tests/unit/data"
#endif

// One case: the file it comes from, its label in the test report, its JSON (borrowed from the
// loaded file, which lives until the end of main).
struct eval_case {
    char label[256];
    const json_t *json;
};

// The number of cases the suite must at least hold, so that a lost file does not go unnoticed.
#define MIN_CASES 80

static bool contains(const json_t *list, const json_t *item)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_equal(v, item)) {
            return true;
        }
    }
    return false;
}

// True when a and b hold the same elements, ignoring order (neither holds duplicates here).
static bool same_set(const json_t *a, const json_t *b)
{
    if (!json_is_array(a) || !json_is_array(b) || json_array_size(a) != json_array_size(b)) {
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!contains(b, v)) {
            return false;
        }
    }
    return true;
}

static void dump_mismatch(const char *label, const char *field, const json_t *want,
                          const json_t *got)
{
    char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
    char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
    print_error("%s: %s\n  expected: %s\n  actual:   %s\n", label, field, w ? w : "(none)",
                g ? g : "(none)");
    free(w);
    free(g);
}

static void run_case(void **state)
{
    const struct eval_case *c = *state;
    const json_t *input = json_object_get(c->json, "input");
    const json_t *expect = json_object_get(c->json, "expect");
    assert_non_null(input);
    assert_non_null(expect);
    assert_non_null(json_object_get(c->json, "source"));

    struct buf err = BUF_INIT;
    json_t *got = policy_json_simulate_value(input, &err);
    if (got == NULL) {
        print_error("%s: input refused: %s\n", c->label, buf_cstr(&err));
        buf_free(&err);
        fail();
    }
    buf_free(&err);

    bool ok = true;
    const json_t *want = json_object_get(expect, "decision");
    const json_t *have = json_object_get(got, "decision");
    if (!json_equal(want, have)) {
        dump_mismatch(c->label, "decision", want, have);
        ok = false;
    }
    want = json_object_get(expect, "blockedBy");
    have = json_object_get(got, "blockedBy");
    if (want != NULL && !same_set(want, have)) {
        dump_mismatch(c->label, "blockedBy", want, have);
        ok = false;
    }
    want = json_object_get(expect, "message");
    have = json_object_get(got, "message");
    if (want != NULL && !json_equal(want, have)) {
        dump_mismatch(c->label, "message", want, have);
        ok = false;
    }
    want = json_object_get(expect, "allowedBy");
    have = json_object_get(got, "allowedBy");
    if (want != NULL) {
        size_t i;
        json_t *v;
        json_array_foreach(want, i, v)
        {
            if (!json_is_array(have) || !contains(have, v)) {
                dump_mismatch(c->label, "allowedBy (each expected entry must be present)", want,
                              have);
                ok = false;
                break;
            }
        }
    }
    want = json_object_get(expect, "deniedBy");
    have = json_object_get(got, "deniedBy");
    if (want != NULL && !same_set(want, have)) {
        dump_mismatch(c->label, "deniedBy", want, have);
        ok = false;
    }
    if (!ok) {
        print_error("%s: source: %s\n", c->label,
                    json_string_value(json_object_get(c->json, "source")));
    }
    json_decref(got);
    assert_true(ok);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

// Lists the *.json files of dir in name order into *names (each malloc'ed). Returns the count.
static size_t list_files(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    size_t count = 0;
    size_t cap = 0;
    *names = NULL;
    if (d == NULL) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with_json(e->d_name)) {
            continue;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            *names = sb_xrealloc(*names, cap * sizeof(**names));
        }
        size_t len = strlen(e->d_name);
        char *copy = sb_xmalloc(len + 1);
        memcpy(copy, e->d_name, len + 1);
        (*names)[count++] = copy;
    }
    closedir(d);
    if (count > 0) {
        qsort(*names, count, sizeof(**names), by_name);
    }
    return count;
}

int main(void)
{
    const char *dir = SAGEBOX_TEST_DATA "/eval";
    char **names = NULL;
    size_t file_count = list_files(dir, &names);
    json_t **files = sb_xcalloc(file_count ? file_count : 1, sizeof(*files));
    struct eval_case *cases = NULL;
    struct CMUnitTest *tests = NULL;
    size_t count = 0;
    size_t cap = 0;
    int rc = 1;

    if (file_count == 0) {
        fprintf(stderr, "no case files in %s\n", dir);
        goto out;
    }
    for (size_t f = 0; f < file_count; f++) {
        char path[512];
        json_error_t jerr;
        snprintf(path, sizeof(path), "%s/%s", dir, names[f]);
        files[f] = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_array(files[f])) {
            fprintf(stderr, "%s:%d: not a JSON array of cases: %s\n", path, jerr.line, jerr.text);
            goto out;
        }
        size_t i;
        json_t *c;
        json_array_foreach(files[f], i, c)
        {
            const char *name = json_string_value(json_object_get(c, "name"));
            if (name == NULL) {
                fprintf(stderr, "%s: case %zu has no name\n", path, i);
                goto out;
            }
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                cases = sb_xrealloc(cases, cap * sizeof(*cases));
            }
            snprintf(cases[count].label, sizeof(cases[count].label), "%s: %s", names[f], name);
            cases[count].json = c;
            count++;
        }
    }
    if (count < MIN_CASES) {
        fprintf(stderr, "only %zu evaluation cases in %s (at least %d expected)\n", count, dir,
                MIN_CASES);
        goto out;
    }
    tests = sb_xcalloc(count, sizeof(*tests));
    for (size_t i = 0; i < count; i++) {
        tests[i].name = cases[i].label;
        tests[i].test_func = run_case;
        tests[i].initial_state = &cases[i];
    }
    rc = _cmocka_run_group_tests("policy_eval", tests, count, NULL, NULL);
out:
    for (size_t f = 0; f < file_count; f++) {
        json_decref(files[f]);
        free(names[f]);
    }
    free(files);
    free(names);
    free(cases);
    free(tests);
    return rc;
}
