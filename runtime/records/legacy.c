/* Legacy message sets (magic 0 and 1): parsing, deep iteration through
 * compressed wrappers, writing. Checks follow Kafka's LegacyRecord and
 * AbstractLegacyRecordBatch; where Kafka would silently drop a truncated
 * inner message we refuse it, since we store what we accept. */
#include <string.h>

#include "kafka/crc32c.h"
#include "kafka/legacy_records.h"
#include "records_int.h"

#define CORRUPT KAFKA_REC_ERR_CORRUPT_MESSAGE
#define INVALID KAFKA_REC_ERR_INVALID_RECORD

int kafka_legacy_parse(const void *buf, size_t len, unsigned flags, kafka_legacy_msg_t *out,
                       kafka_rec_err_t *err) {
    const uint8_t *p = buf;
    if (len < KAFKA_LOG_OVERHEAD)
        return rec_fail(err, KAFKA_ETRUNC, CORRUPT, 0, "input ends inside the message header");
    int32_t size = (int32_t)rd_be32(p + 8);
    if (size < KAFKA_LEGACY_OVERHEAD_V0)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, 8,
                        "message size is less than the minimum message overhead");
    if ((size_t)size > len - KAFKA_LOG_OVERHEAD)
        return rec_fail(err, KAFKA_ETRUNC, CORRUPT, 8, "input ends inside the message");
    const uint8_t *end = p + KAFKA_LOG_OVERHEAD + size;
    out->offset = (int64_t)rd_be64(p);
    out->size = size;
    out->crc = rd_be32(p + 12);
    out->magic = (int8_t)p[16];
    out->attributes = (int8_t)p[17];
    out->data = p;
    out->total = KAFKA_LOG_OVERHEAD + (size_t)size;
    if (out->magic != KAFKA_MAGIC_V0 && out->magic != KAFKA_MAGIC_V1)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, 16, "message magic is not 0 or 1");
    if (out->magic == KAFKA_MAGIC_V1 && size < KAFKA_LEGACY_OVERHEAD_V1)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, 8,
                        "message size is less than the magic-1 overhead");
    if (!(flags & KAFKA_RECORDS_SKIP_CRC) && kafka_crc32(0, p + 16, (size_t)size - 4) != out->crc)
        return rec_fail(err, KAFKA_ECRC, CORRUPT, 12, "message CRC-32 does not match");
    const uint8_t *q = p + 18;
    if (out->magic == KAFKA_MAGIC_V1) {
        out->timestamp = (int64_t)rd_be64(q);
        q += 8;
        out->log_append_time = (out->attributes & KAFKA_LEGACY_ATTR_LOG_APPEND_TIME) != 0;
    } else {
        out->timestamp = KAFKA_NO_TIMESTAMP;
        out->log_append_time = false;
    }
    kafka_bytes_t *fields[2] = {&out->key, &out->value};
    for (int i = 0; i < 2; i++) {
        if (end - q < 4)
            return rec_fail(err, KAFKA_EINVAL, CORRUPT, (size_t)(q - p),
                            "message ends inside a length");
        int32_t n = (int32_t)rd_be32(q);
        q += 4;
        if (n < 0) {
            *fields[i] = (kafka_bytes_t){NULL, -1};
            continue;
        }
        if (n > end - q)
            return rec_fail(err, KAFKA_EINVAL, CORRUPT, (size_t)(q - 4 - p),
                            i ? "message value does not fit the message"
                              : "message key does not fit the message");
        *fields[i] = (kafka_bytes_t){q, n};
        q += n;
    }
    if (q != end)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, (size_t)(q - p),
                        "message size does not match its key and value");
    return 0;
}

void kafka_legacy_iter_init(kafka_legacy_iter_t *it, const void *buf, size_t len, unsigned flags) {
    it->buf = buf;
    it->len = len;
    it->pos = 0;
    it->index = 0;
    it->flags = flags;
    it->base = 0;
}

