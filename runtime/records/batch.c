/* Magic-2 record batches: header parsing, record iteration (zero-copy when
 * the batch is not compressed), building and in-place header updates.
 * Failures are classified as Kafka's DefaultRecordBatch/DefaultRecord do:
 * a short or badly checksummed batch is CORRUPT_MESSAGE, a record that does
 * not add up is INVALID_RECORD. */
#include <stdlib.h>
#include <string.h>

#include "kafka/crc32c.h"
#include "records_int.h"

#define CORRUPT KAFKA_REC_ERR_CORRUPT_MESSAGE
#define INVALID KAFKA_REC_ERR_INVALID_RECORD

void batch_read_header(const uint8_t *buf, kafka_batch_t *b) {
    b->base_offset = (int64_t)rd_be64(buf);
    b->length = (int32_t)rd_be32(buf + 8);
    b->partition_leader_epoch = (int32_t)rd_be32(buf + 12);
    b->magic = (int8_t)buf[16];
    b->crc = rd_be32(buf + 17);
    b->attributes = (int16_t)rd_be16(buf + 21);
    b->last_offset_delta = (int32_t)rd_be32(buf + 23);
    b->first_timestamp = (int64_t)rd_be64(buf + 27);
    b->max_timestamp = (int64_t)rd_be64(buf + 35);
    b->producer_id = (int64_t)rd_be64(buf + 43);
    b->producer_epoch = (int16_t)rd_be16(buf + 51);
    b->base_sequence = (int32_t)rd_be32(buf + 53);
    b->record_count = (int32_t)rd_be32(buf + 57);
}

int kafka_batch_parse(const void *buf, size_t len, unsigned flags, kafka_batch_t *out,
                      kafka_rec_err_t *err) {
    const uint8_t *p = buf;
    if (len < 17)
        return rec_fail(err, KAFKA_ETRUNC, CORRUPT, 0, "input ends inside the batch header");
    if (p[16] != KAFKA_MAGIC_V2)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, 16, "batch magic is not 2");
    int32_t length = (int32_t)rd_be32(p + 8);
    if (length < KAFKA_BATCH_V2_OVERHEAD - KAFKA_LOG_OVERHEAD)
        return rec_fail(err, KAFKA_EINVAL, CORRUPT, 8,
                        "batch size is smaller than the batch header");
    if ((size_t)length > len - KAFKA_LOG_OVERHEAD)
        return rec_fail(err, KAFKA_ETRUNC, CORRUPT, 8, "input ends inside the batch");
    size_t size = KAFKA_LOG_OVERHEAD + (size_t)length;
    batch_read_header(p, out);
    out->data = p;
    out->size = size;
    out->records = p + KAFKA_BATCH_V2_OVERHEAD;
    out->records_len = size - KAFKA_BATCH_V2_OVERHEAD;
    if (!(flags & KAFKA_RECORDS_SKIP_CRC) &&
        kafka_crc32c(0, p + KAFKA_BATCH_CRC_START, size - KAFKA_BATCH_CRC_START) != out->crc)
        return rec_fail(err, KAFKA_ECRC, CORRUPT, 17, "batch CRC-32C does not match");
    return 0;
}

void kafka_batch_iter_init(kafka_batch_iter_t *it, const void *buf, size_t len, unsigned flags) {
    it->buf = buf;
    it->len = len;
    it->pos = 0;
    it->index = 0;
    it->flags = flags;
}

int kafka_batch_iter_next(kafka_batch_iter_t *it, kafka_batch_t *out, kafka_rec_err_t *err) {
    if (it->pos >= it->len)
        return 0;
    const uint8_t *p = it->buf + it->pos;
    size_t left = it->len - it->pos;
    if (it->flags & KAFKA_RECORDS_ALLOW_PARTIAL) {
        if (left < 17)
            return 0;
        int32_t length = (int32_t)rd_be32(p + 8);
        if (length >= 0 && (size_t)length > left - KAFKA_LOG_OVERHEAD)
            return 0;
    }
    int rc = kafka_batch_parse(p, left, it->flags, out, err);
    if (rc) {
        if (err && err->code == rc) {
            err->offset += it->pos;
            rec_err_locate(err, it->index, -1);
        }
        return rc;
    }
    it->pos += out->size;
    it->index++;
    return 1;
}

