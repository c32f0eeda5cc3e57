#include "fetch_wait.h"

#include <stdlib.h>

struct kgw_fetch_wait {
    uv_timer_t timer;
    kgw_fetch_op_t *op;
    kgw_fetch_waiters_t *set;
    kgw_fetch_wait_t *prev, *next;
};

struct kgw_fetch_waiters {
    uv_loop_t *loop;
    kgw_fetch_wait_t *head;
};

kgw_fetch_waiters_t *kgw_fetch_waiters_new(uv_loop_t *loop) {
    kgw_fetch_waiters_t *w = calloc(1, sizeof *w);
    if (w)
        w->loop = loop;
    return w;
}

static void on_timer_closed(uv_handle_t *h) {
    free(h->data);
}

/* Unparks and answers; when reread is false the caller's read pass is the
 * answer. */
static void finish(kgw_fetch_wait_t *wt, bool reread) {
    kgw_fetch_waiters_t *set = wt->set;
    if (wt->prev)
        wt->prev->next = wt->next;
    else
        set->head = wt->next;
    if (wt->next)
        wt->next->prev = wt->prev;
    uv_timer_stop(&wt->timer);
    uv_close((uv_handle_t *)&wt->timer, on_timer_closed);

    kgw_fetch_op_t *op = wt->op;
    op->wait = NULL;
    if (reread) {
        bool errors;
        kgw_fetch_read_all(op, &errors);
    }
    kgw_request_respond(op->req);
}

static void on_timeout(uv_timer_t *t) {
    finish(t->data, true);
}

bool kgw_fetch_park(kgw_fetch_waiters_t *w, kgw_fetch_op_t *op) {
    if (!w)
        return false;
    kgw_fetch_wait_t *wt = calloc(1, sizeof *wt);
    if (!wt)
        return false;
    if (uv_timer_init(w->loop, &wt->timer) != 0) {
        free(wt);
        return false;
    }
    wt->timer.data = wt;
    wt->op = op;
    wt->set = w;
    wt->next = w->head;
    if (w->head)
        w->head->prev = wt;
    w->head = wt;
    op->wait = wt;
    uv_timer_start(&wt->timer, on_timeout, (uint64_t)(op->max_wait_ms > 0 ? op->max_wait_ms : 0),
                   0);
    return true;
}

void kgw_fetch_wait_notify(kgw_fetch_waiters_t *w, const char *topic, int32_t partition) {
    if (!w)
        return;
    kgw_fetch_wait_t *next;
    for (kgw_fetch_wait_t *wt = w->head; wt; wt = next) {
        next = wt->next;
        kgw_fetch_op_t *op = wt->op;
        if (!kgw_fetch_wants(op, topic, partition))
            continue;
        if (!op->req->conn) {
            /* The client is gone; its answer would be dropped anyway. */
            finish(wt, false);
            continue;
        }
        bool errors = false;
        size_t bytes = kgw_fetch_read_all(op, &errors);
        if (errors || bytes >= (size_t)(op->min_bytes > 0 ? op->min_bytes : 0))
            finish(wt, false);
    }
}

void kgw_fetch_waiters_free(kgw_fetch_waiters_t *w) {
    if (!w)
        return;
    while (w->head)
        finish(w->head, true);
    free(w);
}
