// SPDX-License-Identifier: Apache-2.0
// Tests of the growable buffer (src/core/buf.c) against the contract in buf.h: always
// NUL-terminated, "" for an empty buffer, binary-safe appends, printf-style formatting that grows
// as needed, reset keeping memory and free leaving a reusable empty buffer.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"

#include <string.h>

static void test_empty(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    buf_reset(&b); // on a buffer that never allocated
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
    buf_free(&b);
    assert_null(b.data);
    buf_append(&b, "", 0); // an empty append still gives a terminated buffer
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
}

static void test_append(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "User: ");
    buf_append(&b, "arn:aws:iam::111122223333:user/ana-and-more", 34);
    buf_putc(&b, ' ');
    buf_puts(&b, "is not authorized");
    assert_string_equal(buf_cstr(&b), "User: arn:aws:iam::111122223333:user/ana is not authorized");
    assert_int_equal(b.len, strlen(buf_cstr(&b)));
    assert_true(b.cap > b.len);
    buf_free(&b);
}

// Bytes, including NUL, are appended as given; len counts them and a NUL still follows.
static void test_binary(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_append(&b, "a\0b", 3);
    buf_putc(&b, '\0');
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "a\0b\0", 4);
    assert_int_equal(b.data[4], '\0');
    buf_free(&b);
}

// Growth across many reallocations keeps every byte.
static void test_growth(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    for (int i = 0; i < 100000; i++) {
        buf_putc(&b, (char)('a' + i % 26));
    }
    assert_int_equal(b.len, 100000);
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(b.data[i], 'a' + i % 26);
    }
    assert_int_equal(b.data[100000], '\0');
    buf_free(&b);
}

static void test_printf(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s:%d", "port", 8080);
    assert_string_equal(buf_cstr(&b), "port:8080");
    buf_printf(&b, "%s", ""); // appends nothing
    assert_string_equal(buf_cstr(&b), "port:8080");
    // Longer than the first attempt's room: formats a second time after growing.
    char big[5000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 9 + 2 + 4999);
    assert_int_equal(b.data[9], '[');
    assert_int_equal(b.data[10 + 4999], ']');
    assert_int_equal(b.data[b.len], '\0');
    // Exactly at the boundary of the free room.
    struct buf c = BUF_INIT;
    buf_puts(&c, "x");
    size_t room = c.cap - c.len - 1;
    char fill[256];
    assert_true(room < sizeof(fill));
    memset(fill, 'y', room);
    fill[room] = '\0';
    buf_printf(&c, "%s", fill);
    assert_int_equal(c.len, 1 + room);
    buf_printf(&c, "%d", 7);
    assert_int_equal(c.data[c.len - 1], '7');
    assert_int_equal(c.len, strlen(c.data));
    buf_free(&c);
    buf_free(&b);
}

static void test_reset(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "some text");
    size_t cap = b.cap;
    char *data = b.data;
    buf_reset(&b);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_ptr_equal(b.data, data);
    buf_puts(&b, "again");
    assert_string_equal(buf_cstr(&b), "again");
    buf_free(&b);
    assert_int_equal(b.cap, 0);
    buf_puts(&b, "reused");
    assert_string_equal(buf_cstr(&b), "reused");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),  cmocka_unit_test(test_append), cmocka_unit_test(test_binary),
        cmocka_unit_test(test_growth), cmocka_unit_test(test_printf), cmocka_unit_test(test_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