/* ---- records ---- */

int kafka_record_iter_init(kafka_record_iter_t *it, const kafka_batch_t *b, size_t decompress_limit,
                           kafka_rec_err_t *err) {
    memset(it, 0, sizeof *it);
    it->count = b->record_count;
    it->base_offset = b->base_offset;
    it->first_timestamp = b->first_timestamp;
    it->lat = kafka_batch_is_log_append_time(b);
    it->log_append_time = b->max_timestamp;
    it->base = KAFKA_BATCH_V2_OVERHEAD;
    if (b->record_count < 0)
        return rec_fail(err, KAFKA_EINVAL, INVALID, 57, "negative record count");
    if (b->record_count == 0)
        return 0; /* Kafka reads nothing from an empty batch, whatever follows */
    int codec = kafka_batch_codec(b);
    if (codec == KAFKA_CODEC_NONE) {
        it->pos = it->origin = b->records;
        it->end = b->records + b->records_len;
        return 0;
    }
    if (!kafka_codec_known(codec))
        return rec_fail(err, KAFKA_EUNSUPPORTED, KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, 21,
                        "unknown compression codec");
    if (decompress_limit == 0)
        decompress_limit = KAFKA_DECOMPRESS_LIMIT_DEFAULT;
    int rc = kafka_decompress(codec, 0, b->records, b->records_len, decompress_limit, &it->owned);
    if (rc)
        kafka_buf_free(&it->owned); /* nothing for the caller to release on failure */
    if (rc == KAFKA_ETOOLARGE)
        return rec_fail(err, rc, KAFKA_REC_ERR_MESSAGE_TOO_LARGE, it->base,
                        "decompressed records exceed the limit");
    if (rc == KAFKA_ENOMEM)
        return rec_fail(err, rc, KAFKA_REC_ERR_UNKNOWN_SERVER_ERROR, it->base, "out of memory");
    if (rc)
        return rec_fail(err, rc, CORRUPT, it->base, "compressed records do not decompress");
    it->pos = it->owned.ptr;
    it->end = it->owned.ptr + it->owned.len;
    return 0;
}

void kafka_record_iter_free(kafka_record_iter_t *it) {
    kafka_buf_free(&it->owned);
    it->pos = it->end = NULL;
}

/* Offsets in record errors count from the batch start; inside compressed
 * records they point at the start of the compressed payload. */
static int rec_bad(kafka_record_iter_t *it, const uint8_t *at, kafka_rec_err_t *err,
                   const char *reason) {
    size_t off = it->base;
    if (it->origin && at)
        off += (size_t)(at - it->origin);
    int rc = rec_fail(err, KAFKA_EINVAL, INVALID, off, reason);
    rec_err_locate(err, -1, it->index);
    return rc;
}