int kafka_legacy_iter_next(kafka_legacy_iter_t *it, kafka_legacy_msg_t *msg, kafka_rec_err_t *err) {
    if (it->pos >= it->len)
        return 0;
    const uint8_t *p = it->buf + it->pos;
    size_t left = it->len - it->pos;
    if (it->flags & KAFKA_RECORDS_ALLOW_PARTIAL) {
        if (left < KAFKA_LOG_OVERHEAD)
            return 0;
        int32_t size = (int32_t)rd_be32(p + 8);
        if (size >= 0 && (size_t)size > left - KAFKA_LOG_OVERHEAD)
            return 0;
    }
    int rc = kafka_legacy_parse(p, left, it->flags, msg, err);
    if (rc) {
        if (err && err->code == rc) {
            err->offset += it->base + it->pos;
            rec_err_locate(err, it->index, -1);
        }
        return rc;
    }
    it->pos += msg->total;
    it->index++;
    return 1;
}

void kafka_legacy_deep_init(kafka_legacy_deep_iter_t *it, const void *buf, size_t len,
                            unsigned flags, size_t decompress_limit) {
    memset(it, 0, sizeof *it);
    kafka_legacy_iter_init(&it->outer, buf, len, flags);
    it->limit = decompress_limit ? decompress_limit : KAFKA_DECOMPRESS_LIMIT_DEFAULT;
}

void kafka_legacy_deep_free(kafka_legacy_deep_iter_t *it) {
    kafka_buf_free(&it->owned);
}

/* Failure inside the current wrapper: point at the wrapper. */
static int wrapper_fail(kafka_legacy_deep_iter_t *it, kafka_rec_err_t *err, int code, int16_t wire,
                        int32_t record_index, const char *reason) {
    size_t at = it->outer.base + it->outer.pos - it->wrapper.total;
    if (err && err->code == code && !reason) {
        /* an inner parse failure: re-anchor it on the wrapper */
        err->offset = at;
        err->batch_index = it->outer.index - 1;
        err->record_index = record_index;
        if (err->wire_error == 0)
            err->wire_error = wire;
        return code;
    }
    int rc = rec_fail(err, code, wire, at, reason);
    rec_err_locate(err, it->outer.index - 1, record_index);
    return rc;
}

/* Decompress a wrapper and check its inner messages once, so that the
 * magic-1 offset base (which depends on the last inner offset) is known
 * before the first one is returned. */
static int open_wrapper(kafka_legacy_deep_iter_t *it, kafka_rec_err_t *err) {
    const kafka_legacy_msg_t *w = &it->wrapper;
    int codec = kafka_legacy_codec(w);
    if (codec == KAFKA_CODEC_ZSTD)
        return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, -1,
                            "zstd is not valid in magic 0 or 1 messages");
    if (!kafka_codec_known(codec))
        return wrapper_fail(it, err, KAFKA_EUNSUPPORTED, KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE,
                            -1, "unknown compression codec");
    if (w->value.len < 0)
        return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, -1,
                            "compressed message has a null value");
    it->owned.len = 0;
    int rc = kafka_decompress(codec, w->magic == KAFKA_MAGIC_V0 ? KAFKA_LZ4_LEGACY_HC : 0,
                              w->value.ptr, (size_t)w->value.len, it->limit, &it->owned);
    if (rc == KAFKA_ETOOLARGE)
        return wrapper_fail(it, err, rc, KAFKA_REC_ERR_MESSAGE_TOO_LARGE, -1,
                            "decompressed messages exceed the limit");
    if (rc == KAFKA_ENOMEM)
        return wrapper_fail(it, err, rc, KAFKA_REC_ERR_UNKNOWN_SERVER_ERROR, -1, "out of memory");
    if (rc)
        return wrapper_fail(it, err, rc, CORRUPT, -1, "compressed messages do not decompress");

    kafka_legacy_iter_t scan;
    kafka_legacy_iter_init(&scan, it->owned.ptr, it->owned.len, 0);
    kafka_legacy_msg_t m;
    int64_t last = 0;
    int32_t n = 0;
    while ((rc = kafka_legacy_iter_next(&scan, &m, err)) == 1) {
        if (m.magic != w->magic)
            return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, n,
                                "inner message magic differs from the wrapper's");
        if (kafka_legacy_codec(&m) != KAFKA_CODEC_NONE)
            return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, n,
                                "inner messages must not be compressed");
        last = m.offset;
        n++;
    }
    if (rc < 0)
        return wrapper_fail(it, err, rc, CORRUPT, n, NULL);
    if (n == 0)
        return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, -1,
                            "compressed message holds no messages");
    it->offset_base = 0;
    if (w->magic == KAFKA_MAGIC_V1 && w->offset != 0) {
        /* A wrapper offset of 0 comes from producers that leave it unset. */
        if (w->offset < last)
            return wrapper_fail(it, err, KAFKA_EINVAL, INVALID, -1,
                                "wrapper offset is below the last inner offset");
        it->offset_base = add_wrap64(w->offset, (int64_t)(0 - (uint64_t)last));
    }
    kafka_legacy_iter_init(&it->inner, it->owned.ptr, it->owned.len, KAFKA_RECORDS_SKIP_CRC);
    it->in_wrapper = true;
    return 0;
}

