#include "kafka/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- to JSON ---- */

json_t *kafka_json_from_str(kafka_str_t s) {
    if (s.len < 0)
        return json_null();
    /* json_stringn rejects a NULL pointer even for length 0. */
    return json_stringn(s.ptr ? s.ptr : "", (size_t)s.len);
}

/* Base64 text of n bytes as a JSON string. */
static json_t *base64_string(const uint8_t *p, size_t n, bool url_unpadded) {
    size_t len = kafka_base64_encoded_len(n, url_unpadded);
    char *text = malloc(len + 1);
    if (!text)
        return NULL;
    size_t got = kafka_base64_encode(p, n, url_unpadded, text);
    json_t *j = json_stringn_nocheck(text, got);
    free(text);
    return j;
}

json_t *kafka_json_from_bytes(kafka_bytes_t b) {
    if (b.len < 0)
        return json_null();
    return base64_string(b.ptr, (size_t)b.len, false);
}

json_t *kafka_json_from_uuid(kafka_uuid_t u) {
    return base64_string(u.b, sizeof u.b, true);
}

json_t *kafka_json_from_float64(double d) {
    /* JSON has no literals for these; Kafka prints them as strings. */
    if (isnan(d))
        return json_string("NaN");
    if (isinf(d))
        return json_string(d > 0 ? "Infinity" : "-Infinity");
    return json_real(d);
}

