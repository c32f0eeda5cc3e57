#include "server.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "handlers/handlers.h"
#include "logging.h"

/* How long a graceful stop waits for in-flight requests before closing
 * their connections anyway. */
#define DRAIN_DEADLINE_MS 10000
#define DRAIN_POLL_MS 10

static uv_timer_t drain_timer;
static uint64_t drain_deadline;
static int handles_to_close;

static void on_connection(uv_stream_t *listener, int status) {
    kgw_server_t *s = listener->data;
    if (status < 0) {
        kgw_warn("accept: %s", uv_strerror(status));
        return;
    }
    if (s->stopping)
        return;
    kgw_conn_accept(s);
}

/* Idle connections: one timer for all of them, due when the connection
 * that went quiet first reaches connections.max.idle.ms. A connection with
 * a request in flight (a parked fetch, a join waiting for the group) is not
 * idle, as in Kafka. Sweeps are at least 1/16 of the limit apart, so a
 * connection may outlive the limit by that much. */
static void on_idle_timer(uv_timer_t *t) {
    kgw_server_t *s = t->data;
    uint64_t limit = (uint64_t)s->config->connections_max_idle_ms;
    uint64_t now = uv_now(s->loop);
    uint64_t next = UINT64_MAX;
    for (kgw_conn_t *c = s->conns; c != NULL; c = c->next) {
        if (c->closing)
            continue;
        if (!kgw_conn_idle(c)) {
            c->last_active = now;
        } else if (now - c->last_active >= limit) {
            kgw_conn_close(c, "idle for longer than connections.max.idle.ms");
            continue;
        }
        if (c->last_active + limit < next)
            next = c->last_active + limit;
    }
    if (next == UINT64_MAX || s->stopping)
        return;
    uint64_t floor = limit / 16 > 0 ? limit / 16 : 1;
    uv_timer_start(t, on_idle_timer, next - now > floor ? next - now : floor, 0);
}

void kgw_server_watch_idle(kgw_server_t *s) {
    if (s->config->connections_max_idle_ms < 0 || s->stopping ||
        uv_is_active((uv_handle_t *)&s->idle_timer))
        return;
    uv_timer_start(&s->idle_timer, on_idle_timer, (uint64_t)s->config->connections_max_idle_ms, 0);
}

static void on_signal(uv_signal_t *h, int signum) {
    kgw_server_t *s = h->data;
    if (s->stopping) {
        kgw_warn("second %s during shutdown: exiting now", strsignal(signum));
        _exit(1);
    }
    kgw_info("%s received, shutting down", strsignal(signum));
    kgw_server_stop(s);
}

static int resolve(uv_loop_t *loop, const char *host, int port, struct sockaddr_storage *out) {
    memset(out, 0, sizeof *out);
    if (host[0] == '\0')
        host = "0.0.0.0";
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0)
        return 0;
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0)
        return 0;
    uv_getaddrinfo_t gai;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* Synchronous (no callback): this runs once, before the loop starts. */
    int rc = uv_getaddrinfo(loop, &gai, NULL, host, NULL, &hints);
    if (rc < 0)
        return rc;
    memcpy(out, gai.addrinfo->ai_addr, gai.addrinfo->ai_addrlen);
    uv_freeaddrinfo(gai.addrinfo);
    if (out->ss_family == AF_INET)
        ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
    return 0;
}

int kgw_server_start(kgw_server_t *s, uv_loop_t *loop, const kgw_config_t *config,
                     kgw_backend_t *backend) {
    s->loop = loop;
    s->config = config;
    s->backend = backend;
    s->conns = NULL;
    s->conn_count = 0;
    s->stopping = false;

    struct sockaddr_storage addr;
    int rc = resolve(loop, config->listener_host, config->listener_port, &addr);
    if (rc < 0) {
        kgw_error("listeners: cannot resolve '%s': %s", config->listener_host, uv_strerror(rc));
        return rc;
    }
    uv_tcp_init(loop, &s->listener);
    s->listener.data = s;
    rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection);
    if (rc < 0) {
        kgw_error("cannot listen on %s:%d: %s", config->listener_host, config->listener_port,
                  uv_strerror(rc));
        uv_close((uv_handle_t *)&s->listener, NULL);
        return rc;
    }

    uv_timer_init(loop, &s->idle_timer);
    s->idle_timer.data = s;
    uv_signal_init(loop, &s->sigterm);
    uv_signal_init(loop, &s->sigint);
    s->sigterm.data = s->sigint.data = s;
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    uv_signal_start(&s->sigint, on_signal, SIGINT);

    struct sockaddr_storage bound;
    int len = sizeof bound;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = config->listener_port;
    if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len) == 0) {
        if (bound.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&bound, host, sizeof host);
            port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&bound, host, sizeof host);
            port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
        }
    }
    kgw_info("kgw listening on %s:%d (cluster id %s, node %d, data in %s)", host, port,
             s->cluster_id, (int)config->node_id, config->log_dirs);
    return 0;
}

static void on_handle_closed(uv_handle_t *h) {
    kgw_server_t *s = h->data;
    if (--handles_to_close == 0) {
        kgw_info("shutdown complete");
        if (s->on_stopped)
            s->on_stopped(s);
    }
}

static void on_backend_shut(void *arg) {
    kgw_server_t *s = arg;
    handles_to_close = 4;
    drain_timer.data = s;
    uv_close((uv_handle_t *)&drain_timer, on_handle_closed);
    uv_close((uv_handle_t *)&s->idle_timer, on_handle_closed);
    uv_close((uv_handle_t *)&s->sigterm, on_handle_closed);
    uv_close((uv_handle_t *)&s->sigint, on_handle_closed);
}

static void on_drain_tick(uv_timer_t *t) {
    kgw_server_t *s = t->data;
    bool late = uv_now(s->loop) >= drain_deadline;
    for (kgw_conn_t *c = s->conns; c != NULL; c = c->next) {
        if (c->closing)
            continue;
        if (kgw_conn_idle(c))
            kgw_conn_close(c, "server shutting down");
        else if (late)
            kgw_conn_close(c, "server shutting down: requests still in flight");
    }
    if (s->conn_count > 0)
        return;
    uv_timer_stop(t);
    if (late)
        kgw_warn("shutdown: some requests did not finish within %d ms", DRAIN_DEADLINE_MS);
    if (s->backend != NULL && s->backend->ops->shutdown != NULL)
        s->backend->ops->shutdown(s->backend, on_backend_shut, s);
    else
        on_backend_shut(s);
}

void kgw_server_stop(kgw_server_t *s) {
    if (s->stopping)
        return;
    s->stopping = true;
    uv_close((uv_handle_t *)&s->listener, NULL);
    uv_timer_stop(&s->idle_timer);
    for (kgw_conn_t *c = s->conns; c != NULL; c = c->next)
        kgw_conn_stop_reading(c);
    /* Parked fetches are failed now, so they do not hold the drain up. */
    kgw_data_handlers_stop(s);
    kgw_group_handlers_stop(s);
    uv_timer_init(s->loop, &drain_timer);
    drain_timer.data = s;
    drain_deadline = uv_now(s->loop) + DRAIN_DEADLINE_MS;
    uv_timer_start(&drain_timer, on_drain_tick, 0, DRAIN_POLL_MS);
}
