/* API handlers. Each handler module exports a table of what it implements;
 * dispatch advertises, per API, the intersection of the codec's versions and
 * the handler's. A handler receives a decoded request (req->body, the
 * kafka_<api>_request_t of req->api_version) and completes it as request.h
 * describes. */
#ifndef KGW_HANDLERS_H
#define KGW_HANDLERS_H

#include <stddef.h>

#include "../request.h"
#include "../server.h"

typedef void (*kgw_handler_fn)(kgw_request_t *req);

typedef struct kgw_handler {
    int16_t api_key;
    int16_t min_version; /* versions this handler really implements */
    int16_t max_version;
    kgw_handler_fn handle;
} kgw_handler_t;

typedef struct kgw_handler_table {
    const kgw_handler_t *handlers;
    size_t count;
} kgw_handler_table_t;

/* Tables, one per module: core (ApiVersions), data (produce, fetch,
 * offsets, producers), admin (metadata, topics, configs, cluster, log dirs),
 * groups (the coordinator). */
extern const kgw_handler_table_t kgw_handlers_core;
extern const kgw_handler_table_t kgw_handlers_data;
extern const kgw_handler_table_t kgw_handlers_admin;
extern const kgw_handler_table_t kgw_handlers_groups;

/* The handler for an api key, or NULL. */
const kgw_handler_t *kgw_handler_find(int16_t api_key);
/* Advertised range for an api key (codec ∩ handler); false if not served. */
bool kgw_handler_versions(int16_t api_key, int16_t *min_version, int16_t *max_version);

/* Lifecycle hooks of the data handlers (fetch long-poll waiters, ...): start
 * after the backend is up; stop fails every parked request before the
 * server closes connections. on_data is installed as the backend's listener. */
int kgw_data_handlers_start(kgw_server_t *s);
void kgw_data_handlers_stop(kgw_server_t *s);
void kgw_data_handlers_on_data(void *server, const char *topic, int32_t partition,
                               int64_t high_watermark);

/* Lifecycle of the group coordinator (server->group_state): start loads the
 * persisted group state after the data handlers start; stop answers parked
 * joins and syncs before connections close. */
int kgw_group_handlers_start(kgw_server_t *s);
void kgw_group_handlers_stop(kgw_server_t *s);

#endif
