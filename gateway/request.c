#include "request.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "kafka/msg/response_header.h"
#include "logging.h"

/* Decoded structures may take this much beyond the frame's own size. */
#define REQUEST_ARENA_CAP ((size_t)16 << 20)

kgw_request_t *kgw_request_create(kgw_conn_t *c, uint8_t *frame, size_t frame_len) {
    kgw_request_t *req = calloc(1, sizeof *req);
    if (req == NULL)
        return NULL;
    req->server = c->server;
    req->conn = c;
    req->frame = frame;
    req->frame_len = frame_len;
    req->received_ms = uv_now(c->server->loop);
    kafka_arena_init(&req->arena, REQUEST_ARENA_CAP + frame_len);
    kgw_conn_enqueue(c, req);
    return req;
}

void kgw_request_free(kgw_request_t *req) {
    /* Cleanups first: they may release memory the response points into. */
    kgw_cleanup_t *cl = req->cleanups;
    req->cleanups = NULL;
    while (cl != NULL) {
        kgw_cleanup_t *next = cl->next;
        cl->fn(cl->arg);
        free(cl);
        cl = next;
    }
    kafka_arena_destroy(&req->arena);
    free(req->frame);
    free(req);
}

void *kgw_request_response(kgw_request_t *req) {
    if (req->response == NULL) {
        const kafka_msg_vtable_t *vt = req->api->response;
        void *r = kafka_arena_alloc(&req->arena, vt->struct_size);
        if (r == NULL)
            return NULL;
        vt->init(r);
        req->response = r;
    }
    return req->response;
}

void *kgw_request_alloc(kgw_request_t *req, size_t size) {
    return kafka_arena_alloc(&req->arena, size);
}

void kgw_request_on_free(kgw_request_t *req, void (*fn)(void *arg), void *arg) {
    /* malloc, not the arena: a cleanup must be registered even when the
     * request's arena is at its cap. */
    kgw_cleanup_t *cl = malloc(sizeof *cl);
    if (cl == NULL) {
        kgw_error("out of memory registering a request cleanup");
        abort();
    }
    cl->fn = fn;
    cl->arg = arg;
    /* Run in reverse registration order, like destructors. */
    cl->next = req->cleanups;
    req->cleanups = cl;
}

void kgw_request_reserve(kgw_request_t *req, size_t bytes) {
    if (req->conn == NULL)
        return;
    /* A single request must always fit, or its connection would stall. */
    if (bytes > KGW_CONN_PENDING_CAP / 2)
        bytes = KGW_CONN_PENDING_CAP / 2;
    kgw_conn_reserve(req->conn, req, bytes);
}

static bool begin_completion(kgw_request_t *req) {
    if (req->completed) {
        kgw_error("%s v%d request %d completed twice", req->api ? req->api->name : "?",
                  req->api_version, req->correlation_id);
        return false;
    }
    req->completed = true;
    return true;
}

static void finish(kgw_request_t *req) {
    if (req->conn != NULL)
        kgw_conn_on_completed(req->conn);
    else
        kgw_request_free(req);
}

void kgw_request_respond(kgw_request_t *req) {
    if (!begin_completion(req))
        return;
    if (req->response == NULL && kgw_request_response(req) == NULL) {
        req->silent = true;
        if (req->conn != NULL) {
            kgw_conn_close(req->conn, "request arena exhausted");
            return;
        }
    }
    finish(req);
}

void kgw_request_finish_silently(kgw_request_t *req) {
    if (!begin_completion(req))
        return;
    req->silent = true;
    finish(req);
}

void kgw_request_fail_connection(kgw_request_t *req, const char *why) {
    if (!begin_completion(req))
        return;
    req->silent = true;
    if (req->conn != NULL)
        kgw_conn_close(req->conn, why); /* frees req with the rest of the FIFO */
    else
        kgw_request_free(req);
}

const char *kgw_request_peer(const kgw_request_t *req) {
    return req->conn != NULL ? req->conn->peer : NULL;
}

int kgw_request_encode_response(kgw_request_t *req, kgw_outbuf_t *out) {
    const kafka_msg_vtable_t *vt = req->api->response;
    int16_t hv = kafka_response_header_version(req->api_key, req->api_version);
    kafka_response_header_t hdr;
    kafka_response_header_init(&hdr);
    hdr.correlation_id = req->correlation_id;
    kafka_err_t err;
    kafka_err_clear(&err);
    size_t hlen = 0, blen = 0;
    int rc = kafka_response_header_size(&hdr, hv, &hlen, &err);
    if (rc < 0)
        return rc;
    rc = vt->size(req->response, req->api_version, &blen, &err);
    if (rc < 0) {
        char msg[512];
        kafka_err_format(&err, msg, sizeof msg);
        kgw_error("%s v%d response: %s", req->api->name, req->api_version, msg);
        return rc;
    }
    if (hlen + blen > INT32_MAX)
        return KAFKA_ETOOLARGE;
    size_t total = 4 + hlen + blen;
    if (out->cap - out->len < total) {
        size_t cap = out->cap ? out->cap : 4096;
        while (cap - out->len < total)
            cap *= 2;
        uint8_t *p = realloc(out->data, cap);
        if (p == NULL)
            return KAFKA_ENOMEM;
        out->data = p;
        out->cap = cap;
    }
    kafka_writer_t w = kafka_writer_make(out->data + out->len, total);
    w.err = &err;
    rc = kafka_write_int32(&w, (int32_t)(hlen + blen));
    if (rc == 0)
        rc = kafka_response_header_encode(&hdr, hv, &w);
    if (rc == 0)
        rc = vt->encode(req->response, req->api_version, &w);
    if (rc == 0 && w.pos != total)
        rc = KAFKA_EINVAL;
    if (rc < 0)
        return rc;
    out->len += total;
    return 0;
}
