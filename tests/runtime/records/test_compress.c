/* Codecs: round trips, the output limit, decompression bombs, the snappy-java
 * framing, the magic-0 lz4 header checksum, zstd frames without a content
 * size, and corrupt or truncated input. */
#include "testutil.h"

#include <snappy-c.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

static const int codecs[] = {KAFKA_CODEC_GZIP, KAFKA_CODEC_SNAPPY, KAFKA_CODEC_LZ4,
                             KAFKA_CODEC_ZSTD};
#define NCODECS (sizeof codecs / sizeof *codecs)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void roundtrip(int codec, unsigned flags, const uint8_t *data, size_t len) {
    kafka_buf_t z = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    int rc = kafka_compress(codec, KAFKA_LEVEL_DEFAULT, flags, data, len, &z);
    if (rc)
        fail_msg("%s: compress %zu bytes: %d", kafka_codec_name(codec), len, rc);
    /* Output is appended after what is already there. */
    kafka_buf_append(&back, "prefix", 6);
    rc = kafka_decompress(codec, flags, z.ptr, z.len, len, &back);
    if (rc)
        fail_msg("%s: decompress %zu bytes: %d", kafka_codec_name(codec), len, rc);
    assert_int_equal(6 + len, back.len);
    assert_memory_equal("prefix", back.ptr, 6);
    if (len)
        assert_memory_equal(data, back.ptr + 6, len);
    /* One byte less than needed fails and leaves the buffer as it was. */
    if (len > 0) {
        rc = kafka_decompress(codec, flags, z.ptr, z.len, len - 1, &back);
        if (rc != KAFKA_ETOOLARGE)
            fail_msg("%s: %zu bytes under a limit of %zu: expected ETOOLARGE, got %d",
                     kafka_codec_name(codec), len, len - 1, rc);
        assert_int_equal(6 + len, back.len);
    }
    kafka_buf_free(&z);
    kafka_buf_free(&back);
}

static void test_roundtrip_all(void **state) {
    (void)state;
    size_t sizes[] = {0, 1, 2, 100, 4096, 32768, 32769, 65536, 65537, 200000, (1 << 20) + 3};
    uint8_t *data = malloc((1 << 20) + 3);
    assert_non_null(data);
    for (size_t c = 0; c < NCODECS; c++) {
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            tu_fill_text(data, sizes[i], i + 1);
            roundtrip(codecs[c], 0, data, sizes[i]);
            tu_fill_random(data, sizes[i], i + 1); /* incompressible */
            roundtrip(codecs[c], 0, data, sizes[i]);
        }
    }
    tu_fill_text(data, 300000, 5);
    roundtrip(KAFKA_CODEC_SNAPPY, KAFKA_SNAPPY_RAW, data, 300000);
    roundtrip(KAFKA_CODEC_LZ4, KAFKA_LZ4_LEGACY_HC, data, 300000);
    roundtrip(KAFKA_CODEC_NONE, 0, data, 300000);
    free(data);
}

static void test_unknown_codec(void **state) {
    (void)state;
    kafka_buf_t b = KAFKA_BUF_INIT;
    assert_int_equal(KAFKA_EUNSUPPORTED, kafka_compress(5, KAFKA_LEVEL_DEFAULT, 0, "x", 1, &b));
    assert_int_equal(KAFKA_EUNSUPPORTED, kafka_decompress(7, 0, "x", 1, 100, &b));
    assert_null(kafka_codec_name(6));
    assert_string_equal("zstd", kafka_codec_name(KAFKA_CODEC_ZSTD));
    kafka_buf_free(&b);
}

/* A stream far larger than the limit fails fast and without growing the
 * output beyond the limit. */
