// SPDX-License-Identifier: Apache-2.0
// Tests of the region allocator (src/core/arena.c) against the contract in arena.h: alignment
// for any object, zero-filled calloc, NUL-terminated strndup, use of the caller's initial buffer
// before the heap, growth for large requests, and release/reuse. Run under ASan, the tests also
// check that nothing leaks and that every returned region is fully writable.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN alignof(max_align_t)

static bool aligned(const void *p)
{
    return ((uintptr_t)p % ALIGN) == 0;
}

static bool inside(const void *p, const void *buf, size_t len)
{
    return (const char *)p >= (const char *)buf && (const char *)p < (const char *)buf + len;
}

// Every allocation is aligned and distinct, for sizes from 0 to a few blocks.
static void test_alloc_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    static const size_t sizes[] = {1, 0, 3, 7, 8, 15, 16, 17, 100, 4095, 4096, 4097, 1, 70000, 2};
    char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *p = arena_alloc(&a, sizes[i]);
        assert_non_null(p);
        assert_true(aligned(p));
        memset(p, 0xab, sizes[i]); // ASan reports an overflow if the region is short
        if (prev != NULL && prev_len > 0) {
            assert_true(p >= prev + prev_len || p + sizes[i] <= prev);
        }
        prev = p;
        prev_len = sizes[i];
    }
    arena_release(&a);
}

// Earlier allocations keep their contents while later ones fill new blocks.
static void test_contents_survive_growth(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    char *ptrs[2000];
    for (int i = 0; i < 2000; i++) {
        ptrs[i] = arena_alloc(&a, 37);
        memset(ptrs[i], (char)(i & 0x7f), 37);
    }
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 37; k++) {
            assert_int_equal(ptrs[i][k], (char)(i & 0x7f));
        }
    }
    arena_release(&a);
}

// arena_calloc zero-fills, even when the memory was used before (a reused stack buffer).
static void test_arena_calloc(void **state)
{
    (void)state;
    unsigned char buf[512];
    memset(buf, 0xff, sizeof(buf));
    struct arena a;
    arena_init(&a, buf, sizeof(buf));
    unsigned char *p = arena_calloc(&a, 10, 8);
    for (int i = 0; i < 80; i++) {
        assert_int_equal(p[i], 0);
    }
    uint32_t *q = arena_calloc(&a, 3000, sizeof(uint32_t)); // does not fit: heap
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(q[i], 0);
    }
    assert_non_null(arena_calloc(&a, 0, 16));
    assert_non_null(arena_calloc(&a, 16, 0));
    arena_release(&a);
}

static void test_strndup(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    char *s = arena_strndup(&a, "hello, world", 5);
    assert_string_equal(s, "hello");
    char *e = arena_strndup(&a, "", 0);
    assert_string_equal(e, "");
    char *n = arena_strndup(&a, NULL, 0); // nothing to copy: still a valid empty string
    assert_string_equal(n, "");
    const char bin[] = {'a', '\0', 'b'};
    char *b = arena_strndup(&a, bin, 3);
    assert_memory_equal(b, bin, 3);
    assert_int_equal(b[3], '\0');
    arena_release(&a);
}

// The caller's buffer is used first; the heap only when it runs out.
static void test_initial_buffer(void **state)
{
    (void)state;
    alignas(max_align_t) char buf[1024];
    struct arena a;
    arena_init(&a, buf, sizeof(buf));
    void *p = arena_alloc(&a, 100);
    assert_true(inside(p, buf, sizeof(buf)));
    void *q = arena_alloc(&a, 100);
    assert_true(inside(q, buf, sizeof(buf)));
    assert_null(a.blocks);
    void *big = arena_alloc(&a, 2000);
    assert_false(inside(big, buf, sizeof(buf)));
    assert_non_null(a.blocks);
    memset(big, 1, 2000);
    arena_release(&a);
    assert_null(a.blocks);

    // A misaligned buffer start is skipped; a buffer too small to align gives the heap at once.
    struct arena b;
    arena_init(&b, buf + 1, sizeof(buf) - 1);
    void *r = arena_alloc(&b, 8);
    assert_true(aligned(r));
    assert_true(inside(r, buf, sizeof(buf)));
    arena_release(&b);
    struct arena c;
    arena_init(&c, buf + 1, 2);
    void *t = arena_alloc(&c, 8);
    assert_true(aligned(t));
    assert_false(inside(t, buf, sizeof(buf)));
    arena_release(&c);
}

// Release frees the heap blocks; the arena may be initialised and used again.
static void test_release_and_reuse(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, NULL, 0);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            memset(arena_alloc(&a, 1000), round, 1000);
        }
        arena_release(&a);
        assert_null(a.blocks);
        arena_init(&a, NULL, 0);
    }
    arena_release(&a);
    arena_release(&a); // releasing twice is harmless
}

static void test_x_wrappers(void **state)
{
    (void)state;
    char *p = sb_xmalloc(0); // a zero-byte request still returns a freeable pointer
    assert_non_null(p);
    p = sb_xrealloc(p, 100);
    memset(p, 'x', 100);
    p = sb_xrealloc(p, 10);
    assert_int_equal(p[9], 'x');
    free(p);
    int *z = sb_xcalloc(50, sizeof(int));
    for (int i = 0; i < 50; i++) {
        assert_int_equal(z[i], 0);
    }
    free(z);
    free(sb_xcalloc(0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_alignment), cmocka_unit_test(test_contents_survive_growth),
        cmocka_unit_test(test_arena_calloc),    cmocka_unit_test(test_strndup),
        cmocka_unit_test(test_initial_buffer),  cmocka_unit_test(test_release_and_reuse),
        cmocka_unit_test(test_x_wrappers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
