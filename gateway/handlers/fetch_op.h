/* A Fetch request being served: its partitions, what the last read pass
 * found for each, and the response those reads fill in. fetch.c reads;
 * fetch_wait.c parks an op until data arrives or MaxWaitMs passes. */
#ifndef KGW_FETCH_OP_H
#define KGW_FETCH_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../request.h"
#include "../storage/backend.h"
#include "kafka/compress.h"
#include "kafka/msg/fetch_response.h"

typedef struct kgw_fetch_wait kgw_fetch_wait_t;

typedef struct kgw_fetch_part {
    const kgw_topic_info_t *topic; /* NULL when the topic is unknown */
    int32_t partition;
    int64_t fetch_offset;
    int32_t max_bytes;
    int16_t error; /* decided before reading (unknown topic, epoch); never retried */
    kafka_fetch_response_partition_data_t *resp;
    bool have_read;
    kgw_read_result_t read;
    kafka_buf_t converted; /* down-converted records for old fetch versions */
} kgw_fetch_part_t;

/* Heap-allocated and released when its request is freed, so the backend
 * reads it holds stay valid while the response is written. */
typedef struct kgw_fetch_op {
    kgw_request_t *req;
    kgw_backend_t *backend; /* kept here: releasing must not need the request */
    kgw_fetch_part_t *parts;
    size_t nparts;
    kgw_topic_info_t *topics;
    size_t ntopics;
    int32_t max_bytes;
    int32_t min_bytes;
    int32_t max_wait_ms;
    bool read_committed;
    kgw_fetch_wait_t *wait; /* set while parked */
} kgw_fetch_op_t;

/* Re-reads every partition into the response; returns the record bytes
 * gathered and sets *errors when some partition failed while reading. */
size_t kgw_fetch_read_all(kgw_fetch_op_t *op, bool *errors);

/* Whether the op now reads something of interest for (topic, partition). */
bool kgw_fetch_wants(const kgw_fetch_op_t *op, const char *topic, int32_t partition);

#endif
