#include "kafka/reader.h"

#include <string.h>

/* Every reader below either succeeds and advances, or fails with pos back
 * where the value started, so an error offset names the value's first byte
 * and a caller may retry or report without reasoning about partial reads. */

kafka_reader_t kafka_reader_make(const void *buf, size_t len, kafka_err_t *err) {
    kafka_reader_t r = {(const uint8_t *)buf, len, 0, 0, err};
    return r;
}

kafka_reader_t kafka_reader_sub(const kafka_reader_t *r, size_t n) {
    size_t rem = kafka_reader_remaining(r);
    /* Defensive: the caller should have checked, but never extend past the
     * parent's end. */
    if (n > rem)
        n = rem;
    kafka_reader_t s = {r->buf + r->pos, n, 0, r->base + (int64_t)r->pos, r->err};
    return s;
}

int kafka_reader_fail(kafka_reader_t *r, int code, const char *reason) {
    kafka_err_set(r->err, code, r->base + (int64_t)r->pos, reason);
    return code;
}

/* Consume n bytes, or record ETRUNC without moving and return NULL. */
static const uint8_t *take(kafka_reader_t *r, size_t n) {
    if (kafka_reader_remaining(r) < n) {
        kafka_reader_fail(r, KAFKA_ETRUNC, "input ends before the value");
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

static uint64_t load_be(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Two's-complement reinterpretation without implementation-defined casts. */
static int16_t u16_to_s(uint16_t u) {
    return u <= INT16_MAX ? (int16_t)u : (int16_t)(-(int32_t)(uint16_t)~u - 1);
}
static int32_t u32_to_s(uint32_t u) {
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}
static int64_t u64_to_s(uint64_t u) {
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

int kafka_read_bool(kafka_reader_t *r, bool *out) {
    const uint8_t *p = take(r, 1);
    if (!p)
        return KAFKA_ETRUNC;
    *out = p[0] != 0;
    return 0;
}

int kafka_read_int8(kafka_reader_t *r, int8_t *out) {
    const uint8_t *p = take(r, 1);
    if (!p)
        return KAFKA_ETRUNC;
    *out = p[0] <= INT8_MAX ? (int8_t)p[0] : (int8_t)((int)p[0] - 256);
    return 0;
}

int kafka_read_int16(kafka_reader_t *r, int16_t *out) {
    uint16_t u;
    int rc = kafka_read_uint16(r, &u);
    if (rc == 0)
        *out = u16_to_s(u);
    return rc;
}

int kafka_read_uint16(kafka_reader_t *r, uint16_t *out) {
    const uint8_t *p = take(r, 2);
    if (!p)
        return KAFKA_ETRUNC;
    *out = (uint16_t)load_be(p, 2);
    return 0;
}

int kafka_read_int32(kafka_reader_t *r, int32_t *out) {
    uint32_t u;
    int rc = kafka_read_uint32(r, &u);
    if (rc == 0)
        *out = u32_to_s(u);
    return rc;
}

int kafka_read_uint32(kafka_reader_t *r, uint32_t *out) {
    const uint8_t *p = take(r, 4);
    if (!p)
        return KAFKA_ETRUNC;
    *out = (uint32_t)load_be(p, 4);
    return 0;
}

int kafka_read_int64(kafka_reader_t *r, int64_t *out) {
    const uint8_t *p = take(r, 8);
    if (!p)
        return KAFKA_ETRUNC;
    *out = u64_to_s(load_be(p, 8));
    return 0;
}

int kafka_read_float64(kafka_reader_t *r, double *out) {
    const uint8_t *p = take(r, 8);
    if (!p)
        return KAFKA_ETRUNC;
    uint64_t bits = load_be(p, 8);
    memcpy(out, &bits, sizeof *out);
    return 0;
}

int kafka_read_uuid(kafka_reader_t *r, kafka_uuid_t *out) {
    const uint8_t *p = take(r, 16);
    if (!p)
        return KAFKA_ETRUNC;
    memcpy(out->b, p, 16);
    return 0;
}

/* Base-128 little-endian groups, at most max_bytes; the last permitted byte
 * may carry only last_bits bits so the value fits without silent loss.
 * Over-long encodings of small values (80 00) are accepted, as Kafka does. */
static int read_uvar(kafka_reader_t *r, unsigned max_bytes, unsigned last_bits, uint64_t *out) {
    uint64_t v = 0;
    size_t rem = kafka_reader_remaining(r);
    const uint8_t *p = r->buf + r->pos;
    for (unsigned i = 0; i < max_bytes; i++) {
        if (i >= rem)
            return kafka_reader_fail(r, KAFKA_ETRUNC, "input ends inside a varint");
        uint8_t b = p[i];
        if (i == max_bytes - 1 && (b >> last_bits) != 0)
            return kafka_reader_fail(r, KAFKA_EINVAL, "varint too long");
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            r->pos += i + 1;
            *out = v;
            return 0;
        }
    }
    return kafka_reader_fail(r, KAFKA_EINVAL, "varint too long"); /* not reached */
}

int kafka_read_uvarint(kafka_reader_t *r, uint32_t *out) {
    uint64_t v = 0; /* set on success; initialised for the optimiser's benefit */
    int rc = read_uvar(r, 5, 4, &v);
    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

int kafka_read_varint(kafka_reader_t *r, int32_t *out) {
    uint32_t u = 0;
    int rc = kafka_read_uvarint(r, &u);
    if (rc == 0)
        *out = u32_to_s((u >> 1) ^ (0u - (u & 1)));
    return rc;
}

int kafka_read_uvarlong(kafka_reader_t *r, uint64_t *out) {
    return read_uvar(r, 10, 1, out);
}

int kafka_read_varlong(kafka_reader_t *r, int64_t *out) {
    uint64_t u = 0;
    int rc = kafka_read_uvarlong(r, &u);
    if (rc == 0)
        *out = u64_to_s((u >> 1) ^ (0ull - (u & 1)));
    return rc;
}

/* Reads a length prefix. *is_null on the null marker; *len is the length
 * otherwise (unchecked against the input). Classic lengths are int16
 * (wide=false) or int32 (wide=true). */
static int read_len(kafka_reader_t *r, bool flex, bool wide, bool *is_null, uint32_t *len) {
    *is_null = false;
    if (flex) {
        uint32_t n;
        int rc = kafka_read_uvarint(r, &n);
        if (rc)
            return rc;
        if (n == 0)
            *is_null = true;
        else
            *len = n - 1;
        return 0;
    }
    if (!wide) {
        /* Read unsigned: 0xffff is null, and 0x8000..0xfffe are lengths too
         * large for a string, not other spellings of null. */
        uint16_t n;
        int rc = kafka_read_uint16(r, &n);
        if (rc)
            return rc;
        if (n == 0xffff)
            *is_null = true;
        else
            *len = n;
        return 0;
    }
    int32_t n;
    int rc = kafka_read_int32(r, &n);
    if (rc)
        return rc;
    if (n == -1) {
        *is_null = true;
    } else if (n < 0) {
        r->pos -= 4;
        return kafka_reader_fail(r, KAFKA_EINVAL, "negative length");
    } else {
        *len = (uint32_t)n;
    }
    return 0;
}

/* What differs between a string and a bytes field: the classic length width,
 * the length limit and how errors name the field. */
typedef struct view_kind {
    bool wide; /* int32 classic length (bytes) rather than int16 (string) */
    uint32_t max;
    const char *null_reason, *max_reason, *trunc_reason;
} view_kind_t;

static const view_kind_t string_kind = {false, KAFKA_STRING_MAX, "null in a non-nullable string",
                                        "string length exceeds 32767",
                                        "string length exceeds the remaining input"};
static const view_kind_t bytes_kind = {true, INT32_MAX, "null in a non-nullable bytes field",
                                       "bytes length exceeds 2147483647",
                                       "bytes length exceeds the remaining input"};

/* A length-prefixed view; *len < 0 for null. On failure pos is unchanged. */
static int read_view(kafka_reader_t *r, bool flex, bool nullable, const view_kind_t *kind,
                     const uint8_t **ptr, int32_t *len) {
    size_t start = r->pos;
    bool is_null;
    uint32_t n = 0;
    int rc = read_len(r, flex, kind->wide, &is_null, &n);
    if (rc)
        return rc;
    const char *reason = NULL;
    if (is_null) {
        if (nullable) {
            *ptr = NULL;
            *len = KAFKA_NULL_LEN;
            return 0;
        }
        rc = KAFKA_ENULL;
        reason = kind->null_reason;
    } else if (n > kind->max) {
        rc = KAFKA_ETOOLARGE;
        reason = kind->max_reason;
    } else if (n > kafka_reader_remaining(r)) {
        rc = KAFKA_ETRUNC;
        reason = kind->trunc_reason;
    }
    if (rc) {
        r->pos = start;
        return kafka_reader_fail(r, rc, reason);
    }
    *ptr = r->buf + r->pos;
    *len = (int32_t)n;
    r->pos += n;
    return 0;
}

int kafka_read_string(kafka_reader_t *r, bool flex, bool nullable, kafka_str_t *out) {
    const uint8_t *ptr = NULL;
    int32_t len = 0;
    int rc = read_view(r, flex, nullable, &string_kind, &ptr, &len);
    if (rc == 0)
        *out = (kafka_str_t){(const char *)ptr, len};
    return rc;
}

int kafka_read_bytes(kafka_reader_t *r, bool flex, bool nullable, kafka_bytes_t *out) {
    const uint8_t *ptr = NULL;
    int32_t len = 0;
    int rc = read_view(r, flex, nullable, &bytes_kind, &ptr, &len);
    if (rc == 0)
        *out = (kafka_bytes_t){ptr, len};
    return rc;
}

int kafka_read_array_len(kafka_reader_t *r, bool flex, bool nullable, size_t min_elem_size,
                         int32_t *out) {
    size_t start = r->pos;
    bool is_null;
    uint32_t count = 0;
    int rc = read_len(r, flex, true, &is_null, &count);
    if (rc)
        return rc;
    /* Every element occupies at least one byte on the wire (as Kafka's own
     * generated check assumes), so 0 would only disable the bound. */
    if (min_elem_size == 0)
        min_elem_size = 1;
    const char *reason = NULL;
    if (is_null) {
        if (nullable) {
            *out = -1;
            return 0;
        }
        rc = KAFKA_ENULL;
        reason = "null in a non-nullable array";
    } else if (count > INT32_MAX) {
        rc = KAFKA_ETOOLARGE;
        reason = "array count exceeds 2147483647";
    } else if (count > kafka_reader_remaining(r) / min_elem_size) {
        rc = KAFKA_ETOOLARGE;
        reason = "array count exceeds the remaining input";
    }
    if (rc) {
        r->pos = start;
        return kafka_reader_fail(r, rc, reason);
    }
    *out = (int32_t)count;
    return 0;
}

int kafka_read_tag_count(kafka_reader_t *r, uint32_t *count) {
    size_t start = r->pos;
    uint32_t n;
    int rc = kafka_read_uvarint(r, &n);
    if (rc)
        return rc;
    /* Each field needs at least a tag byte and a size byte. */
    if (n > kafka_reader_remaining(r) / 2) {
        r->pos = start;
        return kafka_reader_fail(r, KAFKA_ETOOLARGE, "tag count exceeds the remaining input");
    }
    *count = n;
    return 0;
}

int kafka_read_tag_header(kafka_reader_t *r, int64_t *prev_tag, uint32_t *tag, uint32_t *size) {
    size_t start = r->pos;
    uint32_t t, n;
    int rc = kafka_read_uvarint(r, &t);
    if (rc == 0)
        rc = kafka_read_uvarint(r, &n);
    if (rc) {
        r->pos = start;
        return rc;
    }
    if ((int64_t)t <= *prev_tag) {
        r->pos = start;
        return kafka_reader_fail(r, KAFKA_ETAG, "tags out of order or duplicated");
    }
    if (n > kafka_reader_remaining(r)) {
        r->pos = start;
        return kafka_reader_fail(r, KAFKA_ETRUNC, "tagged field size exceeds the remaining input");
    }
    *prev_tag = t;
    *tag = t;
    *size = n;
    return 0;
}
