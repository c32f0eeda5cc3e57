/* Validation of a Produce request's records, in the order and with the
 * answers of Kafka's broker: ProduceRequest.validateRecords (request version
 * rules), then UnifiedLog.analyzeAndValidateRecords (per entry: base offset,
 * size, CRC), then LogValidator (batch consistency, then every record: keys
 * of compacted topics, timestamps). Record-level key/timestamp problems are
 * collected over the whole batch like Kafka does, and any timestamp problem
 * makes the answer INVALID_TIMESTAMP. */
#include <string.h>

#include "kafka/crc32c.h"
#include "kafka/legacy_records.h"
#include "records_int.h"

#define CORRUPT KAFKA_REC_ERR_CORRUPT_MESSAGE
#define INVALID KAFKA_REC_ERR_INVALID_RECORD
#define BAD_TS KAFKA_REC_ERR_INVALID_TIMESTAMP

void kafka_validate_opts_init(kafka_validate_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->produce_version = -1;
    o->max_message_bytes = KAFKA_MAX_MESSAGE_BYTES_DEFAULT;
    o->timestamp_diff_max_ms = -1;
}

typedef struct vctx {
    const kafka_validate_opts_t *o;
    kafka_validate_info_t *info;
    kafka_rec_err_t *err;
    size_t max;
    size_t limit;
    /* first record-level (non-fatal) error of the current batch */
    kafka_rec_err_t rec_err;
} vctx_t;

static int fail_at(vctx_t *v, int code, int16_t wire, size_t offset, int32_t batch, int32_t record,
                   const char *reason) {
    int rc = rec_fail(v->err, code, wire, offset, reason);
    rec_err_locate(v->err, batch, record);
    return rc;
}

/* Note a key or timestamp problem of one record and keep going. A timestamp
 * problem replaces an earlier key problem, as it decides the answer. */
static void record_problem(vctx_t *v, int16_t wire, size_t offset, int32_t batch, int32_t record,
                           const char *reason) {
    if (v->rec_err.code && !(wire == BAD_TS && v->rec_err.wire_error != BAD_TS))
        return;
    v->rec_err.code = KAFKA_EINVAL;
    v->rec_err.wire_error = wire;
    v->rec_err.offset = offset;
    v->rec_err.batch_index = batch;
    v->rec_err.record_index = record;
    v->rec_err.reason = reason;
}

static int flush_problems(vctx_t *v) {
    if (!v->rec_err.code)
        return 0;
    if (v->err && v->err->code == 0)
        *v->err = v->rec_err;
    return v->rec_err.code;
}

static void check_record(vctx_t *v, bool has_key, int64_t ts, bool batch_lat, size_t offset,
                         int32_t batch, int32_t record) {
    const kafka_validate_opts_t *o = v->o;
    if (o->compacted && !has_key)
        record_problem(v, INVALID, offset, batch, record,
                       "compacted topic cannot accept a record without a key");
    int64_t diff = (int64_t)((uint64_t)ts - (uint64_t)o->now_ms);
    if (diff < 0)
        diff = diff == INT64_MIN ? INT64_MAX : -diff;
    if (!o->topic_log_append_time && o->timestamp_diff_max_ms >= 0 && ts != KAFKA_NO_TIMESTAMP &&
        diff > o->timestamp_diff_max_ms)
        record_problem(v, BAD_TS, offset, batch, record, "record timestamp is out of range");
    else if (batch_lat)
        record_problem(v, BAD_TS, offset, batch, record,
                       "producers must not set the LogAppendTime timestamp type");
    if (ts > v->info->max_timestamp)
        v->info->max_timestamp = ts;
}

/* Stage 1 for a v2 batch: structure, base offset, size, CRC. */
static int shallow_v2(vctx_t *v, const uint8_t *p, size_t left, size_t pos, int32_t index,
                      kafka_batch_t *b) {
    int rc = kafka_batch_parse(p, left, KAFKA_RECORDS_SKIP_CRC, b, v->err);
    if (rc) {
        if (v->err && v->err->code == rc)
            v->err->offset += pos;
        rec_err_locate(v->err, index, -1);
        return rc;
    }
    if (b->base_offset != 0)
        return fail_at(v, KAFKA_EINVAL, INVALID, pos, index, -1,
                       "the base offset of a produced batch must be 0");
    if (b->size > v->max)
        return fail_at(v, KAFKA_ETOOLARGE, KAFKA_REC_ERR_MESSAGE_TOO_LARGE, pos + 8, index, -1,
                       "batch is larger than the maximum message size");
    if (kafka_crc32c(0, p + KAFKA_BATCH_CRC_START, b->size - KAFKA_BATCH_CRC_START) != b->crc)
        return fail_at(v, KAFKA_ECRC, CORRUPT, pos + 17, index, -1, "batch CRC-32C does not match");
    return 0;
}

