/* ListGroups (v0-5): every group that is not Dead; v4 filters by state and
 * v5 by type (all of kgw's groups are "classic"). Filters compare without
 * case, as Kafka does. */
#include <string.h>
#include <strings.h>

#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/list_groups_request.h"
#include "kafka/msg/list_groups_response.h"

typedef kafka_list_groups_response_listed_group_t listed_t;

typedef struct fill {
    kgw_request_t *req;
    const kafka_str_array_t *states;
    listed_t *items;
    int32_t n, cap;
    bool oom;
} fill_t;

static bool in_filter(const kafka_str_array_t *f, const char *value) {
    if (f->count <= 0)
        return true;
    size_t n = strlen(value);
    for (int32_t i = 0; i < f->count; i++)
        if ((size_t)f->items[i].len == n && strncasecmp(f->items[i].ptr, value, n) == 0)
            return true;
    return false;
}

static void on_group(void *arg, const kgw_group_view_t *g) {
    fill_t *f = arg;
    if (f->oom || !in_filter(f->states, g->state))
        return;
    if (f->n == f->cap) {
        int32_t cap = f->cap ? f->cap * 2 : 16;
        listed_t *ni = kgw_groups_array(f->req, (size_t)cap, sizeof *ni);
        if (ni == NULL) {
            f->oom = true;
            return;
        }
        if (f->n > 0)
            memcpy(ni, f->items, (size_t)f->n * sizeof *ni);
        f->items = ni;
        f->cap = cap;
    }
    listed_t *l = &f->items[f->n++];
    kafka_list_groups_response_listed_group_init(l);
    l->group_id = kgw_groups_str(f->req, g->group_id);
    l->protocol_type = kgw_groups_str(f->req, g->protocol_type);
    l->group_state = kgw_groups_str(f->req, g->state);
    l->group_type = kgw_groups_str(f->req, "classic");
}

void kgw_handle_list_groups(kgw_request_t *req) {
    const kafka_list_groups_request_t *rq = req->body;
    kafka_list_groups_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    kgw_coord_t *c = kgw_groups_coord(req);
    if (c == NULL) {
        rs->error_code = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
        kgw_request_respond(req);
        return;
    }
    kafka_str_array_t none = {NULL, 0};
    fill_t f = {req, req->api_version >= 4 ? &rq->states_filter : &none, NULL, 0, 0, false};
    if (req->api_version < 5 || in_filter(&rq->types_filter, "classic"))
        kgw_coord_list(c, on_group, &f);
    if (f.oom) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    rs->groups.items = f.items;
    rs->groups.count = f.n;
    kgw_request_respond(req);
}