int kafka_legacy_deep_next(kafka_legacy_deep_iter_t *it, kafka_legacy_msg_t *msg,
                           kafka_rec_err_t *err) {
    for (;;) {
        if (it->in_wrapper) {
            int rc = kafka_legacy_iter_next(&it->inner, msg, err);
            if (rc < 0)
                return wrapper_fail(it, err, rc, CORRUPT, it->inner.index, NULL);
            if (rc == 1) {
                if (it->wrapper.magic == KAFKA_MAGIC_V1)
                    msg->offset = add_wrap64(it->offset_base, msg->offset);
                if (it->wrapper.log_append_time) {
                    msg->timestamp = it->wrapper.timestamp;
                    msg->log_append_time = true;
                }
                return 1;
            }
            it->in_wrapper = false;
        }
        int rc = kafka_legacy_iter_next(&it->outer, &it->wrapper, err);
        if (rc <= 0)
            return rc;
        if (kafka_legacy_codec(&it->wrapper) == KAFKA_CODEC_NONE) {
            *msg = it->wrapper;
            return 1;
        }
        if ((rc = open_wrapper(it, err)) != 0)
            return rc;
    }
}

/* ---- writing ---- */

int kafka_legacy_write(kafka_buf_t *out, int8_t magic, int64_t offset, int8_t attributes,
                       int64_t timestamp, kafka_bytes_t key, kafka_bytes_t value) {
    if (magic != KAFKA_MAGIC_V0 && magic != KAFKA_MAGIC_V1)
        return KAFKA_EINVAL;
    size_t klen = key.len > 0 ? (size_t)key.len : 0;
    size_t vlen = value.len > 0 ? (size_t)value.len : 0;
    size_t size = (magic == KAFKA_MAGIC_V0 ? KAFKA_LEGACY_OVERHEAD_V0 : KAFKA_LEGACY_OVERHEAD_V1);
    if (klen > INT32_MAX - size || vlen > INT32_MAX - size - klen)
        return KAFKA_ETOOLARGE;
    size += klen + vlen;
    int rc = kafka_buf_reserve(out, KAFKA_LOG_OVERHEAD + size);
    if (rc)
        return rc;
    uint8_t *p = out->ptr + out->len;
    wr_be64(p, (uint64_t)offset);
    wr_be32(p + 8, (uint32_t)size);
    p[16] = (uint8_t)magic;
    p[17] = (uint8_t)attributes;
    uint8_t *q = p + 18;
    if (magic == KAFKA_MAGIC_V1) {
        wr_be64(q, (uint64_t)timestamp);
        q += 8;
    }
    wr_be32(q, (uint32_t)(key.len < 0 ? -1 : key.len));
    q += 4;
    if (klen)
        memcpy(q, key.ptr, klen);
    q += klen;
    wr_be32(q, (uint32_t)(value.len < 0 ? -1 : value.len));
    q += 4;
    if (vlen)
        memcpy(q, value.ptr, vlen);
    wr_be32(p + 12, kafka_crc32(0, p + 16, size - 4));
    out->len += KAFKA_LOG_OVERHEAD + size;
    return 0;
}

