#include "fuzz_message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far above what any fuzz input can legitimately need, low enough that a
 * count the decoder fails to bound shows up as an arena refusal rather than
 * as the process running out of memory. */
#define FUZZ_ARENA_CAP (64u << 20)

typedef struct fuzz_ctx {
    const kafka_msg_vtable_t *vt;
    int16_t version;
} fuzz_ctx_t;

static void fail(const fuzz_ctx_t *c, const char *check, const kafka_err_t *err) {
    char detail[KAFKA_ERR_PATH_MAX + 128];

    detail[0] = '\0';
    if (err != NULL && err->code != 0)
        kafka_err_format(err, detail, sizeof detail);
    fprintf(stderr, "kafka_fuzz_message: %s v%d: %s%s%s%s%s\n", c->vt->name, c->version, check,
            detail[0] ? ": " : "", detail, err != NULL && err->code != 0 ? " " : "",
            err != NULL && err->code != 0 ? kafka_err_name(err->code) : "");
    abort();
}

static void *new_message(const fuzz_ctx_t *c) {
    void *m = calloc(1, c->vt->struct_size ? c->vt->struct_size : 1);

    if (m == NULL)
        fail(c, "out of memory", NULL);
    return m;
}

/* Exact size, then encode into a buffer of that size; the encoder must fill
 * it completely. */
static uint8_t *encode(const fuzz_ctx_t *c, const void *m, size_t *len, const char *what) {
    kafka_err_t err;
    size_t n = 0;
    char check[96];

    kafka_err_clear(&err);
    if (c->vt->size(m, c->version, &n, &err) < 0) {
        snprintf(check, sizeof check, "size of %s failed", what);
        fail(c, check, &err);
    }

    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        fail(c, "out of memory", NULL);

    kafka_writer_t w = kafka_writer_make(buf, n);
    kafka_err_clear(&err);
    w.err = &err;
    if (c->vt->encode(m, c->version, &w) < 0) {
        snprintf(check, sizeof check, "encode of %s failed", what);
        fail(c, check, &err);
    }
    if (w.pos != n) {
        snprintf(check, sizeof check, "encode of %s wrote %zu bytes, size said %zu", what, w.pos,
                 n);
        fail(c, check, NULL);
    }
    *len = n;
    return buf;
}

static bool is_nan_bits(const uint8_t *p) {
    uint64_t bits = 0;
    double d;

    for (int i = 0; i < 8; i++)
        bits = (bits << 8) | p[i];
    memcpy(&d, &bits, sizeof d);
    return isnan(d);
}

/* JSON has one spelling for NaN, so a float64 NaN comes back from JSON with
 * the canonical payload. Two encodings of the same length that differ only
 * inside 8-byte windows holding a NaN on both sides are the same message as
 * far as JSON can tell. */
static bool differ_only_in_nans(const uint8_t *a, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (a[i] == b[i])
            continue;
        bool covered = false;
        size_t lo = i >= 7 ? i - 7 : 0;
        for (size_t s = lo; s <= i && s + 8 <= n && !covered; s++)
            covered = is_nan_bits(a + s) && is_nan_bits(b + s);
        if (!covered)
            return false;
    }
    return true;
}

static void check_json(const fuzz_ctx_t *c, const void *m, const uint8_t *enc, size_t enc_len) {
    const kafka_msg_vtable_t *vt = c->vt;
    kafka_err_t err;
    json_t *j = NULL;

    kafka_err_clear(&err);
    int rc = vt->to_json(m, c->version, &j, &err);
    if (rc == KAFKA_EUTF8) {
        /* A string that is not UTF-8 cannot be JSON text; nothing to compare. */
        if (j != NULL)
            json_decref(j);
        return;
    }
    if (rc < 0)
        fail(c, "to_json failed", &err);
    if (j == NULL)
        fail(c, "to_json returned success without a value", NULL);

    kafka_arena_t arena;
    kafka_arena_init(&arena, FUZZ_ARENA_CAP);
    void *back = new_message(c);
    kafka_err_clear(&err);
    rc = vt->from_json(j, c->version, &arena, back, &err);
    if (rc == KAFKA_ENOMEM) {
        /* JSON copies strings that decoding only viewed; running into the
         * cap here says nothing about the codec. */
        goto out;
    }
    if (rc < 0)
        fail(c, "from_json(to_json(x)) failed", &err);
    if (!vt->equal(m, back)) {
        size_t back_len;
        uint8_t *back_enc = encode(c, back, &back_len, "from_json(to_json(x))");
        bool nan_only = back_len == enc_len && differ_only_in_nans(enc, back_enc, enc_len);
        free(back_enc);
        if (!nan_only)
            fail(c, "from_json(to_json(x)) != x", NULL);
    }
out:
    free(back);
    kafka_arena_destroy(&arena);
    json_decref(j);
}

int kafka_fuzz_message(const kafka_msg_vtable_t *vt, const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;

    int nversions = vt->max_version - vt->min_version + 1;
    fuzz_ctx_t c = {vt, (int16_t)(vt->min_version + data[0] % nversions)};
    kafka_arena_t arena, arena2;
    kafka_err_t err;

    kafka_arena_init(&arena, FUZZ_ARENA_CAP);
    kafka_arena_init(&arena2, FUZZ_ARENA_CAP);
    void *m = new_message(&c);
    void *m2 = NULL;
    uint8_t *enc = NULL, *enc2 = NULL;

    /* Only a prefix need decode: trailing input is the fuzzer's noise. */
    kafka_err_clear(&err);
    kafka_reader_t r = kafka_reader_make(data + 1, size - 1, &err);
    if (vt->decode(&r, c.version, &arena, m) < 0)
        goto out;
    if (r.pos > size - 1)
        fail(&c, "decode consumed more bytes than it was given", NULL);

    size_t len, len2;
    enc = encode(&c, m, &len, "x");

    m2 = new_message(&c);
    kafka_err_clear(&err);
    kafka_reader_t r2 = kafka_reader_make(enc, len, &err);
    if (vt->decode(&r2, c.version, &arena2, m2) < 0)
        fail(&c, "decode(encode(x)) failed", &err);
    if (r2.pos != len)
        fail(&c, "decode(encode(x)) left bytes unread", NULL);
    if (!vt->equal(m, m2))
        fail(&c, "decode(encode(x)) != x", NULL);
    if (!vt->equal(m2, m))
        fail(&c, "equal() is not symmetric", NULL);

    enc2 = encode(&c, m2, &len2, "decode(encode(x))");
    if (len2 != len || memcmp(enc, enc2, len) != 0)
        fail(&c, "encode(decode(encode(x))) != encode(x)", NULL);

    check_json(&c, m, enc, len);

out:
    free(enc);
    free(enc2);
    free(m);
    free(m2);
    kafka_arena_destroy(&arena);
    kafka_arena_destroy(&arena2);
    return 0;
}
