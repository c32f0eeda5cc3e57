#include "conn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "logging.h"

/* Reads of small frames land here and are copied into per-request frames.
 * One buffer serves every connection: the loop is single-threaded and
 * read_cb consumes the bytes before the next alloc_cb. */
static uint8_t shared_read_buf[64 * 1024];

static uint64_t next_conn_id = 1;

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void start_reading(kgw_conn_t *c);
static void consume(kgw_conn_t *c, const uint8_t *p, size_t n);
static void consume_frames(kgw_conn_t *c, const uint8_t *p, size_t n);

static size_t request_cost(const kgw_request_t *req) {
    return req->frame_len + KGW_REQUEST_OVERHEAD + req->reserved;
}

bool kgw_conn_idle(const kgw_conn_t *c) {
    return c->head == NULL && !c->write_in_flight && c->out.len == 0 && c->backlog_len == 0;
}

void kgw_conn_reserve(kgw_conn_t *c, kgw_request_t *req, size_t bytes) {
    req->reserved += bytes;
    c->pending_bytes += bytes;
}

static void maybe_resume(kgw_conn_t *c) {
    /* Inside consume() the caller resumes once it has returned. */
    while (c->paused && !c->closing && !c->no_read && !c->consuming &&
           c->pending_bytes < KGW_CONN_PENDING_CAP / 2) {
        c->paused = false;
        uint8_t *b = c->backlog;
        size_t n = c->backlog_len;
        c->backlog = NULL;
        c->backlog_len = 0;
        if (b != NULL) {
            consume(c, b, n);
            free(b);
        }
        if (!c->paused)
            start_reading(c);
    }
}

static void maybe_pause(kgw_conn_t *c) {
    if (!c->paused && !c->no_read && c->pending_bytes > KGW_CONN_PENDING_CAP) {
        if (c->reading)
            uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
        c->paused = true;
        kgw_debug("connection %" PRIu64 " (%s): %zu bytes pending, reading paused", c->id, c->peer,
                  c->pending_bytes);
    }
}

static void on_close(uv_handle_t *h) {
    kgw_conn_t *c = h->data;
    kgw_server_t *s = c->server;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->conn_count--;
    free(c);
}

void kgw_conn_close(kgw_conn_t *c, const char *why) {
    if (c->closing)
        return;
    c->closing = true;
    kgw_debug("connection %" PRIu64 " (%s) closed: %s", c->id, c->peer, why);
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    free(c->frame);
    c->frame = NULL;
    free(c->backlog);
    c->backlog = NULL;
    c->backlog_len = 0;
    free(c->out.data);
    c->out = (kgw_outbuf_t){NULL, 0, 0};
    kgw_request_t *req = c->head;
    c->head = c->tail = NULL;
    while (req != NULL) {
        kgw_request_t *next = req->next;
        req->next = NULL;
        req->conn = NULL;
        /* Unfinished requests free themselves when their handler completes them. */
        if (req->completed)
            kgw_request_free(req);
        req = next;
    }
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

void kgw_conn_stop_reading(kgw_conn_t *c) {
    c->no_read = true;
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    kgw_conn_t *c = h->data;
    /* A large frame is read straight into its own buffer, without a copy. */
    if (c->frame != NULL && c->frame_len - c->frame_got >= sizeof shared_read_buf) {
        *buf =
            uv_buf_init((char *)c->frame + c->frame_got, (unsigned)(c->frame_len - c->frame_got));
        return;
    }
    *buf = uv_buf_init((char *)shared_read_buf, sizeof shared_read_buf);
}

static void frame_done(kgw_conn_t *c) {
    uint8_t *frame = c->frame;
    size_t len = c->frame_len;
    c->frame = NULL;
    c->frame_len = c->frame_got = 0;
    c->size_got = 0;
    kgw_dispatch_frame(c, frame, len);
    if (!c->closing)
        maybe_pause(c);
}

/* Keeps bytes read past the frame that paused dispatching: the frames in
 * them are handled on resume, not now, or pipelined requests would escape
 * the pending cap. */
static void stash(kgw_conn_t *c, const uint8_t *p, size_t n) {
    uint8_t *b = malloc(n);
    if (b == NULL) {
        kgw_conn_close(c, "out of memory");
        return;
    }
    memcpy(b, p, n);
    c->backlog = b;
    c->backlog_len = n;
}

static void consume(kgw_conn_t *c, const uint8_t *p, size_t n) {
    c->consuming = true;
    consume_frames(c, p, n);
    c->consuming = false;
}

static void consume_frames(kgw_conn_t *c, const uint8_t *p, size_t n) {
    while (n > 0 && !c->closing) {
        if (c->paused) {
            stash(c, p, n);
            return;
        }
        if (c->frame == NULL) {
            size_t take = 4 - c->size_got;
            if (take > n)
                take = n;
            memcpy(c->size_buf + c->size_got, p, take);
            c->size_got += take;
            p += take;
            n -= take;
            if (c->size_got < 4)
                return;
            int32_t size =
                (int32_t)((uint32_t)c->size_buf[0] << 24 | (uint32_t)c->size_buf[1] << 16 |
                          (uint32_t)c->size_buf[2] << 8 | c->size_buf[3]);
            /* Smaller than a request header, or above socket.request.max.bytes:
             * Kafka closes the connection. */
            if (size < 8 || size > c->server->config->socket_request_max_bytes) {
                kgw_debug("connection %" PRIu64 " (%s): bad frame size %" PRId32, c->id, c->peer,
                          size);
                kgw_conn_close(c, "invalid frame size");
                return;
            }
            c->frame = malloc((size_t)size);
            if (c->frame == NULL) {
                kgw_warn("connection %" PRIu64 " (%s): out of memory for a %" PRId32
                         "-byte request",
                         c->id, c->peer, size);
                kgw_conn_close(c, "out of memory");
                return;
            }
            c->frame_len = (size_t)size;
            c->frame_got = 0;
            continue;
        }
        size_t take = c->frame_len - c->frame_got;
        if (take > n)
            take = n;
        memcpy(c->frame + c->frame_got, p, take);
        c->frame_got += take;
        p += take;
        n -= take;
        if (c->frame_got == c->frame_len)
            frame_done(c);
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    kgw_conn_t *c = stream->data;
    if (nread < 0) {
        kgw_conn_close(c, nread == UV_EOF ? "end of stream" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || c->closing)
        return;
    c->last_active = uv_now(c->tcp.loop);
    if (c->frame != NULL && buf->base == (char *)c->frame + c->frame_got) {
        c->frame_got += (size_t)nread;
        if (c->frame_got == c->frame_len)
            frame_done(c);
        return;
    }
    consume(c, (const uint8_t *)buf->base, (size_t)nread);
    maybe_resume(c);
}

static void start_reading(kgw_conn_t *c) {
    if (c->reading || c->closing || c->no_read)
        return;
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc < 0) {
        kgw_conn_close(c, uv_strerror(rc));
        return;
    }
    c->reading = true;
}

void kgw_conn_accept(kgw_server_t *s) {
    kgw_conn_t *c = calloc(1, sizeof *c);
    if (c == NULL) {
        kgw_warn("out of memory accepting a connection");
        return;
    }
    c->server = s;
    c->id = next_conn_id++;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->conn_count++;
    int rc = uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&c->tcp);
    if (rc < 0) {
        kgw_debug("accept failed: %s", uv_strerror(rc));
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    /* As Kafka does, so peers that vanish without a FIN are noticed. */
    uv_tcp_keepalive(&c->tcp, 1, 60);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    snprintf(c->peer, sizeof c->peer, "?");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        char host[INET6_ADDRSTRLEN] = "";
        int port = 0;
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            uv_ip6_name(a, host, sizeof host);
            port = ntohs(a->sin6_port);
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            uv_ip4_name(a, host, sizeof host);
            port = ntohs(a->sin_port);
        }
        snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
    }
    kgw_debug("connection %" PRIu64 " from %s", c->id, c->peer);
    c->last_active = uv_now(s->loop);
    start_reading(c);
    kgw_server_watch_idle(s);
}

