/* Conversion between legacy message sets and magic-2 batches: up for storing
 * what old producers send, down for old consumers. */
#include <string.h>

#include "kafka/legacy_records.h"
#include "records_int.h"

void kafka_convert_opts_init(kafka_convert_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->codec = -1;
    o->level = KAFKA_LEVEL_DEFAULT;
}

static const kafka_convert_opts_t *opts_or_default(const kafka_convert_opts_t *o,
                                                   kafka_convert_opts_t *tmp) {
    if (o)
        return o;
    kafka_convert_opts_init(tmp);
    return tmp;
}

/* What must be equal for consecutive legacy messages to share a batch. */
typedef struct group {
    int32_t wrapper; /* index of the compressed wrapper, -1 for plain messages */
    int codec;
    bool lat;
    int64_t lat_ms;
} group_t;

static bool same_group(const group_t *a, const group_t *b) {
    return a->wrapper == b->wrapper && a->codec == b->codec && a->lat == b->lat &&
           (!a->lat || a->lat_ms == b->lat_ms);
}

int kafka_legacy_to_v2(const void *buf, size_t len, const kafka_convert_opts_t *opts,
                       kafka_buf_t *out, kafka_rec_err_t *err) {
    kafka_convert_opts_t tmp;
    opts = opts_or_default(opts, &tmp);
    size_t start = out->len;
    kafka_legacy_deep_iter_t it;
    kafka_legacy_deep_init(&it, buf, len, 0, opts->decompress_limit);
    kafka_batch_builder_t b;
    kafka_batch_builder_init(&b, NULL);
    bool open = false;
    group_t cur = {0};
    int64_t next_offset = opts->base_offset;
    kafka_legacy_msg_t m;
    int rc;
    while ((rc = kafka_legacy_deep_next(&it, &m, err)) == 1) {
        group_t g = {
            .wrapper = it.in_wrapper ? it.outer.index - 1 : -1,
            .codec = opts->codec >= 0 ? opts->codec
                                      : (it.in_wrapper ? kafka_legacy_codec(&it.wrapper) : 0),
            .lat = m.log_append_time,
            .lat_ms = m.timestamp,
        };
        int64_t offset = opts->assign_offsets ? next_offset++ : m.offset;
        if (open && (!same_group(&cur, &g) || offset <= b.last_offset ||
                     (uint64_t)offset - (uint64_t)b.p.base_offset > INT32_MAX)) {
            if ((rc = kafka_batch_builder_finish(&b, out)) != 0)
                break;
            open = false;
        }
        if (!open) {
            kafka_batch_params_t p;
            kafka_batch_params_init(&p);
            p.base_offset = offset;
            p.codec = g.codec;
            p.level = opts->level;
            p.log_append_time = g.lat;
            p.log_append_time_ms = g.lat ? g.lat_ms : KAFKA_NO_TIMESTAMP;
            kafka_batch_builder_reset(&b, &p);
            cur = g;
            open = true;
        }
        kafka_record_in_t r = {.timestamp = m.timestamp, .key = m.key, .value = m.value};
        if ((rc = kafka_batch_builder_add_at(&b, offset, &r)) != 0)
            break;
    }
    if (rc == 0 && open)
        rc = kafka_batch_builder_finish(&b, out);
    if (rc > 0)
        rc = 0;
    if (rc && (!err || err->code == 0))
        rec_fail(err, rc, 0, 0, "conversion to magic 2 failed");
    kafka_batch_builder_free(&b);
    kafka_legacy_deep_free(&it);
    if (rc)
        out->len = start;
    return rc;
}

int kafka_v2_to_legacy(const void *buf, size_t len, int8_t magic, const kafka_convert_opts_t *opts,
                       kafka_buf_t *out, kafka_rec_err_t *err) {
    kafka_convert_opts_t tmp;
    opts = opts_or_default(opts, &tmp);
    if (magic != KAFKA_MAGIC_V0 && magic != KAFKA_MAGIC_V1)
        return rec_fail(err, KAFKA_EINVAL, KAFKA_REC_ERR_UNKNOWN_SERVER_ERROR, 0,
                        "target magic must be 0 or 1");
    size_t start = out->len;
    kafka_batch_iter_t bi;
    kafka_batch_iter_init(&bi, buf, len, 0);
    kafka_batch_t batch;
    int64_t next_offset = opts->base_offset;
    int rc;
    while ((rc = kafka_batch_iter_next(&bi, &batch, err)) == 1) {
        if (kafka_batch_is_control(&batch))
            continue; /* old consumers have no notion of control records */
        int codec = opts->codec >= 0 ? opts->codec : kafka_batch_codec(&batch);
        if (codec == KAFKA_CODEC_ZSTD || !kafka_codec_known(codec)) {
            rc = rec_fail(err, KAFKA_EUNSUPPORTED, KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE,
                          bi.pos - batch.size + 21, "codec cannot be written as magic 0 or 1");
            rec_err_locate(err, bi.index - 1, -1);
            break;
        }
        kafka_legacy_builder_t lb;
        rc = kafka_legacy_builder_init(&lb, magic, codec, opts->level,
                                       kafka_batch_is_log_append_time(&batch), batch.max_timestamp);
        kafka_record_iter_t ri;
        if (rc == 0 &&
            (rc = kafka_record_iter_init(&ri, &batch, opts->decompress_limit, err)) == 0) {
            kafka_record_t r;
            while ((rc = kafka_record_iter_next(&ri, &r, err)) == 1) {
                int64_t offset = opts->assign_offsets ? next_offset++ : r.offset;
                if ((rc = kafka_legacy_builder_add(&lb, offset, r.timestamp, r.key, r.value)) != 0)
                    break;
            }
            if (rc == 0)
                rc = kafka_legacy_builder_finish(&lb, out);
            kafka_record_iter_free(&ri);
        }
        kafka_legacy_builder_free(&lb);
        if (rc) {
            if (err && err->code) {
                if (err->batch_index < 0)
                    err->offset += bi.pos - batch.size;
                rec_err_locate(err, bi.index - 1, -1);
            }
            break;
        }
    }
    if (rc && (!err || err->code == 0))
        rec_fail(err, rc, 0, 0, "conversion to magic 0/1 failed");
    if (rc)
        out->len = start;
    return rc;
}