static void expect_bomb_refused(int codec, unsigned flags, const uint8_t *z, size_t zlen,
                                const char *what) {
    size_t limit = KAFKA_DECOMPRESS_LIMIT_DEFAULT;
    kafka_buf_t out = KAFKA_BUF_INIT;
    double t0 = now_s();
    int rc = kafka_decompress(codec, flags, z, zlen, limit, &out);
    double dt = now_s() - t0;
    if (rc != KAFKA_ETOOLARGE)
        fail_msg("%s (%zu bytes): expected ETOOLARGE, got %d", what, zlen, rc);
    assert_int_equal(0, out.len);
    if (out.cap > 2 * limit + 65536)
        fail_msg("%s: output grew to %zu bytes for a limit of %zu", what, out.cap, limit);
    if (dt > 0.5)
        fail_msg("%s: took %.3f s to refuse", what, dt);
    kafka_buf_free(&out);
}

static void test_bombs(void **state) {
    (void)state;
    size_t big = 256u << 20; /* 256 MiB of zeros */
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    kafka_buf_t z = KAFKA_BUF_INIT;

    /* zstd without content size (streaming), ~8 KiB for 256 MiB. */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
    size_t cap = ZSTD_compressBound(big);
    kafka_buf_reserve(&z, cap);
    ZSTD_outBuffer ob = {z.ptr, cap, 0};
    ZSTD_inBuffer ib = {zeros, big, 0};
    assert_int_equal(0, ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end));
    z.len = ob.pos;
    ZSTD_freeCCtx(cc);
    assert_true(z.len < 16384);
    assert_int_equal(ZSTD_CONTENTSIZE_UNKNOWN, ZSTD_getFrameContentSize(z.ptr, z.len));
    expect_bomb_refused(KAFKA_CODEC_ZSTD, 0, z.ptr, z.len, "zstd stream of 256 MiB");

    /* zstd frame declaring 256 MiB: refused from the header alone. */
    z.len = 0;
    assert_int_equal(0, kafka_zstd_compress(1, zeros, big, &z));
    assert_true(z.len < 16384);
    expect_bomb_refused(KAFKA_CODEC_ZSTD, 0, z.ptr, z.len, "zstd frame of 256 MiB");

    /* 1 KiB zstd input of RLE blocks claiming gigabytes: a frame header
     * without content size followed by 128 KiB RLE blocks. */
    uint8_t bomb[1024];
    size_t n = 0;
    bomb[n++] = 0x28, bomb[n++] = 0xb5, bomb[n++] = 0x2f, bomb[n++] = 0xfd; /* magic */
    bomb[n++] = 0x00;                                                       /* FHD: no FCS */
    bomb[n++] = 0x58; /* window descriptor: 2^(10+11) */
    while (n + 4 <= sizeof bomb) {
        uint32_t bh = (1u << 1) | (131072u << 3); /* RLE block of 128 KiB, not last */
        if (n + 8 > sizeof bomb)
            bh |= 1;
        bomb[n++] = (uint8_t)bh, bomb[n++] = (uint8_t)(bh >> 8), bomb[n++] = (uint8_t)(bh >> 16);
        bomb[n++] = 'A';
    }
    expect_bomb_refused(KAFKA_CODEC_ZSTD, 0, bomb, n, "1 KiB zstd of RLE blocks (32 MiB)");

    /* gzip: deflate tops out near 1032:1, so 256 MiB needs ~250 KiB. */
    z.len = 0;
    assert_int_equal(0, kafka_gzip_compress(9, zeros, big, &z));
    expect_bomb_refused(KAFKA_CODEC_GZIP, 0, z.ptr, z.len, "gzip of 256 MiB");

    /* lz4: ~1 MiB for 256 MiB. */
    z.len = 0;
    assert_int_equal(0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, 0, zeros, big, &z));
    expect_bomb_refused(KAFKA_CODEC_LZ4, 0, z.ptr, z.len, "lz4 of 256 MiB");

    /* snappy raw block claiming 4 GiB in 1 KiB. */
    memset(bomb, 0, sizeof bomb);
    bomb[0] = 0xff, bomb[1] = 0xff, bomb[2] = 0xff, bomb[3] = 0xff, bomb[4] = 0x0f;
    expect_bomb_refused(KAFKA_CODEC_SNAPPY, 0, bomb, sizeof bomb, "snappy claiming 4 GiB");

    /* xerial frames whose blocks add up past the limit. */
    z.len = 0;
    assert_int_equal(0, kafka_snappy_compress(0, zeros, 4u << 20, &z));
    expect_bomb_refused(KAFKA_CODEC_SNAPPY, 0, z.ptr, z.len, "xerial snappy of 4 MiB");

    kafka_buf_free(&z);
    free(zeros);
}

