/* The embedded backend's entry points: open (recovery), the operations
 * table, destroy.
 *
 * Layout of log.dirs (its first entry when it lists several):
 *   <topic>-<partition>/     partition logs (storage/log), producer.snapshot
 *   __kgw_topics/<topic>.json  name, id, partition count, explicit configs
 *   __kgw_producer_ids       first producer id not yet reserved
 *   .kgw-embedded.lock       held (flock) while a backend has the dir open */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *emb_log_dir(kgw_backend_t *b) {
    return ((emb_t *)b)->dir;
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
    if (be->sync_init) {
        uv_mutex_destroy(&be->qmu);
        uv_cond_destroy(&be->qcv);
    }
    if (be->lock_fd >= 0)
        close(be->lock_fd);
    free(be->dir);
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
    .log_dir = emb_log_dir,
    .list_partition_sizes = emb_list_partition_sizes,
    .shutdown = emb_shutdown,
};

/* The first entry of a comma-separated log.dirs, trimmed. */
static char *first_dir(const char *dirs) {
    while (*dirs == ' ' || *dirs == '\t')
        dirs++;
    size_t n = strcspn(dirs, ",");
    while (n > 0 && (dirs[n - 1] == ' ' || dirs[n - 1] == '\t'))
        n--;
    if (n == 0)
        return strdup("./data");
    while (n > 1 && dirs[n - 1] == '/')
        n--;
    return strndup(dirs, n);
}

static int lock_dir(emb_t *be) {
    char path[4352];
    snprintf(path, sizeof path, "%s/.kgw-embedded.lock", be->dir);
    be->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (be->lock_fd < 0)
        return KGW_EIO;
    /* Two processes appending to the same segments would corrupt them. */
    if (flock(be->lock_fd, LOCK_EX | LOCK_NB) < 0)
        return KGW_EIO;
    return 0;
}

int kgw_embedded_open(kgw_backend_t **out, uv_loop_t *loop, const kgw_config_t *config) {
    *out = NULL;
    emb_t *be = calloc(1, sizeof *be);
    if (!be)
        return KGW_ENOMEM;
    be->base.ops = &emb_ops;
    be->loop = loop;
    be->cfg = *config;
    be->lock_fd = -1;
    int64_t mb = 64 * 1024 * 1024;
    if (config->message_max_bytes > mb)
        mb = config->message_max_bytes;
    if (config->socket_request_max_bytes > mb)
        mb = config->socket_request_max_bytes;
    be->max_batch_bytes = mb;
    int rc = KGW_ENOMEM;
    if (!(be->dir = first_dir(config->log_dirs)))
        goto fail;
    char topics[4352];
    snprintf(topics, sizeof topics, "%s/%s", be->dir, EMB_TOPICS_DIR);
    rc = KGW_EIO;
    if (emb_mkdirs(be->dir) < 0 || emb_mkdirs(topics) < 0)
        goto fail;
    if ((rc = lock_dir(be)) < 0)
        goto fail;
    emb_remove_deleted_dirs(be);
    if ((rc = emb_pid_load(be)) < 0 || (rc = emb_topics_load(be)) < 0)
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