/* Stage 2 for a v2 batch: LogValidator.validateBatch and the records. */
static int deep_v2(vctx_t *v, const kafka_batch_t *b, size_t pos, int32_t index) {
    kafka_validate_info_t *info = v->info;
    int64_t from_offsets = (int64_t)b->last_offset_delta + 1;
    if (from_offsets <= 0)
        return fail_at(v, KAFKA_EINVAL, INVALID, pos + 23, index, -1,
                       "batch has an invalid offset range");
    if (b->record_count <= 0)
        return fail_at(v, KAFKA_EINVAL, INVALID, pos + 57, index, -1,
                       "invalid record count for a batch");
    if (from_offsets != b->record_count)
        return fail_at(v, KAFKA_EINVAL, INVALID, pos + 23, index, -1,
                       "batch offset range and record count disagree");
    if (kafka_batch_is_control(b))
        return fail_at(v, KAFKA_EINVAL, INVALID, pos + 21, index, -1,
                       "clients are not allowed to write control records");
    if (b->producer_id >= 0 && b->base_sequence < 0)
        return fail_at(v, KAFKA_EINVAL, INVALID, pos + 53, index, -1,
                       "invalid sequence number for an idempotent batch");
    if (!kafka_codec_known(kafka_batch_codec(b)))
        return fail_at(v, KAFKA_EUNSUPPORTED, KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, pos + 21,
                       index, -1, "unknown compression codec");

    kafka_record_iter_t it;
    int rc = kafka_record_iter_init(&it, b, v->limit, v->err);
    if (rc) {
        if (v->err && v->err->code == rc)
            v->err->offset += pos;
        rec_err_locate(v->err, index, -1);
        return rc;
    }
    kafka_record_t r;
    int32_t n = 0;
    bool lat = kafka_batch_is_log_append_time(b);
    size_t rec_base = pos + KAFKA_BATCH_V2_OVERHEAD;
    while ((rc = kafka_record_iter_next(&it, &r, v->err)) == 1) {
        size_t at = it.origin ? rec_base + (size_t)(r.data - it.origin) : rec_base;
        if (r.offset_delta != n) {
            rc = fail_at(v, KAFKA_EINVAL, INVALID, at, index, n,
                         "record offset deltas must count up from 0");
            break;
        }
        check_record(v, r.key.len >= 0, r.timestamp, lat, at, index, n);
        n++;
    }
    kafka_record_iter_free(&it);
    if (rc < 0) {
        if (v->err && v->err->code == rc && v->err->batch_index < 0)
            v->err->offset += pos;
        rec_err_locate(v->err, index, -1);
        return rc;
    }
    info->record_count += n;
    info->producer_id = b->producer_id;
    info->producer_epoch = b->producer_epoch;
    info->base_sequence = b->base_sequence;
    info->transactional = kafka_batch_is_transactional(b);
    return flush_problems(v);
}

/* Stage 1 for a legacy message: size, structure, CRC. */
static int shallow_legacy(vctx_t *v, const uint8_t *p, size_t left, size_t pos, int32_t index,
                          kafka_legacy_msg_t *m) {
    if (left >= KAFKA_LOG_OVERHEAD) {
        int32_t size = (int32_t)rd_be32(p + 8);
        if (size >= KAFKA_LEGACY_OVERHEAD_V0 && (size_t)size + KAFKA_LOG_OVERHEAD > v->max &&
            (size_t)size <= left - KAFKA_LOG_OVERHEAD)
            return fail_at(v, KAFKA_ETOOLARGE, KAFKA_REC_ERR_MESSAGE_TOO_LARGE, pos + 8, index, -1,
                           "message is larger than the maximum message size");
    }
    int rc = kafka_legacy_parse(p, left, 0, m, v->err);
    if (rc) {
        if (v->err && v->err->code == rc)
            v->err->offset += pos;
        rec_err_locate(v->err, index, -1);
    }
    return rc;
}

/* Stage 2 for a legacy message: the logical records it holds. */
static int deep_legacy(vctx_t *v, const kafka_legacy_msg_t *m, size_t pos, int32_t index) {
    if (kafka_legacy_codec(m) == KAFKA_CODEC_NONE) {
        check_record(v, m->key.len >= 0, m->timestamp, m->log_append_time, pos, index, 0);
        v->info->record_count++;
        return flush_problems(v);
    }
    kafka_legacy_deep_iter_t it;
    kafka_legacy_deep_init(&it, m->data, m->total, 0, v->limit);
    it.outer.base = pos;
    kafka_legacy_msg_t in;
    int rc;
    int32_t n = 0;
    while ((rc = kafka_legacy_deep_next(&it, &in, v->err)) == 1) {
        check_record(v, in.key.len >= 0, in.timestamp, m->log_append_time, pos, index, n);
        n++;
    }
    kafka_legacy_deep_free(&it);
    if (rc < 0) {
        if (v->err)
            v->err->batch_index = index;
        return rc;
    }
    v->info->record_count += n;
    return flush_problems(v);
}