static void test_snappy_claim_beyond_ratio(void **state) {
    (void)state;
    /* A 1 KiB raw block claiming 1 MiB (within the limit) cannot be honest:
     * refused before allocating. */
    uint8_t in[1024];
    memset(in, 0, sizeof in);
    in[0] = 0x80, in[1] = 0x80, in[2] = 0x40; /* varint 1 MiB */
    kafka_buf_t out = KAFKA_BUF_INIT;
    assert_int_equal(KAFKA_ECOMPRESS, kafka_snappy_decompress(in, sizeof in, 4u << 20, &out));
    assert_int_equal(0, out.cap);
    kafka_buf_free(&out);
}

static void test_snappy_xerial_format(void **state) {
    (void)state;
    uint8_t data[100000];
    tu_fill_text(data, sizeof data, 3);
    kafka_buf_t z = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_snappy_compress(0, data, sizeof data, &z));
    static const uint8_t hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    assert_memory_equal(hdr, z.ptr, 16);
    /* Blocks of 32 KiB input each: 4 blocks, each a raw snappy block. */
    size_t pos = 16, blocks = 0;
    while (pos < z.len) {
        uint32_t blen = (uint32_t)z.ptr[pos] << 24 | (uint32_t)z.ptr[pos + 1] << 16 |
                        (uint32_t)z.ptr[pos + 2] << 8 | z.ptr[pos + 3];
        size_t ulen;
        assert_int_equal(SNAPPY_OK,
                         snappy_uncompressed_length((char *)z.ptr + pos + 4, blen, &ulen));
        assert_int_equal(blocks < 3 ? 32768 : sizeof data - 3 * 32768, ulen);
        pos += 4 + blen;
        blocks++;
    }
    assert_int_equal(pos, z.len);
    assert_int_equal(4, blocks);
    /* Raw blocks are read too (librdkafka writes those). */
    z.len = 0;
    assert_int_equal(0, kafka_snappy_compress(KAFKA_SNAPPY_RAW, data, sizeof data, &z));
    assert_int_equal(0, kafka_snappy_decompress(z.ptr, z.len, sizeof data, &back));
    assert_int_equal(sizeof data, back.len);
    assert_memory_equal(data, back.ptr, sizeof data);
    /* Header only: an empty stream. */
    back.len = 0;
    assert_int_equal(0, kafka_snappy_decompress(hdr, 16, 10, &back));
    assert_int_equal(0, back.len);
    /* A block length running past the end. */
    uint8_t bad[24];
    memcpy(bad, hdr, 16);
    memset(bad + 16, 0, 8);
    bad[19] = 100;
    assert_int_equal(KAFKA_ECOMPRESS, kafka_snappy_decompress(bad, sizeof bad, 1000, &back));
    kafka_buf_free(&z);
    kafka_buf_free(&back);
}