int kafka_record_iter_next(kafka_record_iter_t *it, kafka_record_t *rec, kafka_rec_err_t *err) {
    if (it->index >= it->count) {
        if (it->pos != it->end)
            return rec_bad(it, it->pos, err, "bytes left after the declared record count");
        return 0;
    }
    const uint8_t *p = it->pos, *end = it->end;
    int32_t size;
    if (!p || rd_varint(&p, end, &size) != 0)
        return rec_bad(it, p, err, "records end before the declared record count");
    if (size <= 0 || size > end - p)
        return rec_bad(it, it->pos, err, "record length does not fit the batch");
    const uint8_t *rend = p + size;
    rec->data = it->pos;
    rec->size = (size_t)(rend - it->pos);
    rec->attributes = (int8_t)*p++;
    if (rd_varlong(&p, rend, &rec->timestamp_delta) || rd_varint(&p, rend, &rec->offset_delta))
        return rec_bad(it, p, err, "malformed record timestamp or offset delta");
    int32_t n;
    if (rd_varint(&p, rend, &n))
        return rec_bad(it, p, err, "malformed record key length");
    if (n >= 0) {
        if (n > rend - p)
            return rec_bad(it, p, err, "record key does not fit the record");
        rec->key = (kafka_bytes_t){p, n};
        p += n;
    } else {
        rec->key = (kafka_bytes_t){NULL, -1};
    }
    if (rd_varint(&p, rend, &n))
        return rec_bad(it, p, err, "malformed record value length");
    if (n >= 0) {
        if (n > rend - p)
            return rec_bad(it, p, err, "record value does not fit the record");
        rec->value = (kafka_bytes_t){p, n};
        p += n;
    } else {
        rec->value = (kafka_bytes_t){NULL, -1};
    }
    int32_t hc;
    if (rd_varint(&p, rend, &hc))
        return rec_bad(it, p, err, "malformed header count");
    if (hc < 0 || hc > rend - p)
        return rec_bad(it, p, err, "invalid number of record headers");
    rec->header_count = hc;
    rec->headers = p;
    for (int32_t i = 0; i < hc; i++) {
        if (rd_varint(&p, rend, &n) || n < 0 || n > rend - p)
            return rec_bad(it, p, err, "invalid record header key");
        p += n;
        if (rd_varint(&p, rend, &n) || (n >= 0 && n > rend - p))
            return rec_bad(it, p, err, "invalid record header value");
        if (n > 0)
            p += n;
    }
    rec->headers_len = (size_t)(p - rec->headers);
    if (p != rend)
        return rec_bad(it, p, err, "record length does not match its contents");
    rec->offset = add_wrap64(it->base_offset, rec->offset_delta);
    rec->timestamp =
        it->lat ? it->log_append_time : add_wrap64(it->first_timestamp, rec->timestamp_delta);
    it->pos = rend;
    it->index++;
    return 1;
}

void kafka_header_iter_init(kafka_header_iter_t *it, const kafka_record_t *rec) {
    it->pos = rec->headers;
    it->end = rec->headers + rec->headers_len;
    it->remaining = rec->header_count;
}

int kafka_header_iter_next(kafka_header_iter_t *it, kafka_header_t *out) {
    if (it->remaining <= 0)
        return 0;
    const uint8_t *p = it->pos;
    int32_t n;
    if (rd_varint(&p, it->end, &n) || n < 0 || n > it->end - p)
        return KAFKA_EINVAL;
    out->key = (kafka_bytes_t){p, n};
    p += n;
    if (rd_varint(&p, it->end, &n) || (n >= 0 && n > it->end - p))
        return KAFKA_EINVAL;
    if (n >= 0) {
        out->value = (kafka_bytes_t){p, n};
        p += n;
    } else {
        out->value = (kafka_bytes_t){NULL, -1};
    }
    it->pos = p;
    it->remaining--;
    return 1;
}

/* ---- building ---- */

void kafka_batch_params_init(kafka_batch_params_t *p) {
    memset(p, 0, sizeof *p);
    p->base_offset = 0;
    p->partition_leader_epoch = KAFKA_NO_PARTITION_LEADER_EPOCH;
    p->codec = KAFKA_CODEC_NONE;
    p->level = KAFKA_LEVEL_DEFAULT;
    p->log_append_time_ms = KAFKA_NO_TIMESTAMP;
    p->producer_id = KAFKA_NO_PRODUCER_ID;
    p->producer_epoch = KAFKA_NO_PRODUCER_EPOCH;
    p->base_sequence = KAFKA_NO_SEQUENCE;
}

void kafka_batch_params_from(kafka_batch_params_t *p, const kafka_batch_t *b) {
    kafka_batch_params_init(p);
    p->base_offset = b->base_offset;
    p->partition_leader_epoch = b->partition_leader_epoch;
    p->codec = kafka_batch_codec(b);
    p->log_append_time = kafka_batch_is_log_append_time(b);
    if (p->log_append_time)
        p->log_append_time_ms = b->max_timestamp;
    p->transactional = kafka_batch_is_transactional(b);
    p->control = kafka_batch_is_control(b);
    p->producer_id = b->producer_id;
    p->producer_epoch = b->producer_epoch;
    p->base_sequence = b->base_sequence;
    p->delete_horizon = kafka_batch_has_delete_horizon(b);
    p->delete_horizon_ms = b->first_timestamp;
    p->set_first_timestamp = true;
    p->first_timestamp = b->first_timestamp;
    p->override_last_offset = true;
    p->last_offset = kafka_batch_last_offset(b);
}

/* The first-timestamp field when the parameters fix it rather than the
 * first record. */