/* ProduceRequest.validateRecords: rules of Produce v3 and later. */
static int request_rules(vctx_t *v, const uint8_t *p, size_t len) {
    int16_t ver = v->o->produce_version;
    if (ver < 3)
        return 0;
    if (kafka_records_magic(p, len) != KAFKA_MAGIC_V2)
        return fail_at(v, KAFKA_EINVAL, INVALID, 16, 0, -1,
                       "Produce v3 and later only carry magic-2 batches");
    if (len >= 23 && ver < 7 && (rd_be16(p + 21) & KAFKA_BATCH_ATTR_CODEC_MASK) == KAFKA_CODEC_ZSTD)
        return fail_at(v, KAFKA_EUNSUPPORTED, KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE, 21, 0, -1,
                       "zstd needs Produce v7 or later");
    int32_t length = (int32_t)rd_be32(p + 8);
    if (length >= 0 && (size_t)length < len - KAFKA_LOG_OVERHEAD)
        return fail_at(v, KAFKA_EINVAL, INVALID, KAFKA_LOG_OVERHEAD + (size_t)length, 1, -1,
                       "Produce v3 and later carry exactly one batch per partition");
    return 0;
}

int kafka_records_validate(const void *buf, size_t len, const kafka_validate_opts_t *opts,
                           kafka_validate_info_t *info, kafka_rec_err_t *err) {
    kafka_validate_opts_t defaults;
    kafka_validate_info_t tmp_info;
    if (!opts) {
        kafka_validate_opts_init(&defaults);
        opts = &defaults;
    }
    if (!info)
        info = &tmp_info;
    memset(info, 0, sizeof *info);
    info->magic = -1;
    info->max_timestamp = KAFKA_NO_TIMESTAMP;
    info->producer_id = KAFKA_NO_PRODUCER_ID;
    info->producer_epoch = KAFKA_NO_PRODUCER_EPOCH;
    info->base_sequence = KAFKA_NO_SEQUENCE;
    vctx_t v = {.o = opts, .info = info, .err = err};
    v.max = opts->max_message_bytes ? opts->max_message_bytes : KAFKA_MAX_MESSAGE_BYTES_DEFAULT;
    v.limit = opts->decompress_limit ? opts->decompress_limit : v.max;
    kafka_rec_err_clear(&v.rec_err);

    const uint8_t *p = buf;
    if (len == 0)
        return fail_at(&v, KAFKA_EINVAL, INVALID, 0, -1, -1, "no record batches");
    int rc = request_rules(&v, p, len);
    if (rc)
        return rc;

    /* Stage 1: every entry's framing, size and checksum. */
    int first_magic = -1;
    bool compressed = false;
    int32_t index = 0;
    for (size_t pos = 0; pos < len; index++) {
        size_t left = len - pos;
        int magic = kafka_records_magic(p + pos, left);
        if (magic < 0)
            return fail_at(&v, KAFKA_ETRUNC, CORRUPT, pos, index, -1,
                           "input ends inside an entry header");
        if (first_magic < 0)
            first_magic = magic;
        size_t size;
        if (magic == KAFKA_MAGIC_V2) {
            kafka_batch_t b;
            if ((rc = shallow_v2(&v, p + pos, left, pos, index, &b)) != 0)
                return rc;
            size = b.size;
            if (kafka_batch_codec(&b) != KAFKA_CODEC_NONE) {
                compressed = true;
                info->codec = kafka_batch_codec(&b);
            }
        } else if (magic == KAFKA_MAGIC_V0 || magic == KAFKA_MAGIC_V1) {
            kafka_legacy_msg_t m;
            if ((rc = shallow_legacy(&v, p + pos, left, pos, index, &m)) != 0)
                return rc;
            size = m.total;
            if (kafka_legacy_codec(&m) != KAFKA_CODEC_NONE) {
                compressed = true;
                info->codec = kafka_legacy_codec(&m);
            }
        } else {
            return fail_at(&v, KAFKA_EINVAL, CORRUPT, pos + 16, index, -1, "invalid magic");
        }
        if (magic != first_magic)
            return fail_at(&v, KAFKA_EINVAL, INVALID, pos + 16, index, -1,
                           "entry magic differs from the first entry's");
        pos += size;
    }
    info->magic = (int8_t)first_magic;
    info->batch_count = index;
    info->valid_bytes = len;
    if ((first_magic == KAFKA_MAGIC_V2 || compressed) && index > 1)
        return fail_at(&v, KAFKA_EINVAL, INVALID, 0, 1, -1,
                       "a compressed or magic-2 produce carries exactly one batch");

    /* Stage 2: batch rules and records. */
    index = 0;
    for (size_t pos = 0; pos < len; index++) {
        kafka_rec_err_clear(&v.rec_err);
        if (first_magic == KAFKA_MAGIC_V2) {
            kafka_batch_t b;
            kafka_batch_parse(p + pos, len - pos, KAFKA_RECORDS_SKIP_CRC, &b, NULL);
            if ((rc = deep_v2(&v, &b, pos, index)) != 0)
                return rc;
            pos += b.size;
        } else {
            kafka_legacy_msg_t m;
            kafka_legacy_parse(p + pos, len - pos, KAFKA_RECORDS_SKIP_CRC, &m, NULL);
            if ((rc = deep_legacy(&v, &m, pos, index)) != 0)
                return rc;
            pos += m.total;
        }
    }
    return 0;
}
