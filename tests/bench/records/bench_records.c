/* Benchmarks of runtime/records. One line per measurement: name, median
 * throughput over several timed rounds, details.
 *
 *   crc32c       CRC-32C of 64 KiB buffers, hardware and portable paths
 *   iterate      zero-copy iteration of a 1 MiB uncompressed batch of
 *                ~100-byte records (and with batch parsing + CRC check)
 *   <codec>      our decompressor against the library called directly on
 *                the same data into a ready buffer of the exact size
 *
 * Usage: bench_records [seconds-per-round]   (default 0.3) */
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "kafka/compress.h"
#include "kafka/crc32c.h"
#include "kafka/records.h"

#define ROUNDS 9

static double round_s = 0.3;
static volatile uint64_t sink;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double one_round(void (*fn)(void *), void *arg, size_t bytes_per_call) {
    size_t calls = 0;
    double t0 = now_s(), t;
    do {
        fn(arg);
        calls++;
    } while ((t = now_s()) - t0 < round_s);
    return (double)calls * (double)bytes_per_call / (t - t0);
}

static double median(double *v) {
    qsort(v, ROUNDS, sizeof *v, cmp_double);
    return v[ROUNDS / 2];
}

/* Median over ROUNDS of bytes/second, each round running fn for round_s. */
static double measure(void (*fn)(void *), void *arg, size_t bytes_per_call) {
    double rates[ROUNDS];
    fn(arg); /* warm up */
    for (int r = 0; r < ROUNDS; r++)
        rates[r] = one_round(fn, arg, bytes_per_call);
    return median(rates);
}

/* Two functions measured in alternating rounds, so that a busy neighbour
 * slows both alike. */
static void measure_pair(void (*a)(void *), void (*b)(void *), void *arg, size_t bytes_per_call,
                         double *ra, double *rb) {
    double x[ROUNDS], y[ROUNDS];
    a(arg);
    b(arg);
    for (int r = 0; r < ROUNDS; r++) {
        x[r] = one_round(a, arg, bytes_per_call);
        y[r] = one_round(b, arg, bytes_per_call);
    }
    *ra = median(x);
    *rb = median(y);
}

static void fill_text(uint8_t *p, size_t n, uint64_t seed) {
    static const char *words[] = {
        "{\"user\":", "\"id\":", "12345",      "\"name\":\"", "kafka",      "record",
        "\",",        "true",    "false",      "\"ts\":",     "2024-06-01", "}",
        " ",          "null",    "\"tags\":[", "]",           "value",      "\n"};
    uint64_t s = seed | 1;
    size_t i = 0;
    while (i < n) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const char *w = words[s % (sizeof words / sizeof *words)];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (uint8_t)w[k];
    }
}

/* ---- CRC-32C ---- */

typedef struct crc_arg {
    const uint8_t *buf;
    size_t len;
    uint32_t (*fn)(uint32_t, const void *, size_t);
} crc_arg_t;

static void run_crc(void *a) {
    crc_arg_t *c = a;
    sink += c->fn(0, c->buf, c->len);
}

/* ---- record iteration ---- */

typedef struct iter_arg {
    const uint8_t *buf;
    size_t len;
    bool parse;
    int32_t records;
} iter_arg_t;

static void run_iterate(void *a) {
    iter_arg_t *x = a;
    kafka_batch_t b;
    if (x->parse) {
        if (kafka_batch_parse(x->buf, x->len, 0, &b, NULL) != 0)
            abort();
    } else {
        kafka_batch_parse(x->buf, x->len, KAFKA_RECORDS_SKIP_CRC, &b, NULL);
    }
    kafka_record_iter_t it;
    kafka_record_iter_init(&it, &b, 0, NULL);
    kafka_record_t r;
    uint64_t acc = 0;
    int32_t n = 0;
    while (kafka_record_iter_next(&it, &r, NULL) == 1) {
        acc += (uint64_t)r.key.len + (uint64_t)r.value.len + (uint64_t)r.offset;
        n++;
    }
    kafka_record_iter_free(&it);
    if (n != x->records)
        abort();
    sink += acc;
}

/* ---- decompression ---- */