int kafka_legacy_builder_init(kafka_legacy_builder_t *b, int8_t magic, int codec, int level,
                              bool log_append_time, int64_t log_append_time_ms) {
    memset(b, 0, sizeof *b);
    if (magic != KAFKA_MAGIC_V0 && magic != KAFKA_MAGIC_V1)
        return KAFKA_EINVAL;
    if (codec < KAFKA_CODEC_NONE || codec > KAFKA_CODEC_LZ4)
        return KAFKA_EUNSUPPORTED;
    b->magic = magic;
    b->codec = codec;
    b->level = level;
    b->log_append_time = magic == KAFKA_MAGIC_V1 && log_append_time;
    b->log_append_time_ms = log_append_time_ms;
    b->max_timestamp = KAFKA_NO_TIMESTAMP;
    return 0;
}

void kafka_legacy_builder_free(kafka_legacy_builder_t *b) {
    kafka_buf_free(&b->inner);
}

int kafka_legacy_builder_add(kafka_legacy_builder_t *b, int64_t offset, int64_t timestamp,
                             kafka_bytes_t key, kafka_bytes_t value) {
    /* Negative offsets cannot be told apart from relative ones by readers. */
    if (offset < 0 || (b->count > 0 && offset <= b->last_offset))
        return KAFKA_EINVAL;
    if (b->count == INT32_MAX)
        return KAFKA_ETOOLARGE;
    if (b->count == 0)
        b->first_offset = offset;
    int64_t written = offset;
    if (b->codec != KAFKA_CODEC_NONE && b->magic == KAFKA_MAGIC_V1)
        written = offset - b->first_offset; /* relative inside a magic-1 wrapper */
    int8_t attrs = b->log_append_time ? KAFKA_LEGACY_ATTR_LOG_APPEND_TIME : 0;
    int64_t ts = b->log_append_time ? b->log_append_time_ms : timestamp;
    int rc = kafka_legacy_write(&b->inner, b->magic, written, attrs, ts, key, value);
    if (rc)
        return rc;
    if (timestamp > b->max_timestamp)
        b->max_timestamp = timestamp;
    b->last_offset = offset;
    b->count++;
    return 0;
}

int kafka_legacy_builder_finish(kafka_legacy_builder_t *b, kafka_buf_t *out) {
    if (b->count == 0)
        return 0;
    if (b->codec == KAFKA_CODEC_NONE)
        return kafka_buf_append(out, b->inner.ptr, b->inner.len);
    kafka_buf_t z = KAFKA_BUF_INIT;
    int rc =
        kafka_compress(b->codec, b->level, b->magic == KAFKA_MAGIC_V0 ? KAFKA_LZ4_LEGACY_HC : 0,
                       b->inner.ptr, b->inner.len, &z);
    if (rc == 0 && z.len > INT32_MAX)
        rc = KAFKA_ETOOLARGE;
    if (rc == 0) {
        int8_t attrs = (int8_t)b->codec;
        int64_t ts = b->max_timestamp;
        if (b->log_append_time) {
            attrs |= KAFKA_LEGACY_ATTR_LOG_APPEND_TIME;
            ts = b->log_append_time_ms;
        }
        rc = kafka_legacy_write(out, b->magic, b->last_offset, attrs, ts, (kafka_bytes_t){NULL, -1},
                                (kafka_bytes_t){z.ptr, (int32_t)z.len});
    }
    kafka_buf_free(&z);
    return rc;
}