json_t *kafka_json_from_raw_tags(const kafka_raw_tags_t *t) {
    json_t *arr = json_array();
    if (!arr || !t)
        return arr;
    for (int32_t i = 0; i < t->count; i++) {
        const kafka_raw_tag_t *tag = &t->items[i];
        json_t *obj = json_object();
        /* The *_new setters take ownership even on failure. */
        if (!obj || json_array_append_new(arr, obj) != 0 ||
            json_object_set_new(obj, "tag", json_integer((json_int_t)tag->tag)) != 0 ||
            json_object_set_new(obj, "data",
                                kafka_json_from_bytes(tag->data.len < 0 ? (kafka_bytes_t){NULL, 0}
                                                                        : tag->data)) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* ---- from JSON ---- */

static int json_fail(kafka_err_t *err, int code, const char *reason) {
    kafka_err_set(err, code, -1, reason);
    return code;
}

static int no_memory(kafka_err_t *err) {
    return json_fail(err, KAFKA_ENOMEM, "arena limit reached");
}

int kafka_json_to_bool(const json_t *j, bool *out, kafka_err_t *err) {
    if (!json_is_boolean(j))
        return json_fail(err, KAFKA_EJSON, "expected a boolean");
    *out = json_is_true(j);
    return 0;
}

int kafka_json_to_int(const json_t *j, int64_t min, int64_t max, int64_t *out, kafka_err_t *err) {
    if (!json_is_integer(j))
        return json_fail(err, KAFKA_EJSON, "expected an integer");
    json_int_t v = json_integer_value(j);
    if (v < min || v > max)
        return json_fail(err, KAFKA_EJSON, "integer out of range");
    *out = (int64_t)v;
    return 0;
}

int kafka_json_to_int8(const json_t *j, int8_t *out, kafka_err_t *err) {
    int64_t v;
    int rc = kafka_json_to_int(j, INT8_MIN, UINT8_MAX, &v, err);
    if (rc == 0)
        *out = (int8_t)(v > INT8_MAX ? v - 256 : v);
    return rc;
}

int kafka_json_to_int16(const json_t *j, int16_t *out, kafka_err_t *err) {
    int64_t v;
    int rc = kafka_json_to_int(j, INT16_MIN, INT16_MAX, &v, err);
    if (rc == 0)
        *out = (int16_t)v;
    return rc;
}

int kafka_json_to_uint16(const json_t *j, uint16_t *out, kafka_err_t *err) {
    int64_t v;
    int rc = kafka_json_to_int(j, 0, UINT16_MAX, &v, err);
    if (rc == 0)
        *out = (uint16_t)v;
    return rc;
}

int kafka_json_to_int32(const json_t *j, int32_t *out, kafka_err_t *err) {
    int64_t v;
    int rc = kafka_json_to_int(j, INT32_MIN, INT32_MAX, &v, err);
    if (rc == 0)
        *out = (int32_t)v;
    return rc;
}

int kafka_json_to_uint32(const json_t *j, uint32_t *out, kafka_err_t *err) {
    int64_t v;
    int rc = kafka_json_to_int(j, 0, UINT32_MAX, &v, err);
    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

int kafka_json_to_int64(const json_t *j, int64_t *out, kafka_err_t *err) {
    return kafka_json_to_int(j, INT64_MIN, INT64_MAX, out, err);
}

int kafka_json_to_float64(const json_t *j, double *out, kafka_err_t *err) {
    if (json_is_real(j)) {
        *out = json_real_value(j);
        return 0;
    }
    if (json_is_integer(j)) {
        *out = (double)json_integer_value(j);
        return 0;
    }
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t n = json_string_length(j);
        if (n == 3 && memcmp(s, "NaN", 3) == 0) {
            *out = NAN;
            return 0;
        }
        if (n == 8 && memcmp(s, "Infinity", 8) == 0) {
            *out = INFINITY;
            return 0;
        }
        if (n == 9 && memcmp(s, "-Infinity", 9) == 0) {
            *out = -INFINITY;
            return 0;
        }
    }
    return json_fail(err, KAFKA_EJSON, "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
}

int kafka_json_to_uuid(const json_t *j, kafka_uuid_t *out, kafka_err_t *err) {
    static const char *const bad = "expected a base64url uuid of 16 bytes";
    if (!json_is_string(j))
        return json_fail(err, KAFKA_EJSON, bad);
    size_t n = json_string_length(j);
    /* 22 characters unpadded, 24 padded; anything longer is not 16 bytes. */
    uint8_t buf[(24 / 4 + 1) * 3];
    if (n > 24)
        return json_fail(err, KAFKA_EJSON, bad);
    if (kafka_base64_decode(json_string_value(j), n, buf) != 16)
        return json_fail(err, KAFKA_EJSON, bad);
    memcpy(out->b, buf, 16);
    return 0;
}

int kafka_json_to_str(const json_t *j, kafka_arena_t *a, kafka_str_t *out, kafka_err_t *err) {
    if (json_is_null(j)) {
        *out = KAFKA_STR_NULL;
        return 0;
    }
    if (!json_is_string(j))
        return json_fail(err, KAFKA_EJSON, "expected a string");
    size_t n = json_string_length(j);
    if (n > INT32_MAX)
        return json_fail(err, KAFKA_ETOOLARGE, "string too long");
    char *p = kafka_arena_memdup(a, json_string_value(j), n);
    if (!p)
        return no_memory(err);
    *out = (kafka_str_t){p, (int32_t)n};
    return 0;
}

int kafka_json_to_bytes(const json_t *j, kafka_arena_t *a, kafka_bytes_t *out, kafka_err_t *err) {
    if (json_is_null(j)) {
        *out = KAFKA_BYTES_NULL;
        return 0;
    }
    if (!json_is_string(j))
        return json_fail(err, KAFKA_EJSON, "expected a base64 string");
    const char *text = json_string_value(j);
    size_t n = json_string_length(j);
    /* Charge the arena only what the decoder can write (6 bits per
     * character before at most two '='), so a cap that fits the bytes
     * fits the conversion. */
    size_t chars = n;
    for (int k = 0; k < 2 && chars > 0 && text[chars - 1] == '='; k++)
        chars--;
    uint8_t *p = kafka_arena_alloc(a, chars / 4 * 3 + (chars % 4) * 3 / 4);
    if (!p)
        return no_memory(err);
    int64_t got = kafka_base64_decode(text, n, p);
    if (got < 0)
        return json_fail(err, KAFKA_EJSON, "invalid base64");
    if (got > INT32_MAX)
        return json_fail(err, KAFKA_ETOOLARGE, "bytes too long");
    *out = (kafka_bytes_t){p, (int32_t)got};
    return 0;
}

int kafka_json_to_raw_tags(const json_t *j, kafka_arena_t *a, kafka_raw_tags_t *out,
                           kafka_err_t *err) {
    /* A tag section has no null form; null reads as "no unknown tags". */
    if (json_is_null(j)) {
        *out = (kafka_raw_tags_t){NULL, 0};
        return 0;
    }
    void *items;
    int32_t count;
    int rc = kafka_json_to_array(j, a, sizeof(kafka_raw_tag_t), &items, &count, err);
    if (rc)
        return rc;
    kafka_raw_tag_t *tags = items;
    for (int32_t i = 0; i < count; i++) {
        const json_t *obj = json_array_get(j, (size_t)i);
        if (!json_is_object(obj))
            return json_fail(err, KAFKA_EJSON, "expected a {\"tag\", \"data\"} object");
        uint32_t tag;
        rc = kafka_json_to_uint32(json_object_get(obj, "tag"), &tag, err);
        if (rc)
            return rc;
        /* Kept tags must stay ascending to be re-emitted as a valid section. */
        if (i > 0 && tag <= tags[i - 1].tag)
            return json_fail(err, KAFKA_EJSON, "raw tags out of order or duplicated");
        tags[i].tag = tag;
        rc = kafka_json_to_bytes(json_object_get(obj, "data"), a, &tags[i].data, err);
        if (rc)
            return rc;
        if (tags[i].data.len < 0)
            return json_fail(err, KAFKA_EJSON, "raw tag data is null");
    }
    *out = (kafka_raw_tags_t){tags, count};
    return 0;
}

int kafka_json_to_array(const json_t *j, kafka_arena_t *a, size_t elem_size, void **items,
                        int32_t *count, kafka_err_t *err) {
    if (json_is_null(j)) {
        *items = NULL;
        *count = -1;
        return 0;
    }
    if (!json_is_array(j))
        return json_fail(err, KAFKA_EJSON, "expected an array");
    size_t n = json_array_size(j);
    if (n > INT32_MAX)
        return json_fail(err, KAFKA_ETOOLARGE, "array too long");
    void *p = kafka_arena_calloc(a, n, elem_size);
    if (!p)
        return no_memory(err);
    *items = p;
    *count = (int32_t)n;
    return 0;
}