void kgw_conn_enqueue(kgw_conn_t *c, kgw_request_t *req) {
    req->next = NULL;
    if (c->tail)
        c->tail->next = req;
    else
        c->head = req;
    c->tail = req;
    c->pending_bytes += request_cost(req);
}

static void submit(kgw_conn_t *c);

static void on_write(uv_write_t *w, int status) {
    kgw_conn_t *c = w->data;
    c->write_in_flight = false;
    c->pending_bytes -= c->writing.cap;
    free(c->writing.data);
    c->writing = (kgw_outbuf_t){NULL, 0, 0};
    if (status < 0) {
        if (status != UV_ECANCELED)
            kgw_conn_close(c, uv_strerror(status));
        return;
    }
    if (c->closing)
        return;
    c->last_active = uv_now(c->tcp.loop);
    if (c->out.len > 0)
        submit(c);
    maybe_resume(c);
}

/* Hands the gathered responses to the socket. */
static void submit(kgw_conn_t *c) {
    if (c->write_in_flight || c->out.len == 0 || c->closing)
        return;
    /* The out buffer's capacity moves with it from one count to the other. */
    c->writing = c->out;
    c->out = (kgw_outbuf_t){NULL, 0, 0};
    c->write_in_flight = true;
    c->write_req.data = c;
    uv_buf_t buf = uv_buf_init((char *)c->writing.data, (unsigned)c->writing.len);
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0) {
        c->write_in_flight = false;
        c->pending_bytes -= c->writing.cap;
        free(c->writing.data);
        c->writing = (kgw_outbuf_t){NULL, 0, 0};
        kgw_conn_close(c, uv_strerror(rc));
    }
}

void kgw_conn_on_completed(kgw_conn_t *c) {
    if (c->flushing) {
        c->flush_again = true;
        return;
    }
    c->flushing = true;
    do {
        c->flush_again = false;
        while (!c->closing && c->head != NULL && c->head->completed) {
            kgw_request_t *req = c->head;
            c->head = req->next;
            if (c->head == NULL)
                c->tail = NULL;
            req->next = NULL;
            c->pending_bytes -= request_cost(req);
            size_t cap_before = c->out.cap;
            int rc = req->silent ? 0 : kgw_request_encode_response(req, &c->out);
            c->pending_bytes += c->out.cap - cap_before;
            if (rc < 0)
                kgw_error("cannot encode the %s v%d response: %s", req->api->name, req->api_version,
                          kafka_strerror(rc));
            req->conn = NULL;
            kgw_request_free(req);
            if (rc < 0) {
                kgw_conn_close(c, "response encoding failed");
                break;
            }
        }
    } while (c->flush_again && !c->closing);
    c->flushing = false;
    if (c->closing)
        return;
    submit(c);
    maybe_resume(c);
}
