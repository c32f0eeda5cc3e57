#include "kafka/writer.h"

#include <string.h>

#include "kafka/reader.h" /* KAFKA_STRING_MAX */

kafka_writer_t kafka_writer_make(void *buf, size_t cap) {
    kafka_writer_t w = {(uint8_t *)buf, cap, 0, NULL};
    return w;
}

/* Record the first failure in the optional sink (the generated encoder then
 * prepends the field name) and return code. */
static int wfail(kafka_writer_t *w, int code, const char *reason) {
    kafka_err_set(w->err, code, (int64_t)w->pos, reason);
    return code;
}

#define NOSPC(w) wfail((w), KAFKA_ENOSPC, "output buffer too small")

/* Room for n more bytes? Checked before any byte of a value is written, so a
 * failed write leaves the buffer and pos untouched. */
static bool fits(const kafka_writer_t *w, size_t n) {
    return w->pos <= w->cap && n <= w->cap - w->pos;
}

static void put_be(kafka_writer_t *w, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++)
        w->buf[w->pos + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    w->pos += n;
}

static int write_be(kafka_writer_t *w, uint64_t v, size_t n) {
    if (!fits(w, n))
        return NOSPC(w);
    put_be(w, v, n);
    return 0;
}

static void put_uvar(kafka_writer_t *w, uint64_t v) {
    while (v >= 0x80) {
        w->buf[w->pos++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->buf[w->pos++] = (uint8_t)v;
}

static void put_raw(kafka_writer_t *w, const void *p, size_t n) {
    if (n) /* p may be NULL for an empty view */
        memcpy(w->buf + w->pos, p, n);
    w->pos += n;
}

int kafka_write_bool(kafka_writer_t *w, bool v) {
    return write_be(w, v ? 1 : 0, 1);
}

int kafka_write_int8(kafka_writer_t *w, int8_t v) {
    return write_be(w, (uint8_t)v, 1);
}

int kafka_write_int16(kafka_writer_t *w, int16_t v) {
    return write_be(w, (uint16_t)v, 2);
}

int kafka_write_uint16(kafka_writer_t *w, uint16_t v) {
    return write_be(w, v, 2);
}

int kafka_write_int32(kafka_writer_t *w, int32_t v) {
    return write_be(w, (uint32_t)v, 4);
}

int kafka_write_uint32(kafka_writer_t *w, uint32_t v) {
    return write_be(w, v, 4);
}

int kafka_write_int64(kafka_writer_t *w, int64_t v) {
    return write_be(w, (uint64_t)v, 8);
}

int kafka_write_float64(kafka_writer_t *w, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return write_be(w, bits, 8);
}

int kafka_write_uuid(kafka_writer_t *w, kafka_uuid_t v) {
    return kafka_write_raw(w, v.b, sizeof v.b);
}

static uint32_t zigzag32(int32_t v) {
    return ((uint32_t)v << 1) ^ (0u - ((uint32_t)v >> 31));
}

static uint64_t zigzag64(int64_t v) {
    return ((uint64_t)v << 1) ^ (0ull - ((uint64_t)v >> 63));
}

int kafka_write_uvarint(kafka_writer_t *w, uint32_t v) {
    return kafka_write_uvarlong(w, v);
}

int kafka_write_varint(kafka_writer_t *w, int32_t v) {
    return kafka_write_uvarlong(w, zigzag32(v));
}

int kafka_write_uvarlong(kafka_writer_t *w, uint64_t v) {
    if (!fits(w, kafka_size_uvarlong(v)))
        return NOSPC(w);
    put_uvar(w, v);
    return 0;
}

int kafka_write_varlong(kafka_writer_t *w, int64_t v) {
    return kafka_write_uvarlong(w, zigzag64(v));
}

int kafka_write_raw(kafka_writer_t *w, const void *p, size_t n) {
    if (!fits(w, n))
        return NOSPC(w);
    put_raw(w, p, n);
    return 0;
}

/* Length prefix (len < 0: null) then n bytes of p, all or nothing. Arrays
 * pass n = 0: their elements follow separately. */
static int write_prefixed(kafka_writer_t *w, bool flex, size_t classic_width, int32_t len,
                          const void *p, size_t n) {
    uint32_t compact = len < 0 ? 0 : (uint32_t)len + 1;
    size_t total = (flex ? kafka_size_uvarint(compact) : classic_width) + n;
    if (!fits(w, total))
        return NOSPC(w);
    if (flex)
        put_uvar(w, compact);
    else
        put_be(w, (uint64_t)(int64_t)(len < 0 ? -1 : len), classic_width);
    put_raw(w, p, n);
    return 0;
}

int kafka_write_string(kafka_writer_t *w, bool flex, bool nullable, kafka_str_t s) {
    if (s.len < 0 && !nullable)
        return wfail(w, KAFKA_ENULL, "null in a non-nullable string");
    if (s.len > KAFKA_STRING_MAX)
        return wfail(w, KAFKA_ETOOLARGE, "string length exceeds 32767");
    return write_prefixed(w, flex, 2, s.len, s.ptr, s.len < 0 ? 0 : (size_t)s.len);
}

int kafka_write_bytes(kafka_writer_t *w, bool flex, bool nullable, kafka_bytes_t b) {
    if (b.len < 0 && !nullable)
        return wfail(w, KAFKA_ENULL, "null in a non-nullable bytes field");
    return write_prefixed(w, flex, 4, b.len, b.ptr, b.len < 0 ? 0 : (size_t)b.len);
}

int kafka_write_array_len(kafka_writer_t *w, bool flex, bool nullable, int32_t count) {
    if (count < 0 && !nullable)
        return wfail(w, KAFKA_ENULL, "null in a non-nullable array");
    return write_prefixed(w, flex, 4, count, NULL, 0);
}

size_t kafka_size_uvarint(uint32_t v) {
    return kafka_size_uvarlong(v);
}

size_t kafka_size_varint(int32_t v) {
    return kafka_size_uvarlong(zigzag32(v));
}

size_t kafka_size_uvarlong(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t kafka_size_varlong(int64_t v) {
    return kafka_size_uvarlong(zigzag64(v));
}

size_t kafka_size_string(bool flex, kafka_str_t s) {
    if (s.len < 0)
        return flex ? 1 : 2;
    return (flex ? kafka_size_uvarint((uint32_t)s.len + 1) : 2) + (size_t)s.len;
}

size_t kafka_size_bytes(bool flex, kafka_bytes_t b) {
    if (b.len < 0)
        return flex ? 1 : 4;
    return (flex ? kafka_size_uvarint((uint32_t)b.len + 1) : 4) + (size_t)b.len;
}

size_t kafka_size_array_len(bool flex, int32_t count) {
    if (!flex)
        return 4;
    return count < 0 ? 1 : kafka_size_uvarint((uint32_t)count + 1);
}

size_t kafka_size_raw_tag(const kafka_raw_tag_t *t) {
    uint32_t len = t->data.len < 0 ? 0 : (uint32_t)t->data.len;
    return kafka_size_uvarint(t->tag) + kafka_size_uvarint(len) + len;
}

int kafka_write_raw_tag(kafka_writer_t *w, const kafka_raw_tag_t *t) {
    /* A tagged field has no null form; a null view is written as empty. */
    uint32_t len = t->data.len < 0 ? 0 : (uint32_t)t->data.len;
    if (!fits(w, kafka_size_raw_tag(t)))
        return NOSPC(w);
    put_uvar(w, t->tag);
    put_uvar(w, len);
    put_raw(w, t->data.ptr, len);
    return 0;
}