static bool fixed_first_timestamp(const kafka_batch_params_t *p, int64_t *ts) {
    if (p->delete_horizon)
        *ts = p->delete_horizon_ms;
    else if (p->set_first_timestamp)
        *ts = p->first_timestamp;
    else
        return false;
    return true;
}

void kafka_batch_builder_init(kafka_batch_builder_t *b, const kafka_batch_params_t *p) {
    memset(b, 0, sizeof *b);
    kafka_batch_builder_reset(b, p);
}

void kafka_batch_builder_reset(kafka_batch_builder_t *b, const kafka_batch_params_t *p) {
    if (p)
        b->p = *p;
    else
        kafka_batch_params_init(&b->p);
    b->recs.len = 0;
    b->count = 0;
    b->last_offset = b->p.base_offset;
    if (!fixed_first_timestamp(&b->p, &b->first_timestamp))
        b->first_timestamp = KAFKA_NO_TIMESTAMP;
    b->max_timestamp = KAFKA_NO_TIMESTAMP;
}

void kafka_batch_builder_free(kafka_batch_builder_t *b) {
    kafka_buf_free(&b->recs);
}

static size_t bytes_size(kafka_bytes_t v) {
    return v.len < 0 ? 1 : varint_size(v.len) + (size_t)v.len;
}

static size_t wr_bytes(uint8_t *p, kafka_bytes_t v) {
    if (v.len < 0)
        return wr_varint(p, -1);
    size_t n = wr_varint(p, v.len);
    if (v.len)
        memcpy(p + n, v.ptr, (size_t)v.len);
    return n + (size_t)v.len;
}

int kafka_batch_builder_add(kafka_batch_builder_t *b, const kafka_record_in_t *r) {
    int64_t offset = b->count == 0 ? b->p.base_offset : add_wrap64(b->last_offset, 1);
    return kafka_batch_builder_add_at(b, offset, r);
}

int kafka_batch_builder_add_at(kafka_batch_builder_t *b, int64_t offset,
                               const kafka_record_in_t *r) {
    if (offset < b->p.base_offset || (b->count > 0 && offset <= b->last_offset) ||
        (uint64_t)offset - (uint64_t)b->p.base_offset > INT32_MAX || b->count == INT32_MAX)
        return KAFKA_EINVAL;
    if (r->header_count < 0 || (r->header_count > 0 && !r->headers))
        return KAFKA_EINVAL;
    int32_t odelta = (int32_t)(offset - b->p.base_offset);
    int64_t fixed;
    bool is_fixed = fixed_first_timestamp(&b->p, &fixed);
    int64_t first = b->count == 0 && !is_fixed ? r->timestamp : b->first_timestamp;
    int64_t tdelta = (int64_t)((uint64_t)r->timestamp - (uint64_t)first);
    size_t body = 1 + varlong_size(tdelta) + varint_size(odelta) + bytes_size(r->key) +
                  bytes_size(r->value) + varint_size(r->header_count);
    for (int32_t i = 0; i < r->header_count; i++) {
        if (r->headers[i].key.len < 0)
            return KAFKA_EINVAL; /* header keys are never null */
        body += bytes_size(r->headers[i].key) + bytes_size(r->headers[i].value);
        if (body > INT32_MAX)
            return KAFKA_ETOOLARGE;
    }
    if (body > INT32_MAX)
        return KAFKA_ETOOLARGE;
    int rc = kafka_buf_reserve(&b->recs, 5 + body);
    if (rc)
        return rc;
    uint8_t *p = b->recs.ptr + b->recs.len;
    uint8_t *s = p;
    p += wr_varint(p, (int32_t)body);
    *p++ = 0; /* record attributes: unused */
    p += wr_varlong(p, tdelta);
    p += wr_varint(p, odelta);
    p += wr_bytes(p, r->key);
    p += wr_bytes(p, r->value);
    p += wr_varint(p, r->header_count);
    for (int32_t i = 0; i < r->header_count; i++) {
        p += wr_bytes(p, r->headers[i].key);
        p += wr_bytes(p, r->headers[i].value);
    }
    b->recs.len += (size_t)(p - s);
    if (b->count == 0 && !is_fixed)
        b->first_timestamp = r->timestamp;
    if (r->timestamp > b->max_timestamp)
        b->max_timestamp = r->timestamp;
    b->last_offset = offset;
    b->count++;
    return 0;
}

