// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the VPC flow log format parser, the hook's JSON record reader and the
// record formatter (src/svc/ec2/flowlog_delivery.h): the input's first line is a LogFormat, the
// rest a JSON record. Checks the contract: a parsed format lists 1..FLOWLOG_FORMAT_MAX known
// fields, prints back as the same text ("${id}" joined by single spaces) and has the highest
// version among them; an unknown field is named, NUL-terminated; a record read from JSON formats
// to exactly the length the sizing call reports, with a space at least between every two fields,
// and truncates safely into a small buffer.
#include "svc/ec2/flowlog_delivery.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t flen = nl != NULL ? (size_t)(nl - in) : size;
    char *text = malloc(flen + 1);
    memcpy(text, in, flen);
    text[flen] = '\0';
    flen = strlen(text); // the parser sees a C string: an embedded NUL ends it
    struct flowlog_format f;
    char bad[64];
    memset(bad, 0x5a, sizeof(bad));
    enum flowlog_format_error e = flowlog_format_parse(text, &f, bad, sizeof(bad));
    if (e == FLOWLOG_FORMAT_UNKNOWN_FIELD && memchr(bad, '\0', sizeof(bad)) == NULL) {
        abort();
    }
    if (e != FLOWLOG_FORMAT_OK) {
        free(text);
        return 0;
    }
    if (f.count == 0 || f.count > FLOWLOG_FORMAT_MAX) {
        abort();
    }
    // Round trip: the fields print back as the text, and the version is their highest.
    char *back = malloc(flen + 1);
    size_t o = 0;
    int version = 2;
    for (size_t i = 0; i < f.count; i++) {
        const char *name = flowlog_field_name(f.fields[i]);
        size_t n = strlen(name);
        if (o + n + 4 > flen + 1) {
            abort();
        }
        memcpy(back + o, i ? " ${" : "${", i ? 3 : 2);
        o += i ? 3 : 2;
        memcpy(back + o, name, n);
        o += n;
        back[o++] = '}';
        if (flowlog_field_version(f.fields[i]) > version) {
            version = flowlog_field_version(f.fields[i]);
        }
    }
    if (o != flen || memcmp(back, text, flen) != 0 || version != f.version) {
        abort();
    }
    free(back);

    struct flowlog_record r;
    flowlog_record_init(&r);
    if (nl != NULL) {
        json_t *j = json_loadb(nl + 1, size - (size_t)(nl + 1 - in), JSON_DECODE_ANY, NULL);
        char why[200];
        if (j != NULL && flowlog_record_from_json(j, &r, why, sizeof(why)) != 0 &&
            memchr(why, '\0', sizeof(why)) == NULL) {
            abort();
        }
        size_t need = flowlog_record_format(&f, &r, NULL, 0);
        char *line = malloc(need + 1);
        if (flowlog_record_format(&f, &r, line, need + 1) != need || strlen(line) != need) {
            abort();
        }
        size_t spaces = 0;
        for (size_t i = 0; i < need; i++) {
            spaces += line[i] == ' ';
        }
        if (spaces < f.count - 1) {
            abort();
        }
        char small[7];
        flowlog_record_format(&f, &r, small, sizeof(small));
        if (strlen(small) != (need < sizeof(small) ? need : sizeof(small) - 1) ||
            memcmp(small, line, strlen(small)) != 0) {
            abort();
        }
        (void)flowlog_traffic_match("ALL", &r);
        free(line);
        json_decref(j);
    }
    free(text);
    return 0;
}
