/* The kgw server: one libuv loop owning the listener, the connections, the
 * backend and the handlers' shared state. Single-threaded: everything here
 * runs on the loop thread (the embedded backend's I/O thread posts back). */
#ifndef KGW_SERVER_H
#define KGW_SERVER_H

#include <uv.h>

#include "config.h"
#include "storage/backend.h"

typedef struct kgw_conn kgw_conn_t;

typedef struct kgw_server {
    uv_loop_t *loop;
    const kgw_config_t *config;
    kgw_backend_t *backend;
    char cluster_id[32]; /* persisted in the data directory */

    /* State owned by the handler modules (fetch waiters, producer ids, the
     * group coordinator); set up by kgw_handlers_start. */
    void *fetch_state;
    void *group_state;

    /* Private to server.c / conn.c. */
    uv_tcp_t listener;
    kgw_conn_t *conns; /* doubly linked list of open connections */
    size_t conn_count;
    bool stopping;
    uv_timer_t idle_timer; /* connections.max.idle.ms */
    uv_signal_t sigterm, sigint;
    void (*on_stopped)(struct kgw_server *s);
} kgw_server_t;

/* Binds the listener and starts accepting. 0 or a negative libuv error. */
int kgw_server_start(kgw_server_t *s, uv_loop_t *loop, const kgw_config_t *config,
                     kgw_backend_t *backend);
/* Makes sure idle connections are looked for (after an accept). */
void kgw_server_watch_idle(kgw_server_t *s);
/* Graceful stop: stop accepting, let in-flight requests finish or fail,
 * close connections, shut the backend down (flush), then on_stopped. */
void kgw_server_stop(kgw_server_t *s);

#endif