static void test_lz4_legacy_header_checksum(void **state) {
    (void)state;
    uint8_t data[5000];
    tu_fill_text(data, sizeof data, 9);
    kafka_buf_t good = KAFKA_BUF_INIT, old = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, 0, data, sizeof data, &good));
    assert_int_equal(
        0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, KAFKA_LZ4_LEGACY_HC, data, sizeof data, &old));
    /* Same frame but for the header checksum byte (offset 6: no content size). */
    assert_int_equal(good.len, old.len);
    assert_memory_equal(good.ptr, old.ptr, 6);
    assert_int_not_equal(good.ptr[6], old.ptr[6]);
    assert_memory_equal(good.ptr + 7, old.ptr + 7, good.len - 7);
    /* liblz4 itself refuses the old checksum; the legacy flag reads both. */
    assert_int_equal(KAFKA_ECOMPRESS, kafka_lz4_decompress(0, old.ptr, old.len, 1 << 20, &back));
    assert_int_equal(0,
                     kafka_lz4_decompress(KAFKA_LZ4_LEGACY_HC, old.ptr, old.len, 1 << 20, &back));
    assert_int_equal(0,
                     kafka_lz4_decompress(KAFKA_LZ4_LEGACY_HC, good.ptr, good.len, 1 << 20, &back));
    assert_int_equal(2 * sizeof data, back.len);
    /* Known values: an empty frame from liblz4 starts 04 22 4D 18 60 40; its
     * correct HC is 0x82 and the magic-inclusive one 0x1A (both computed with
     * python3-xxhash, an independent XXH32). */
    kafka_buf_t e = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, 0, "", 0, &e));
    assert_int_equal(0x60, e.ptr[4]);
    assert_int_equal(0x40, e.ptr[5]);
    assert_int_equal(0x82, e.ptr[6]);
    e.len = 0;
    assert_int_equal(0, kafka_lz4_compress(KAFKA_LEVEL_DEFAULT, KAFKA_LZ4_LEGACY_HC, "", 0, &e));
    assert_int_equal(0x1A, e.ptr[6]);
    kafka_buf_free(&e);
    kafka_buf_free(&good);
    kafka_buf_free(&old);
    kafka_buf_free(&back);
}

static void test_zstd_frames(void **state) {
    (void)state;
    uint8_t data[300000];
    tu_fill_text(data, sizeof data, 11);
    kafka_buf_t z = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    /* Streaming frame without content size, as the Java client writes. */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
    size_t cap = ZSTD_compressBound(sizeof data) + 64;
    kafka_buf_reserve(&z, 2 * cap + 64);
    ZSTD_outBuffer ob = {z.ptr, cap, 0};
    ZSTD_inBuffer ib = {data, sizeof data, 0};
    assert_int_equal(0, ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end));
    assert_int_equal(ZSTD_CONTENTSIZE_UNKNOWN, ZSTD_getFrameContentSize(z.ptr, ob.pos));
    z.len = ob.pos;
    assert_int_equal(0, kafka_zstd_decompress(z.ptr, z.len, sizeof data, &back));
    assert_int_equal(sizeof data, back.len);
    assert_memory_equal(data, back.ptr, sizeof data);
    /* Two frames back to back plus a skippable frame in between. */
    static const uint8_t skip[12] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
    kafka_buf_append(&z, skip, sizeof skip);
    assert_int_equal(0, kafka_zstd_compress(3, data, 1000, &z));
    back.len = 0;
    assert_int_equal(0, kafka_zstd_decompress(z.ptr, z.len, sizeof data + 1000, &back));
    assert_int_equal(sizeof data + 1000, back.len);
    assert_memory_equal(data, back.ptr + sizeof data, 1000);
    back.len = 0;
    assert_int_equal(KAFKA_ETOOLARGE,
                     kafka_zstd_decompress(z.ptr, z.len, sizeof data + 999, &back));
    /* Windows larger than 2^27 are refused up front. */
    uint8_t huge_window[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0, 0, 0}; /* 2^30 */
    assert_int_equal(KAFKA_ETOOLARGE,
                     kafka_zstd_decompress(huge_window, sizeof huge_window, 1 << 20, &back));
    ZSTD_freeCCtx(cc);
    kafka_buf_free(&z);
    kafka_buf_free(&back);
}