static int16_t batch_attributes(const kafka_batch_params_t *p) {
    int16_t a = (int16_t)(p->codec & KAFKA_BATCH_ATTR_CODEC_MASK);
    if (p->log_append_time)
        a |= KAFKA_BATCH_ATTR_LOG_APPEND_TIME;
    if (p->transactional)
        a |= KAFKA_BATCH_ATTR_TRANSACTIONAL;
    if (p->control)
        a |= KAFKA_BATCH_ATTR_CONTROL;
    if (p->delete_horizon)
        a |= KAFKA_BATCH_ATTR_DELETE_HORIZON;
    return a;
}

/* The last offset delta finish writes, or -1 when the override is invalid. */
static int64_t last_delta(const kafka_batch_params_t *p, int32_t count, int64_t last_record) {
    int64_t last = count ? last_record : p->base_offset;
    if (p->override_last_offset) {
        if (p->last_offset < last)
            return -1;
        last = p->last_offset;
    }
    int64_t d = (int64_t)((uint64_t)last - (uint64_t)p->base_offset);
    return d < 0 || d > INT32_MAX ? -1 : d;
}

/* Header fields after the length and epoch, and the CRC over the batch. */
static void write_header(uint8_t *h, size_t size, const kafka_batch_params_t *p, int16_t attributes,
                         int64_t last_offset_delta, int64_t first_ts, int64_t max_ts,
                         int32_t count) {
    wr_be64(h, (uint64_t)p->base_offset);
    wr_be32(h + 8, (uint32_t)(size - KAFKA_LOG_OVERHEAD));
    wr_be32(h + 12, (uint32_t)p->partition_leader_epoch);
    h[16] = KAFKA_MAGIC_V2;
    wr_be16(h + 21, (uint16_t)attributes);
    wr_be32(h + 23, (uint32_t)last_offset_delta);
    wr_be64(h + 27, (uint64_t)first_ts);
    wr_be64(h + 35, (uint64_t)max_ts);
    wr_be64(h + 43, (uint64_t)p->producer_id);
    wr_be16(h + 51, (uint16_t)p->producer_epoch);
    wr_be32(h + 53, (uint32_t)p->base_sequence);
    wr_be32(h + 57, (uint32_t)count);
    wr_be32(h + 17, kafka_crc32c(0, h + KAFKA_BATCH_CRC_START, size - KAFKA_BATCH_CRC_START));
}

int kafka_batch_builder_finish(kafka_batch_builder_t *b, kafka_buf_t *out) {
    if (!kafka_codec_known(b->p.codec))
        return KAFKA_EUNSUPPORTED;
    int64_t delta = last_delta(&b->p, b->count, b->last_offset);
    if (delta < 0)
        return KAFKA_EINVAL;
    size_t start = out->len;
    int rc = kafka_buf_reserve(out, KAFKA_BATCH_V2_OVERHEAD + b->recs.len);
    if (rc)
        return rc;
    out->len += KAFKA_BATCH_V2_OVERHEAD;
    if (b->p.codec == KAFKA_CODEC_NONE)
        rc = kafka_buf_append(out, b->recs.ptr, b->recs.len);
    else
        rc =
            kafka_compress(b->p.codec, b->p.level, b->p.codec_flags, b->recs.ptr, b->recs.len, out);
    if (rc == 0 && out->len - start - KAFKA_LOG_OVERHEAD > INT32_MAX)
        rc = KAFKA_ETOOLARGE;
    if (rc) {
        out->len = start;
        return rc;
    }
    write_header(out->ptr + start, out->len - start, &b->p, batch_attributes(&b->p), delta,
                 b->first_timestamp,
                 b->p.log_append_time ? b->p.log_append_time_ms : b->max_timestamp, b->count);
    return 0;
}

