/* The group coordinator's handler table and lifecycle: the coordinator
 * itself (gateway/groups), loaded from the backend at start, and the loop
 * timer that drives its deadlines. */
#include <stdlib.h>
#include <time.h>

#include "groups/glue.h"
#include "handlers.h"
#include "kafka/msg/delete_groups_request.h"
#include "kafka/msg/describe_groups_request.h"
#include "kafka/msg/find_coordinator_request.h"
#include "kafka/msg/heartbeat_request.h"
#include "kafka/msg/join_group_request.h"
#include "kafka/msg/leave_group_request.h"
#include "kafka/msg/list_groups_request.h"
#include "kafka/msg/offset_commit_request.h"
#include "kafka/msg/offset_delete_request.h"
#include "kafka/msg/offset_fetch_request.h"
#include "kafka/msg/sync_group_request.h"
#include "logging.h"

static const kgw_handler_t group_handlers[] = {
    {KAFKA_FIND_COORDINATOR_REQUEST_API_KEY, 0, 6, kgw_handle_find_coordinator},
    {KAFKA_JOIN_GROUP_REQUEST_API_KEY, 0, 9, kgw_handle_join_group},
    {KAFKA_SYNC_GROUP_REQUEST_API_KEY, 0, 5, kgw_handle_sync_group},
    {KAFKA_HEARTBEAT_REQUEST_API_KEY, 0, 4, kgw_handle_heartbeat},
    {KAFKA_LEAVE_GROUP_REQUEST_API_KEY, 0, 5, kgw_handle_leave_group},
    {KAFKA_OFFSET_COMMIT_REQUEST_API_KEY, 0, 9, kgw_handle_offset_commit},
    {KAFKA_OFFSET_FETCH_REQUEST_API_KEY, 0, 9, kgw_handle_offset_fetch},
    {KAFKA_OFFSET_DELETE_REQUEST_API_KEY, 0, 0, kgw_handle_offset_delete},
    {KAFKA_DESCRIBE_GROUPS_REQUEST_API_KEY, 0, 5, kgw_handle_describe_groups},
    {KAFKA_LIST_GROUPS_REQUEST_API_KEY, 0, 5, kgw_handle_list_groups},
    {KAFKA_DELETE_GROUPS_REQUEST_API_KEY, 0, 2, kgw_handle_delete_groups},
};

const kgw_handler_table_t kgw_handlers_groups = {
    group_handlers,
    sizeof group_handlers / sizeof group_handlers[0],
};

/* Deadlines are checked at this period; sessions are seconds long, so the
 * granularity costs nothing a client can notice. */
#define TICK_MS 50

struct kgw_groups_state {
    kgw_coord_t *coord;
    uv_timer_t timer;
};

static uint64_t mono_ms(void *arg) {
    (void)arg;
    return uv_hrtime() / 1000000u;
}

static int64_t wall_ms(void *arg) {
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

kgw_coord_t *kgw_groups_state_coord(kgw_groups_state_t *s) {
    return s->coord;
}

static void on_tick(uv_timer_t *t) {
    kgw_groups_state_t *s = t->data;
    if (s->coord != NULL && mono_ms(NULL) >= kgw_coord_next_deadline(s->coord))
        kgw_coord_tick(s->coord);
}

int kgw_group_handlers_start(kgw_server_t *srv) {
    const kgw_config_t *cfg = srv->config;
    kgw_coord_env_t env = {
        .mono_ms = mono_ms,
        .wall_ms = wall_ms,
        .backend = srv->backend,
        .initial_rebalance_delay_ms = cfg->group_initial_rebalance_delay_ms,
        .min_session_timeout_ms = cfg->group_min_session_timeout_ms,
        .max_session_timeout_ms = cfg->group_max_session_timeout_ms,
        .max_size = cfg->group_max_size,
        .offsets_retention_ms = (int64_t)cfg->offsets_retention_minutes * 60000,
    };
    kgw_groups_state_t *s = calloc(1, sizeof *s);
    if (s == NULL || (s->coord = kgw_coord_new(&env)) == NULL) {
        free(s);
        return -1;
    }
    int rc = kgw_coord_load(s->coord);
    if (rc < 0) {
        kgw_error("cannot load the group state (%d)", rc);
        kgw_coord_free(s->coord);
        free(s);
        return -1;
    }
    uv_timer_init(srv->loop, &s->timer);
    s->timer.data = s;
    uv_timer_start(&s->timer, on_tick, TICK_MS, TICK_MS);
    uv_unref((uv_handle_t *)&s->timer);
    srv->group_state = s;
    return 0;
}

static void on_timer_closed(uv_handle_t *h) {
    free(h->data);
}

void kgw_group_handlers_stop(kgw_server_t *srv) {
    kgw_groups_state_t *s = srv->group_state;
    if (s == NULL)
        return;
    /* Cleared first: a request handled from here on is answered
     * COORDINATOR_NOT_AVAILABLE instead of parking. */
    srv->group_state = NULL;
    kgw_coord_free(s->coord);
    s->coord = NULL;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}
