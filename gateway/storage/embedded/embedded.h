/* The embedded backend: topics as directories of partition logs
 * (storage/log) under log.dirs, appends on an I/O thread with group commit. */
#ifndef KGW_EMBEDDED_H
#define KGW_EMBEDDED_H

#include <uv.h>

#include "../../config.h"
#include "../backend.h"

/* Opens (recovering) the data directory config->log_dirs. The backend posts
 * its callbacks to loop. 0 or a negative KGW_E* / -errno. */
int kgw_embedded_open(kgw_backend_t **out, uv_loop_t *loop, const kgw_config_t *config);

/* Counters of the I/O thread, for tests and monitoring. */
typedef struct kgw_embedded_stats {
    uint64_t appends;       /* append requests completed by the I/O thread */
    uint64_t fsyncs;        /* kgw_log_flush calls */
    uint64_t commit_rounds; /* passes over the queue that flushed for acks=-1 */
    uint64_t duplicates;    /* idempotent duplicates answered from producer state */
} kgw_embedded_stats_t;

void kgw_embedded_stats(kgw_backend_t *be, kgw_embedded_stats_t *out);

#endif
