/* CRC-32C: published check values, and the hardware and portable paths
 * agreeing on every length 0..4096 at every alignment. */
#include "testutil.h"

#include "kafka/crc32c.h"

static void test_check_values(void **state) {
    (void)state;
    /* The standard check value and the iSCSI (RFC 3720 B.4) vectors. */
    assert_int_equal(0xE3069283u, kafka_crc32c(0, "123456789", 9));
    assert_int_equal(0xE3069283u, kafka_crc32c_portable(0, "123456789", 9));
    assert_int_equal(0u, kafka_crc32c(0, "", 0));
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    assert_int_equal(0x8A9136AAu, kafka_crc32c(0, buf, 32));
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(0x62A8AB43u, kafka_crc32c(0, buf, 32));
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(0x46DD794Eu, kafka_crc32c(0, buf, 32));
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    assert_int_equal(0x113FDB5Cu, kafka_crc32c_portable(0, buf, 32));
    /* CRC-32 (IEEE) for legacy messages. */
    assert_int_equal(0xCBF43926u, kafka_crc32(0, "123456789", 9));
}

static void test_chaining(void **state) {
    (void)state;
    uint8_t buf[100000];
    tu_fill_random(buf, sizeof buf, 7);
    uint32_t whole = kafka_crc32c(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 997) {
        uint32_t c = kafka_crc32c(0, buf, cut);
        c = kafka_crc32c(c, buf + cut, sizeof buf - cut);
        assert_int_equal(whole, c);
        c = kafka_crc32c_portable(0, buf, cut);
        c = kafka_crc32c_hw(c, buf + cut, sizeof buf - cut);
        assert_int_equal(whole, c);
    }
}

static void test_fast_matches_portable(void **state) {
    (void)state;
    if (!kafka_crc32c_hw_available())
        print_message("note: no SSE4.2 here, both paths are the portable one\n");
    enum { MAXLEN = 4096, ALIGNS = 64 };
    uint8_t *buf = malloc(MAXLEN + ALIGNS);
    assert_non_null(buf);
    tu_fill_random(buf, MAXLEN + ALIGNS, 42);
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t a = 0; a < ALIGNS; a++) {
            uint32_t seed = (uint32_t)(len * 2654435761u);
            uint32_t hw = kafka_crc32c_hw(seed, buf + a, len);
            uint32_t sw = kafka_crc32c_portable(seed, buf + a, len);
            if (hw != sw)
                fail_msg("len %zu align %zu: portable 0x%08x, hardware 0x%08x", len, a, sw, hw);
        }
    }
    free(buf);
}

static void test_large_buffers(void **state) {
    (void)state;
    /* Sizes around the three-stream block boundaries (3 x 8192, 3 x 256). */
    size_t sizes[] = {24575, 24576, 24577, 49152, 65536, 65536 + 767, 1 << 20, (1 << 20) + 13};
    uint8_t *buf = malloc((1 << 20) + 64);
    assert_non_null(buf);
    tu_fill_random(buf, (1 << 20) + 64, 99);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        for (size_t a = 0; a < 8; a++) {
            uint32_t hw = kafka_crc32c_hw(0, buf + a, sizes[i]);
            uint32_t sw = kafka_crc32c_portable(0, buf + a, sizes[i]);
            if (hw != sw)
                fail_msg("len %zu align %zu: portable 0x%08x, hardware 0x%08x", sizes[i], a, sw,
                         hw);
        }
    }
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_chaining),
        cmocka_unit_test(test_fast_matches_portable),
        cmocka_unit_test(test_large_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
