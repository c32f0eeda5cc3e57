/* The embedded backend: topics as directories of partition logs
 * (storage/log) spread over the dirs of log.dirs, appends on an I/O thread
 * with group commit. */
#ifndef KGW_EMBEDDED_H
#define KGW_EMBEDDED_H

#include <uv.h>

#include "../../config.h"
#include "../backend.h"

/* Opens (recovering) the data directories of config->log_dirs: creates and
 * locks each, finds every partition in the dir that holds it. The backend
 * posts its callbacks to loop. 0 or a negative KGW_E* / -errno; err then
 * says what is wrong when it is more than the code (errlen may be 0). */
int kgw_embedded_open(kgw_backend_t **out, uv_loop_t *loop, const kgw_config_t *config, char *err,
                      size_t errlen);

/* Counters of the I/O thread, for tests and monitoring. */
typedef struct kgw_embedded_stats {
    uint64_t appends;       /* append requests completed by the I/O thread */
    uint64_t fsyncs;        /* kgw_log_flush calls */
    uint64_t commit_rounds; /* passes over the queue that flushed for acks=-1 */
    uint64_t duplicates;    /* idempotent duplicates answered from producer state */
} kgw_embedded_stats_t;

void kgw_embedded_stats(kgw_backend_t *be, kgw_embedded_stats_t *out);

#endif