int kafka_batch_empty_build(kafka_buf_t *out, const kafka_batch_params_t *p,
                            int64_t max_timestamp) {
    int64_t delta = last_delta(p, 0, p->base_offset);
    if (delta < 0)
        return KAFKA_EINVAL;
    int rc = kafka_buf_reserve(out, KAFKA_BATCH_V2_OVERHEAD);
    if (rc)
        return rc;
    kafka_batch_params_t q = *p;
    q.codec = KAFKA_CODEC_NONE;
    q.delete_horizon = false;
    write_header(out->ptr + out->len, KAFKA_BATCH_V2_OVERHEAD, &q, batch_attributes(&q), delta,
                 KAFKA_NO_TIMESTAMP, max_timestamp, 0);
    out->len += KAFKA_BATCH_V2_OVERHEAD;
    return 0;
}

/* ---- control batches ---- */

int kafka_control_batch_build(kafka_buf_t *out, int64_t offset, int32_t partition_leader_epoch,
                              int64_t producer_id, int16_t producer_epoch, int64_t timestamp,
                              int16_t type, int32_t coordinator_epoch) {
    kafka_batch_params_t p;
    kafka_batch_params_init(&p);
    p.base_offset = offset;
    p.partition_leader_epoch = partition_leader_epoch;
    p.producer_id = producer_id;
    p.producer_epoch = producer_epoch;
    p.transactional = true;
    p.control = true;
    uint8_t key[4], value[6];
    wr_be16(key, 0); /* control record key version */
    wr_be16(key + 2, (uint16_t)type);
    wr_be16(value, 0); /* end transaction marker version */
    wr_be32(value + 2, (uint32_t)coordinator_epoch);
    kafka_record_in_t r = {
        .timestamp = timestamp,
        .key = {key, 4},
        .value = {value, 6},
    };
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, &p);
    int rc = kafka_batch_builder_add(&b, &r);
    if (rc == 0)
        rc = kafka_batch_builder_finish(&b, out);
    kafka_batch_builder_free(&b);
    return rc;
}

int kafka_control_record_parse(const kafka_record_t *rec, int16_t *type,
                               int32_t *coordinator_epoch) {
    if (rec->key.len < 4)
        return KAFKA_EINVAL;
    *type = (int16_t)rd_be16(rec->key.ptr + 2);
    *coordinator_epoch = -1;
    if (*type == KAFKA_CONTROL_ABORT || *type == KAFKA_CONTROL_COMMIT) {
        if (rec->value.len < 6)
            return KAFKA_EINVAL;
        *coordinator_epoch = (int32_t)rd_be32(rec->value.ptr + 2);
    }
    return 0;
}

/* ---- in-place updates ---- */

static bool is_v2_batch(const uint8_t *buf, size_t len) {
    return len >= KAFKA_BATCH_V2_OVERHEAD && buf[16] == KAFKA_MAGIC_V2 &&
           (int32_t)rd_be32(buf + 8) >= KAFKA_BATCH_V2_OVERHEAD - KAFKA_LOG_OVERHEAD &&
           rd_be32(buf + 8) <= len - KAFKA_LOG_OVERHEAD;
}

int kafka_batch_set_base_offset(uint8_t *buf, size_t len, int64_t base_offset) {
    if (!is_v2_batch(buf, len))
        return KAFKA_EINVAL;
    wr_be64(buf, (uint64_t)base_offset);
    return 0;
}

int kafka_batch_set_partition_leader_epoch(uint8_t *buf, size_t len, int32_t epoch) {
    if (!is_v2_batch(buf, len))
        return KAFKA_EINVAL;
    wr_be32(buf + 12, (uint32_t)epoch);
    return 0;
}

int kafka_batch_set_max_timestamp(uint8_t *buf, size_t len, bool lat, int64_t timestamp) {
    if (!is_v2_batch(buf, len))
        return KAFKA_EINVAL;
    size_t size = KAFKA_LOG_OVERHEAD + rd_be32(buf + 8);
    uint16_t attrs = rd_be16(buf + 21);
    attrs = lat ? (attrs | KAFKA_BATCH_ATTR_LOG_APPEND_TIME)
                : (attrs & (uint16_t)~KAFKA_BATCH_ATTR_LOG_APPEND_TIME);
    wr_be16(buf + 21, attrs);
    wr_be64(buf + 35, (uint64_t)timestamp);
    wr_be32(buf + 17, kafka_crc32c(0, buf + KAFKA_BATCH_CRC_START, size - KAFKA_BATCH_CRC_START));
    return 0;
}
