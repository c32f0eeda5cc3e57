/* The embedded backend's entry points: open (recovery), the operations
 * table, destroy.
 *
 * Layout of each dir of log.dirs:
 *   <topic>-<partition>/     partition logs (storage/log), producer.snapshot;
 *                            each partition in exactly one of the dirs
 *   .kgw-embedded.lock       held (flock) while a backend has the dir open
 * and of the first dir only (broker-wide files):
 *   __kgw_topics/<topic>.json  name, id, partition count, explicit configs
 *   __kgw_producer_ids       first producer id not yet reserved */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int emb_list_log_dirs(kgw_backend_t *b, int (*fn)(void *arg, const char *dir), void *arg) {
    emb_t *be = (emb_t *)b;
    for (size_t i = 0; i < be->dirs.n; i++) {
        if (fn(arg, be->dirs.v[i]) != 0)
            break;
    }
    return 0;
}

void kgw_embedded_stats(kgw_backend_t *b, kgw_embedded_stats_t *out) {
    emb_t *be = (emb_t *)b;
    uv_mutex_lock(&be->qmu);
    *out = be->stats;
    uv_mutex_unlock(&be->qmu);
}

void emb_free(emb_t *be) {
    emb_topics_free(be);
    for (size_t i = 0; i < be->ndirty; i++)
        emb_part_unref(be->dirty[i]);
    free(be->dirty);
    emb_cleaner_free(be);
    if (be->sync_init) {
        uv_mutex_destroy(&be->qmu);
        uv_cond_destroy(&be->qcv);
    }
    for (size_t i = 0; be->lock_fds && i < be->dirs.n; i++) {
        if (be->lock_fds[i] >= 0)
            close(be->lock_fds[i]);
    }
    free(be->lock_fds);
    kgw_log_dirs_free(&be->dirs);
    free(be);
}

static void emb_destroy(kgw_backend_t *b) {
    emb_t *be = (emb_t *)b;
    if (!be)
        return;
    if (!be->shut_down || be->open_handles > 0)
        emb_io_stop_join(be);
    if (be->destroy_requested)
        return; /* freed once the loop has closed the handles */
    emb_free(be);
}

const kgw_backend_ops_t emb_ops = {
    .name = "embedded",
    .destroy = emb_destroy,
    .create_topic = emb_create_topic,
    .delete_topic = emb_delete_topic,
    .create_partitions = emb_create_partitions,
    .get_topic = emb_get_topic,
    .get_topic_by_id = emb_get_topic_by_id,
    .list_topics = emb_list_topics,
    .set_topic_config = emb_set_topic_config,
    .list_topic_configs = emb_list_topic_configs,
    .append = emb_append,
    .read = emb_read,
    .read_release = emb_read_release,
    .offsets = emb_offsets,
    .offset_for_timestamp = emb_offset_for_timestamp,
    .delete_records = emb_delete_records,
    .allocate_producer_id = emb_allocate_producer_id,
    .list_producers = emb_list_producers,
    .list_log_dirs = emb_list_log_dirs,
    .list_partition_sizes = emb_list_partition_sizes,
    .shutdown = emb_shutdown,
};

static int lock_dir(const char *dir, int *fd) {
    char path[4352];
    snprintf(path, sizeof path, "%s/.kgw-embedded.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return KGW_EIO;
    /* Two processes appending to the same segments would corrupt them. */
    if (flock(*fd, LOCK_EX | LOCK_NB) < 0)
        return KGW_EIO;
    return 0;
}

/* Creates and locks every dir, and the topic metadata dir in the first. */
static int open_dirs(emb_t *be, const char *list, char *err, size_t errlen) {
    if (kgw_log_dirs_open(&be->dirs, list, err, errlen) < 0)
        return KGW_EINVAL;
    if (!(be->lock_fds = malloc(be->dirs.n * sizeof *be->lock_fds)))
        return KGW_ENOMEM;
    for (size_t i = 0; i < be->dirs.n; i++)
        be->lock_fds[i] = -1;
    for (size_t i = 0; i < be->dirs.n; i++) {
        if (lock_dir(be->dirs.v[i], &be->lock_fds[i]) < 0) {
            snprintf(err, errlen, "%s is in use by another process", be->dirs.v[i]);
            return KGW_EIO;
        }
    }
    char topics[4352];
    snprintf(topics, sizeof topics, "%s/%s", emb_meta_dir(be), EMB_TOPICS_DIR);
    int rc = emb_mkdirs(topics);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", topics, strerror(-rc));
        return KGW_EIO;
    }
    return 0;
}

int kgw_embedded_open(kgw_backend_t **out, uv_loop_t *loop, const kgw_config_t *config, char *err,
                      size_t errlen) {
    *out = NULL;
    if (errlen > 0)
        err[0] = '\0';
    emb_t *be = calloc(1, sizeof *be);
    if (!be)
        return KGW_ENOMEM;
    be->base.ops = &emb_ops;
    be->loop = loop;
    be->cfg = *config;
    int64_t mb = 64 * 1024 * 1024;
    if (config->message_max_bytes > mb)
        mb = config->message_max_bytes;
    if (config->socket_request_max_bytes > mb)
        mb = config->socket_request_max_bytes;
    be->max_batch_bytes = mb;
    int rc = open_dirs(be, config->log_dirs, err, errlen);
    if (rc < 0)
        goto fail;
    emb_remove_deleted_dirs(be);
    if ((rc = emb_pid_load(be)) < 0 || (rc = emb_topics_load(be, err, errlen)) < 0)
        goto fail;
    uv_mutex_init(&be->qmu);
    uv_cond_init(&be->qcv);
    be->sync_init = true;
    if ((rc = emb_io_start(be)) < 0) {
        emb_destroy(&be->base);
        return rc;
    }
    *out = &be->base;
    return 0;
fail:
    emb_free(be);
    return rc;
}
