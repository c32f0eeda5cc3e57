/* Arena: alignment, the hard cap (padding included), overflow-safe sizes,
 * large allocations, reset and reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kafka/arena.h"

#define ALIGNED16(p) ((((uintptr_t)(p)) & 15u) == 0)

static void test_alignment(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    for (size_t size = 1; size < 200; size += 7) {
        uint8_t *p = kafka_arena_alloc(&a, size);
        assert_non_null(p);
        assert_true(ALIGNED16(p));
        memset(p, 0x5a, size);
    }
    void *z = kafka_arena_alloc(&a, 0);
    assert_non_null(z);
    assert_true(ALIGNED16(z));
    kafka_arena_destroy(&a);
}

static void test_cap_exact(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 100);
    assert_non_null(kafka_arena_alloc(&a, 100));
    assert_int_equal(a.used, 100);
    assert_null(kafka_arena_alloc(&a, 1));
    assert_int_equal(a.used, 100);
    /* Zero bytes never exceed a cap. */
    assert_non_null(kafka_arena_alloc(&a, 0));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 100);
    assert_null(kafka_arena_alloc(&a, 101));
    assert_int_equal(a.used, 0);
    /* Two allocations that meet the cap exactly (96 needs no padding). */
    assert_non_null(kafka_arena_alloc(&a, 96));
    assert_non_null(kafka_arena_alloc(&a, 4));
    assert_int_equal(a.used, 100);
    assert_null(kafka_arena_alloc(&a, 1));
    kafka_arena_destroy(&a);
}

static void test_cap_counts_padding(void **state) {
    (void)state;
    kafka_arena_t a;
    /* 1 byte, then 16 aligned: 15 bytes of padding are charged. */
    kafka_arena_init(&a, 32);
    assert_non_null(kafka_arena_alloc(&a, 1));
    assert_non_null(kafka_arena_alloc(&a, 16));
    assert_int_equal(a.used, 32);
    assert_null(kafka_arena_alloc(&a, 1));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 31);
    assert_non_null(kafka_arena_alloc(&a, 1));
    assert_null(kafka_arena_alloc(&a, 16));
    assert_int_equal(a.used, 1);
    kafka_arena_destroy(&a);
}

static void test_cap_large_allocation(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 1 << 20);
    uint8_t *big = kafka_arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    assert_true(ALIGNED16(big));
    memset(big, 1, 1 << 20);
    assert_null(kafka_arena_alloc(&a, 1));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 1 << 20);
    assert_null(kafka_arena_alloc(&a, (1 << 20) + 1));
    kafka_arena_destroy(&a);
}

static void test_overflow(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0); /* unlimited: only the arithmetic can refuse */
    assert_null(kafka_arena_alloc(&a, SIZE_MAX));
    assert_null(kafka_arena_alloc(&a, SIZE_MAX - 8));
    assert_null(kafka_arena_alloc(&a, SIZE_MAX - 15));
    assert_null(kafka_arena_alloc(&a, SIZE_MAX - 64));
    assert_null(kafka_arena_calloc(&a, SIZE_MAX / 2 + 1, 2));
    assert_null(kafka_arena_calloc(&a, (size_t)1 << (sizeof(size_t) * 4),
                                   (size_t)1 << (sizeof(size_t) * 4)));
    assert_null(kafka_arena_calloc(&a, SIZE_MAX, SIZE_MAX));
    assert_int_equal(a.used, 0);
    /* Still usable afterwards. */
    assert_non_null(kafka_arena_alloc(&a, 8));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 1000);
    assert_null(kafka_arena_alloc(&a, SIZE_MAX));
    assert_null(kafka_arena_calloc(&a, 0x7fffffff, 64));
    assert_int_equal(a.used, 0);
    kafka_arena_destroy(&a);
}

static void test_calloc_and_memdup(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    uint8_t *p = kafka_arena_alloc(&a, 64);
    memset(p, 0xff, 64);
    kafka_arena_reset(&a);
    uint32_t *z = kafka_arena_calloc(&a, 16, sizeof(uint32_t));
    assert_non_null(z);
    for (int i = 0; i < 16; i++)
        assert_int_equal(z[i], 0);
    assert_non_null(kafka_arena_calloc(&a, 0, 8));
    assert_non_null(kafka_arena_calloc(&a, 8, 0));

    const char src[] = "kafka";
    char *d = kafka_arena_memdup(&a, src, sizeof src);
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, "kafka");
    assert_non_null(kafka_arena_memdup(&a, NULL, 0));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 4);
    assert_null(kafka_arena_memdup(&a, src, sizeof src));
    kafka_arena_destroy(&a);
}

/* Many allocations across chunks, small and large, keep their contents. */
static void test_many_chunks(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 0);
    enum { N = 2000 };
    static uint8_t *ptrs[N];
    static size_t sizes[N];
    for (size_t i = 0; i < N; i++) {
        sizes[i] = (i % 97 == 0) ? 5000 + i : 1 + (i * 31) % 300;
        ptrs[i] = kafka_arena_alloc(&a, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_true(ALIGNED16(ptrs[i]));
        memset(ptrs[i], (int)(i & 0xff), sizes[i]);
    }
    size_t total = 0;
    for (size_t i = 0; i < N; i++) {
        total += sizes[i];
        for (size_t j = 0; j < sizes[i]; j++)
            if (ptrs[i][j] != (uint8_t)(i & 0xff))
                fail_msg("allocation %zu byte %zu: expected %u, got %u", i, j, (unsigned)(i & 0xff),
                         ptrs[i][j]);
    }
    assert_true(a.used >= total);
    kafka_arena_destroy(&a);
    assert_null(a.head);
}

static void test_reset_reuse(void **state) {
    (void)state;
    kafka_arena_t a;
    kafka_arena_init(&a, 4096);
    void *first = kafka_arena_alloc(&a, 24);
    assert_non_null(first);
    for (int i = 0; i < 100; i++)
        kafka_arena_alloc(&a, 40);
    /* The cap binds... */
    assert_null(kafka_arena_alloc(&a, 4096));
    kafka_arena_reset(&a);
    assert_int_equal(a.used, 0);
    /* ...until reset, and the first chunk is reused. */
    void *again = kafka_arena_alloc(&a, 24);
    assert_ptr_equal(again, first);
    assert_non_null(kafka_arena_alloc(&a, 4000));
    assert_null(kafka_arena_alloc(&a, 100));

    /* Reset after a large first allocation and again on an empty arena. */
    kafka_arena_reset(&a);
    kafka_arena_reset(&a);
    assert_non_null(kafka_arena_alloc(&a, 3000));
    kafka_arena_destroy(&a);

    kafka_arena_init(&a, 0);
    void *big = kafka_arena_alloc(&a, 100000);
    assert_non_null(big);
    assert_non_null(kafka_arena_alloc(&a, 8));
    kafka_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_non_null(kafka_arena_alloc(&a, 8));
    kafka_arena_destroy(&a);
    /* Destroy leaves the arena re-initialisable and harmless to destroy. */
    kafka_arena_destroy(&a);
    kafka_arena_init(&a, 16);
    assert_non_null(kafka_arena_alloc(&a, 16));
    kafka_arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment),          cmocka_unit_test(test_cap_exact),
        cmocka_unit_test(test_cap_counts_padding), cmocka_unit_test(test_cap_large_allocation),
        cmocka_unit_test(test_overflow),           cmocka_unit_test(test_calloc_and_memdup),
        cmocka_unit_test(test_many_chunks),        cmocka_unit_test(test_reset_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