typedef struct dec_arg {
    int codec;
    unsigned flags;
    const uint8_t *z;
    size_t zlen;
    size_t plain_len;
    kafka_buf_t out; /* reused, as a server reuses its buffers */
    uint8_t *ref;    /* for the library baselines */
} dec_arg_t;

static void run_ours(void *a) {
    dec_arg_t *d = a;
    d->out.len = 0;
    if (kafka_decompress(d->codec, d->flags, d->z, d->zlen, d->plain_len, &d->out) != 0 ||
        d->out.len != d->plain_len)
        abort();
}

static void run_zlib(void *a) {
    dec_arg_t *d = a;
    z_stream zs = {0};
    inflateInit2(&zs, 15 + 16);
    zs.next_in = (Bytef *)d->z;
    zs.avail_in = (uInt)d->zlen;
    zs.next_out = d->ref;
    zs.avail_out = (uInt)d->plain_len;
    if (inflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort();
    inflateEnd(&zs);
}

static void run_snappy_raw(void *a) {
    dec_arg_t *d = a;
    size_t n = d->plain_len;
    if (snappy_uncompress((const char *)d->z, d->zlen, (char *)d->ref, &n) != SNAPPY_OK)
        abort();
}

/* libsnappy has no snappy-java framing: its speed there is one call per
 * block, which is what the framing is. */
static void run_snappy_blocks(void *a) {
    dec_arg_t *d = a;
    size_t pos = 16, out = 0;
    while (pos < d->zlen) {
        uint32_t blen = (uint32_t)d->z[pos] << 24 | (uint32_t)d->z[pos + 1] << 16 |
                        (uint32_t)d->z[pos + 2] << 8 | d->z[pos + 3];
        size_t n = d->plain_len - out;
        snappy_uncompressed_length((const char *)d->z + pos + 4, blen, &n);
        if (snappy_uncompress((const char *)d->z + pos + 4, blen, (char *)d->ref + out, &n) !=
            SNAPPY_OK)
            abort();
        out += n;
        pos += 4 + blen;
    }
}

static void run_lz4f(void *a) {
    dec_arg_t *d = a;
    LZ4F_dctx *dc;
    LZ4F_createDecompressionContext(&dc, LZ4F_VERSION);
    size_t dst = d->plain_len, src = d->zlen;
    if (LZ4F_decompress(dc, d->ref, &dst, d->z, &src, NULL) != 0)
        abort();
    LZ4F_freeDecompressionContext(dc);
}

static void run_zstd(void *a) {
    dec_arg_t *d = a;
    if (ZSTD_decompress(d->ref, d->plain_len, d->z, d->zlen) != d->plain_len)
        abort();
}

static void run_zstd_stream(void *a) {
    dec_arg_t *d = a;
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    ZSTD_inBuffer ib = {d->z, d->zlen, 0};
    ZSTD_outBuffer ob = {d->ref, d->plain_len, 0};
    if (ZSTD_decompressStream(dc, &ob, &ib) != 0)
        abort();
    ZSTD_freeDCtx(dc);
}

static void report(const char *name, double rate, const char *detail) {
    printf("%-24s %8.2f GB/s  %s\n", name, rate / 1e9, detail);
    fflush(stdout);
}

static void bench_codec(const char *name, int codec, unsigned flags, const uint8_t *plain,
                        size_t len, void (*lib)(void *), const char *lib_name,
                        const kafka_buf_t *given) {
    dec_arg_t d = {.codec = codec, .flags = flags, .plain_len = len};
    kafka_buf_t z = KAFKA_BUF_INIT;
    if (given) {
        d.z = given->ptr;
        d.zlen = given->len;
    } else {
        if (kafka_compress(codec, KAFKA_LEVEL_DEFAULT, flags, plain, len, &z) != 0)
            abort();
        d.z = z.ptr;
        d.zlen = z.len;
    }
    d.ref = malloc(len);
    double ours, theirs;
    measure_pair(run_ours, lib, &d, len, &ours, &theirs);
    if (memcmp(d.ref, plain, len) != 0 || memcmp(d.out.ptr, plain, len) != 0)
        abort();
    char detail[160];
    snprintf(detail, sizeof detail, "%s %.2f GB/s, ours/lib %.0f%%, ratio %.2f", lib_name,
             theirs / 1e9, 100.0 * ours / theirs, (double)len / (double)d.zlen);
    report(name, ours, detail);
    free(d.ref);
    kafka_buf_free(&d.out);
    kafka_buf_free(&z);
}

int main(int argc, char **argv) {
    if (argc > 1)
        round_s = atof(argv[1]);
    printf("# crc32c implementation: %s; %d rounds of %.2f s, medians\n", kafka_crc32c_impl(),
           ROUNDS, round_s);

    size_t clen = 64 * 1024;
    uint8_t *cbuf = malloc(clen);
    fill_text(cbuf, clen, 1);
    crc_arg_t ca = {cbuf, clen, kafka_crc32c_hw};
    report("crc32c-hw 64KiB", measure(run_crc, &ca, clen), kafka_crc32c_impl());
    ca.fn = kafka_crc32c_portable;
    report("crc32c-portable 64KiB", measure(run_crc, &ca, clen), "slicing-by-8");
    ca.fn = kafka_crc32;
    report("crc32-ieee 64KiB", measure(run_crc, &ca, clen), "zlib, legacy messages");

    /* A 1 MiB uncompressed batch of ~100-byte records. */
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    kafka_batch_builder_t bb;
    kafka_batch_builder_init(&bb, &p);
    uint8_t val[128];
    int32_t n = 0;
    while (bb.recs.len < (1u << 20) - 128) {
        char key[16];
        snprintf(key, sizeof key, "key-%06d", (int)n);
        fill_text(val, 84, (uint64_t)n + 7);
        kafka_record_in_t r = {
            .timestamp = 1700000000000 + n, .key = {(const uint8_t *)key, 10}, .value = {val, 84}};
        kafka_batch_builder_add(&bb, &r);
        n++;
    }
    kafka_buf_t batch = KAFKA_BUF_INIT;
    kafka_batch_builder_finish(&bb, &batch);
    iter_arg_t ia = {batch.ptr, batch.len, false, n};
    char detail[128];
    snprintf(detail, sizeof detail, "%d records, %.1f bytes each, %zu bytes", (int)n,
             (double)bb.recs.len / n, batch.len);
    double rate = measure(run_iterate, &ia, batch.len);
    report("iterate 1MiB batch", rate, detail);
    printf("%-24s %8.1f M records/s\n", "", rate / (double)batch.len * n / 1e6);
    ia.parse = true;
    report("parse+crc+iterate", measure(run_iterate, &ia, batch.len), "CRC-32C checked");

    /* Decompressors on the records of a 1 MiB batch of JSON-like values. */
    size_t plen = 1u << 20;
    uint8_t *plain = malloc(plen);
    fill_text(plain, plen, 3);
    bench_codec("gzip", KAFKA_CODEC_GZIP, 0, plain, plen, run_zlib, "zlib inflate", NULL);
    bench_codec("snappy raw", KAFKA_CODEC_SNAPPY, KAFKA_SNAPPY_RAW, plain, plen, run_snappy_raw,
                "snappy_uncompress", NULL);
    bench_codec("snappy xerial", KAFKA_CODEC_SNAPPY, 0, plain, plen, run_snappy_blocks,
                "snappy_uncompress/block", NULL);
    bench_codec("lz4", KAFKA_CODEC_LZ4, 0, plain, plen, run_lz4f, "LZ4F_decompress", NULL);
    bench_codec("zstd", KAFKA_CODEC_ZSTD, 0, plain, plen, run_zstd, "ZSTD_decompress", NULL);
    /* zstd frame without content size, as streaming writers leave it. */
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
    kafka_buf_t zs = KAFKA_BUF_INIT;
    kafka_buf_reserve(&zs, ZSTD_compressBound(plen));
    zs.len = ZSTD_compress2(cc, zs.ptr, zs.cap, plain, plen);
    ZSTD_freeCCtx(cc);
    bench_codec("zstd stream", KAFKA_CODEC_ZSTD, 0, plain, plen, run_zstd_stream,
                "ZSTD_decompressStream", &zs);
    kafka_buf_free(&zs);

    free(plain);
    free(cbuf);
    kafka_buf_free(&batch);
    kafka_batch_builder_free(&bb);
    return (int)(sink & 0);
}
