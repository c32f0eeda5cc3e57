/* One partition: its log directory, the log configuration derived from the
 * broker settings and the topic's explicit configs, and its lifetime. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *emb_part_path(const char *log_dir, const char *topic, int32_t index) {
    size_t n = strlen(log_dir) + strlen(topic) + 16;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s-%d", log_dir, topic, (int)index);
    return s;
}

const char *emb_topic_cfg(const emb_topic_t *t, const char *key) {
    for (size_t i = 0; i < t->ncfgs; i++) {
        if (strcmp(t->cfgs[i].key, key) == 0)
            return t->cfgs[i].value;
    }
    return NULL;
}

int64_t emb_topic_cfg_i64(const emb_topic_t *t, const char *key, int64_t dflt) {
    const char *v = emb_topic_cfg(t, key);
    if (!v)
        return dflt;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *end ? dflt : x;
}

bool emb_topic_has_policy(const emb_topic_t *t, const char *policy) {
    const char *v = emb_topic_cfg(t, "cleanup.policy");
    if (!v)
        return strcmp(policy, "delete") == 0;
    size_t n = strlen(policy);
    for (const char *p = v; *p;) {
        p += strspn(p, ", \t");
        size_t len = strcspn(p, ", \t");
        if (len == n && strncmp(p, policy, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static void log_config(const emb_t *be, const emb_topic_t *t, kgw_log_config_t *lc) {
    kgw_log_config_default(lc);
    const kgw_config_t *c = &be->cfg;
    if (c->log_segment_bytes > 0)
        lc->segment_bytes = c->log_segment_bytes;
    lc->segment_ms = c->log_roll_ms > 0 ? c->log_roll_ms : lc->segment_ms;
    lc->retention_ms = c->log_retention_ms;
    lc->retention_bytes = c->log_retention_bytes;
    lc->segment_bytes = emb_topic_cfg_i64(t, "segment.bytes", lc->segment_bytes);
    lc->segment_ms = emb_topic_cfg_i64(t, "segment.ms", lc->segment_ms);
    lc->retention_ms = emb_topic_cfg_i64(t, "retention.ms", lc->retention_ms);
    lc->retention_bytes = emb_topic_cfg_i64(t, "retention.bytes", lc->retention_bytes);
    /* Kafka deletes old segments only under the delete policy: a
     * compact-only topic keeps every key's latest value however old. */
    if (!emb_topic_has_policy(t, "delete"))
        lc->retention_ms = lc->retention_bytes = -1;
    /* Size limits are the Produce handler's job (max.message.bytes); the
     * log's bound only has to admit anything a request can carry, and must
     * not shrink, or recovery would cut batches written under a larger one. */
    lc->max_batch_bytes = (int32_t)be->max_batch_bytes;
}

void emb_part_apply_configs(emb_t *be, emb_topic_t *t, emb_part_t *p) {
    const char *ts = emb_topic_cfg(t, "message.timestamp.type");
    atomic_store(&p->log_append_time, ts && strcmp(ts, "LogAppendTime") == 0);
    kgw_log_config_t lc;
    log_config(be, t, &lc);
    uv_mutex_lock(&p->mu);
    if (!p->closed) {
        pthread_mutex_lock(&p->log.mu);
        p->log.cfg.segment_bytes = lc.segment_bytes;
        p->log.cfg.segment_ms = lc.segment_ms;
        p->log.cfg.retention_ms = lc.retention_ms;
        p->log.cfg.retention_bytes = lc.retention_bytes;
        pthread_mutex_unlock(&p->log.mu);
    }
    uv_mutex_unlock(&p->mu);
}

int emb_part_open(emb_t *be, emb_topic_t *t, int32_t index, size_t dir_idx, emb_part_t **out) {
    emb_part_t *p = calloc(1, sizeof *p);
    if (!p)
        return KGW_ENOMEM;
    atomic_init(&p->refs, 1);
    atomic_init(&p->closing, false);
    p->index = index;
    p->dir_idx = dir_idx;
    p->first_unflushed_ms = -1;
    p->topic = strdup(t->name);
    p->dir = emb_part_path(be->dirs.v[dir_idx], t->name, index);
    if (!p->topic || !p->dir) {
        free(p->topic);
        free(p->dir);
        free(p);
        return KGW_ENOMEM;
    }
    uv_mutex_init(&p->mu);
    uv_mutex_init(&p->pmu);
    uv_mutex_init(&p->cmu);
    kgw_log_config_t lc;
    log_config(be, t, &lc);
    int rc = kgw_log_open(&p->log, p->dir, &lc);
    if (rc == 0) {
        const char *ts = emb_topic_cfg(t, "message.timestamp.type");
        atomic_init(&p->log_append_time, ts && strcmp(ts, "LogAppendTime") == 0);
        rc = emb_pstate_rebuild(p);
        if (rc < 0)
            kgw_log_close(&p->log);
    }
    if (rc < 0) {
        p->closed = true;
        emb_part_unref(p);
        return rc == -ENOMEM || rc == KGW_ENOMEM ? KGW_ENOMEM : KGW_EIO;
    }
    *out = p;
    return 0;
}

void emb_part_ref(emb_part_t *p) {
    atomic_fetch_add(&p->refs, 1);
}

void emb_part_unref(emb_part_t *p) {
    if (atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    if (!p->closed)
        kgw_log_close(&p->log);
    emb_pstate_free(&p->ps);
    uv_mutex_destroy(&p->mu);
    uv_mutex_destroy(&p->pmu);
    uv_mutex_destroy(&p->cmu);
    free(p->topic);
    free(p->dir);
    free(p);
}

void emb_part_close(emb_part_t *p) {
    /* A compaction pass gives up at its next batch; then cmu is free. */
    atomic_store(&p->closing, true);
    uv_mutex_lock(&p->cmu);
    uv_mutex_lock(&p->mu);
    if (!p->closed) {
        p->closed = true;
        kgw_log_close(&p->log);
    }
    uv_mutex_unlock(&p->mu);
    uv_mutex_unlock(&p->cmu);
}
