/* One client connection: Kafka framing on the read side, the FIFO of
 * requests in arrival order, and in-order response writes with
 * backpressure. Private to the server (server.c, request.c, dispatch.c). */
#ifndef KGW_CONN_H
#define KGW_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "request.h"
#include "server.h"

/* Unsent response bytes plus in-flight request memory (including what
 * requests reserved for their responses) above which a connection stops
 * dispatching requests and reading; it resumes below half of it. */
#define KGW_CONN_PENDING_CAP ((size_t)64 << 20)
/* What an in-flight request costs beyond its frame (struct, first arena chunk). */
#define KGW_REQUEST_OVERHEAD ((size_t)8192 + sizeof(kgw_request_t))

/* A growable byte buffer of encoded response frames. */
typedef struct kgw_outbuf {
    uint8_t *data;
    size_t len, cap;
} kgw_outbuf_t;

struct kgw_conn {
    uv_tcp_t tcp;
    kgw_server_t *server;
    kgw_conn_t *prev, *next;
    uint64_t id;
    char peer[64];
    uint64_t last_active; /* uv_now() of the last read or write */

    /* Framing: the 4-byte size, then the frame being filled. */
    uint8_t size_buf[4];
    size_t size_got;
    uint8_t *frame;
    size_t frame_len, frame_got;

    /* Requests in arrival order; the head is the next response to send. */
    kgw_request_t *head, *tail;
    size_t pending_bytes; /* see KGW_CONN_PENDING_CAP */
    /* Bytes read but not yet framed when dispatching paused (owned). */
    uint8_t *backlog;
    size_t backlog_len;
    bool consuming; /* inside consume(): resuming waits for it to return */

    /* At most one write in flight; responses completed meanwhile gather in
     * `out` and go in the next write, so a slow reader costs only its bytes. */
    kgw_outbuf_t out;
    kgw_outbuf_t writing;
    uv_write_t write_req;
    bool write_in_flight;

    bool reading; /* uv_read_start is active */
    bool paused;  /* stopped by backpressure */
    bool no_read; /* never read again (shutdown) */
    bool closing;
    bool flushing; /* inside kgw_conn_on_completed (which may re-enter) */
    bool flush_again;
};

/* Accepts one pending connection on the server's listener. */
void kgw_conn_accept(kgw_server_t *s);
/* Closes the connection; its unfinished requests are detached (they complete
 * later with their responses dropped). why is logged at debug level. */
void kgw_conn_close(kgw_conn_t *c, const char *why);
/* Stops reading for good (graceful shutdown). */
void kgw_conn_stop_reading(kgw_conn_t *c);
/* True when no request is in flight and every response is written. */
bool kgw_conn_idle(const kgw_conn_t *c);

/* Counts bytes the request's response may take against the connection's
 * KGW_CONN_PENDING_CAP, from now until the request is answered, so a client
 * cannot pile up unbounded responses by pipelining requests it never reads. */
void kgw_conn_reserve(kgw_conn_t *c, kgw_request_t *req, size_t bytes);

/* For request.c and dispatch.c. */
/* A new request owning frame, appended to c's FIFO. */
kgw_request_t *kgw_request_create(kgw_conn_t *c, uint8_t *frame, size_t frame_len);
/* Appends req to c's FIFO. */
void kgw_conn_enqueue(kgw_conn_t *c, kgw_request_t *req);
/* Frees a completed request: cleanups, arena, frame. */
void kgw_request_free(kgw_request_t *req);
/* Appends the response frame (size prefix, header, body) to out.
 * 0 or a negative KAFKA_E* code (out unchanged). */
int kgw_request_encode_response(kgw_request_t *req, kgw_outbuf_t *out);
/* A request of c's FIFO was completed: write what is ready, in order. */
void kgw_conn_on_completed(kgw_conn_t *c);
/* Decodes one frame and hands it to its handler (dispatch.c). Takes
 * ownership of frame. */
void kgw_dispatch_frame(kgw_conn_t *c, uint8_t *frame, size_t len);

#endif
