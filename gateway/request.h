/* One Kafka request from arrival to response. A request owns its frame
 * bytes and an arena; the decoded body's strings, bytes and records are views
 * into the frame, so both live until the response has been written.
 *
 * A handler completes every request exactly once, with kgw_request_respond
 * (after filling the response from kgw_request_response) or
 * kgw_request_finish_silently (acks=0 produce) or kgw_request_fail_connection.
 * It may do so later, from a callback (a durable produce, a long-poll fetch).
 * Responses go out strictly in request order per connection. If the client
 * disconnects first, req->conn becomes NULL and completing is still required
 * (the response is then dropped). */
#ifndef KGW_REQUEST_H
#define KGW_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kafka/api.h"
#include "kafka/arena.h"
#include "kafka/msg/request_header.h"

typedef struct kgw_server kgw_server_t;
typedef struct kgw_conn kgw_conn_t;

typedef struct kgw_cleanup {
    void (*fn)(void *arg);
    void *arg;
    struct kgw_cleanup *next;
} kgw_cleanup_t;

typedef struct kgw_request {
    kgw_server_t *server;
    kgw_conn_t *conn; /* NULL once the connection is gone */
    const kafka_api_desc_t *api;
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    kafka_request_header_t header;
    void *body;     /* the decoded request, e.g. kafka_produce_request_t * */
    void *response; /* the response being built, from kgw_request_response */
    kafka_arena_t arena;
    uint8_t *frame; /* request bytes after the size prefix (owned) */
    size_t frame_len;
    size_t reserved; /* response bytes counted by kgw_conn_reserve */
    uint64_t received_ms;
    bool completed;
    bool silent; /* no response frame */
    kgw_cleanup_t *cleanups;
    struct kgw_request *next; /* per-connection FIFO */
} kgw_request_t;

/* The response struct for this request's api, allocated in the request's
 * arena and initialised with the schema defaults (same pointer on every call). */
void *kgw_request_response(kgw_request_t *req);
/* Arena memory for the request's lifetime; NULL when the arena cap is hit. */
void *kgw_request_alloc(kgw_request_t *req, size_t size);
/* Runs fn(arg) when the request is freed (e.g. to release a backend read). */
void kgw_request_on_free(kgw_request_t *req, void (*fn)(void *arg), void *arg);
/* Counts up to `bytes` of response (capped at what a connection may have
 * pending) against the client's connection until the request is answered,
 * so pipelined requests cannot pile up unbounded responses. */
void kgw_request_reserve(kgw_request_t *req, size_t bytes);
/* Completes with req->response. */
void kgw_request_respond(kgw_request_t *req);
/* Completes with no response frame. */
void kgw_request_finish_silently(kgw_request_t *req);
/* Completes by closing the connection (the protocol's answer to a request
 * that cannot be answered). */
void kgw_request_fail_connection(kgw_request_t *req, const char *why);
/* The client's "host:port", or NULL once its connection has closed. */
const char *kgw_request_peer(const kgw_request_t *req);

#endif