static void test_gzip_members(void **state) {
    (void)state;
    kafka_buf_t z = KAFKA_BUF_INIT, back = KAFKA_BUF_INIT;
    assert_int_equal(0, kafka_gzip_compress(KAFKA_LEVEL_DEFAULT, "hello ", 6, &z));
    assert_int_equal(0, kafka_gzip_compress(1, "world", 5, &z));
    assert_int_equal(0, kafka_gzip_decompress(z.ptr, z.len, 100, &back));
    assert_int_equal(11, back.len);
    assert_memory_equal("hello world", back.ptr, 11);
    /* Trailing bytes that do not start a member are ignored, like Java. */
    kafka_buf_append(&z, "\0\0\0", 3);
    back.len = 0;
    assert_int_equal(0, kafka_gzip_decompress(z.ptr, z.len, 100, &back));
    assert_int_equal(11, back.len);
    /* zlib (not gzip) framing is not Kafka's gzip. */
    uint8_t zl[64];
    uLongf zlen = sizeof zl;
    assert_int_equal(Z_OK, compress(zl, &zlen, (const Bytef *)"abc", 3));
    assert_int_equal(KAFKA_ECOMPRESS, kafka_gzip_decompress(zl, zlen, 100, &back));
    kafka_buf_free(&z);
    kafka_buf_free(&back);
}

/* Every prefix and many single-byte corruptions of a valid stream: an error
 * or (for corruptions a codec cannot see) some output; never a crash, and
 * the output never passes the limit. The snappy-java framing has no end
 * marker, so a prefix ending between two blocks is a valid shorter stream. */
static bool xerial_boundary(const kafka_buf_t *z, size_t cut) {
    for (size_t pos = 16; pos <= z->len;) {
        if (pos == cut)
            return true;
        if (pos + 4 > z->len)
            break;
        pos += 4 + ((size_t)z->ptr[pos] << 24 | (size_t)z->ptr[pos + 1] << 16 |
                    (size_t)z->ptr[pos + 2] << 8 | z->ptr[pos + 3]);
    }
    return false;
}

static void test_truncated_and_corrupt(void **state) {
    (void)state;
    uint8_t data[70000];
    tu_fill_text(data, sizeof data, 21);
    for (size_t c = 0; c < NCODECS; c++) {
        for (unsigned flags = 0; flags <= 2; flags += 2) {
            if (flags && codecs[c] != KAFKA_CODEC_LZ4)
                continue;
            kafka_buf_t z = KAFKA_BUF_INIT, out = KAFKA_BUF_INIT;
            assert_int_equal(
                0, kafka_compress(codecs[c], KAFKA_LEVEL_DEFAULT, flags, data, sizeof data, &z));
            for (size_t cut = 0; cut < z.len; cut += (cut < 64 ? 1 : 97)) {
                out.len = 0;
                int rc = kafka_decompress(codecs[c], flags, z.ptr, cut, sizeof data, &out);
                if (codecs[c] == KAFKA_CODEC_SNAPPY && xerial_boundary(&z, cut)) {
                    assert_int_equal(0, rc);
                    assert_memory_equal(data, out.ptr, out.len);
                    continue;
                }
                if (rc == 0)
                    fail_msg("%s: prefix of %zu/%zu bytes decompressed without error",
                             kafka_codec_name(codecs[c]), cut, z.len);
                assert_int_equal(0, out.len);
            }
            uint64_t s = 77;
            for (int k = 0; k < 300; k++) {
                size_t at = (size_t)(tu_rand(&s) % z.len);
                uint8_t old = z.ptr[at];
                z.ptr[at] ^= (uint8_t)(1 + tu_rand(&s) % 255);
                out.len = 0;
                int rc = kafka_decompress(codecs[c], flags, z.ptr, z.len, sizeof data, &out);
                assert_true(rc == 0 || rc == KAFKA_ECOMPRESS || rc == KAFKA_ETOOLARGE);
                assert_true(out.len <= sizeof data);
                z.ptr[at] = old;
            }
            kafka_buf_free(&z);
            kafka_buf_free(&out);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all),
        cmocka_unit_test(test_unknown_codec),
        cmocka_unit_test(test_bombs),
        cmocka_unit_test(test_snappy_claim_beyond_ratio),
        cmocka_unit_test(test_snappy_xerial_format),
        cmocka_unit_test(test_lz4_legacy_header_checksum),
        cmocka_unit_test(test_zstd_frames),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_truncated_and_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
