/* The rebalance protocol, as Kafka's classic GroupCoordinator runs it:
 * JoinGroup (with the MEMBER_ID_REQUIRED handshake, static members and the
 * initial rebalance delay), the join phase and its completion, SyncGroup. */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "kafka/error_codes.h"
#include "persist.h"

static void join_error(kgw_join_cb cb, void *ctx, int16_t error, const char *member_id) {
    kgw_join_result_t r = {
        .error = error,
        .generation = -1,
        .member_id = member_id != NULL ? member_id : "",
        .leader = "",
    };
    cb(ctx, &r);
}

static void sync_error(kgw_sync_cb cb, void *ctx, int16_t error) {
    cb(ctx, &(kgw_sync_result_t){.error = error});
}

void kgw_member_heartbeat(kgw_coord_t *c, kgw_member_t *m) {
    m->session_deadline = kgw_coord_mono(c) + (uint64_t)m->session_timeout_ms;
    kgw_coord_arm(c, m->session_deadline);
}

int16_t kgw_group_validate_member(const kgw_group_t *g, const char *member_id,
                                  const char *instance_id) {
    const kgw_member_t *s = kgw_group_static_member(g, instance_id);
    if (s != NULL && strcmp(s->member_id, member_id) != 0)
        return KAFKA_ERROR_FENCED_INSTANCE_ID;
    if (kgw_group_member(g, member_id) == NULL)
        return KAFKA_ERROR_UNKNOWN_MEMBER_ID;
    return KAFKA_ERROR_NONE;
}

static int32_t group_rebalance_timeout(const kgw_group_t *g) {
    int32_t t = 0;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->rebalance_timeout_ms > t)
            t = g->members[i]->rebalance_timeout_ms;
    return t;
}

/* Answers the parked join with the group as it is now (the leader also
 * gets every member's metadata for the selected protocol). */
static void invoke_join(kgw_coord_t *c, kgw_group_t *g, kgw_member_t *m, const char *leader) {
    (void)c;
    kgw_join_cb cb = m->join_cb;
    if (cb == NULL)
        return;
    m->join_cb = NULL;
    kgw_join_member_t *list = NULL;
    int32_t n = 0;
    bool is_leader = g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0 &&
                     strcmp(leader, m->member_id) == 0;
    if (is_leader) {
        list = calloc((size_t)(g->nmembers > 0 ? g->nmembers : 1), sizeof *list);
        if (list != NULL) {
            for (int32_t i = 0; i < g->nmembers; i++) {
                const kgw_member_t *o = g->members[i];
                const kgw_protocol_t *p = kgw_member_protocol(o, g->protocol_name);
                list[n++] = (kgw_join_member_t){o->member_id, o->instance_id,
                                                p ? p->metadata : NULL, p ? p->metadata_len : 0};
            }
        }
    }
    kgw_join_result_t r = {
        .error = is_leader && list == NULL ? KAFKA_ERROR_UNKNOWN_SERVER_ERROR : KAFKA_ERROR_NONE,
        .generation = g->generation,
        .protocol_type = g->protocol_type,
        .protocol_name = g->protocol_name,
        .leader = leader,
        .member_id = m->member_id,
        .members = list,
        .nmembers = n,
    };
    cb(m->join_ctx, &r);
    free(list);
}

static void set_assignment(kgw_member_t *m, const uint8_t *a, int32_t len) {
    free(m->assignment);
    m->assignment = NULL;
    m->assignment_len = 0;
    if (len > 0 && (m->assignment = malloc((size_t)len)) != NULL) {
        memcpy(m->assignment, a, (size_t)len);
        m->assignment_len = len;
    }
}

/* Sends each parked sync its member's assignment (or the error). */
static void propagate_assignment(kgw_group_t *g, int16_t error) {
    for (int32_t i = 0; i < g->nmembers; i++) {
        kgw_member_t *m = g->members[i];
        if (error != KAFKA_ERROR_NONE)
            set_assignment(m, NULL, 0);
        kgw_sync_cb cb = m->sync_cb;
        if (cb == NULL)
            continue;
        m->sync_cb = NULL;
        kgw_sync_result_t r = {
            .error = error,
            .protocol_type = g->protocol_type,
            .protocol_name = g->protocol_name,
            .assignment = error == KAFKA_ERROR_NONE ? m->assignment : NULL,
            .assignment_len = error == KAFKA_ERROR_NONE ? m->assignment_len : 0,
        };
        cb(m->sync_ctx, &r);
    }
}

void kgw_rebalance_prepare(kgw_coord_t *c, kgw_group_t *g) {
    if (g->state == KGW_GROUP_COMPLETING_REBALANCE)
        propagate_assignment(g, KAFKA_ERROR_REBALANCE_IN_PROGRESS);
    for (int32_t i = 0; i < g->nmembers; i++)
        g->members[i]->pending_sync = false;
    g->sync_deadline = 0;
    bool was_empty = g->state == KGW_GROUP_EMPTY;
    kgw_group_transition(c, g, KGW_GROUP_PREPARING_REBALANCE);
    int32_t rto = group_rebalance_timeout(g);
    uint64_t now = kgw_coord_mono(c);
    int32_t delay = c->env.initial_rebalance_delay_ms;
    if (was_empty && delay > 0) {
        int32_t first = delay < rto ? delay : rto;
        g->initial_delay = true;
        g->new_member_added = false;
        g->join_extend_left_ms = rto > delay ? rto - delay : 0;
        g->join_deadline = now + (uint64_t)first;
    } else {
        g->initial_delay = false;
        g->join_deadline = now + (uint64_t)rto;
    }
    kgw_coord_arm(c, g->join_deadline);
}

void kgw_rebalance_maybe_prepare(kgw_coord_t *c, kgw_group_t *g) {
    if (g->state == KGW_GROUP_STABLE || g->state == KGW_GROUP_COMPLETING_REBALANCE ||
        g->state == KGW_GROUP_EMPTY)
        kgw_rebalance_prepare(c, g);
}

static void complete_join(kgw_coord_t *c, kgw_group_t *g) {
    /* Dynamic members that did not rejoin are gone; static ones stay until
     * their session ends. */
    for (int32_t i = 0; i < g->nmembers;) {
        kgw_member_t *m = g->members[i];
        if (m->join_cb == NULL && m->instance_id == NULL) {
            if (m->sync_cb != NULL) {
                kgw_sync_cb cb = m->sync_cb;
                m->sync_cb = NULL;
                sync_error(cb, m->sync_ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
            }
            kgw_group_unlink_member(g, m);
            kgw_member_free(m);
            continue;
        }
        i++;
    }
    if (g->nmembers > 0) {
        kgw_member_t *leader = g->leader_id ? kgw_group_member(g, g->leader_id) : NULL;
        if (leader == NULL || leader->join_cb == NULL) {
            kgw_member_t *next = NULL;
            for (int32_t i = 0; i < g->nmembers && next == NULL; i++)
                if (g->members[i]->join_cb != NULL)
                    next = g->members[i];
            if (next == NULL) {
                /* Only static members that have not rejoined: wait another
                 * round for them to rejoin or for their sessions to end. */
                g->join_deadline = kgw_coord_mono(c) + (uint64_t)group_rebalance_timeout(g);
                kgw_coord_arm(c, g->join_deadline);
                return;
            }
            free(g->leader_id);
            g->leader_id = kgw_strdup(next->member_id);
        }
    }
    g->join_deadline = 0;
    g->initial_delay = false;
    g->generation++;
    free(g->protocol_name);
    g->protocol_name = NULL;
    if (g->nmembers == 0) {
        kgw_group_transition(c, g, KGW_GROUP_EMPTY);
        if (c->persist != NULL)
            kgw_persist_group(c->persist, g);
        return;
    }
    g->protocol_name = kgw_strdup(kgw_group_select_protocol(g));
    kgw_group_transition(c, g, KGW_GROUP_COMPLETING_REBALANCE);
    uint64_t now = kgw_coord_mono(c);
    g->sync_deadline = now + (uint64_t)group_rebalance_timeout(g);
    kgw_coord_arm(c, g->sync_deadline);
    char *leader = kgw_strdup(g->leader_id);
    for (int32_t i = 0; i < g->nmembers; i++) {
        kgw_member_t *m = g->members[i];
        m->pending_sync = true;
        invoke_join(c, g, m, leader != NULL ? leader : "");
        kgw_member_heartbeat(c, m);
        m->is_new = false;
    }
    free(leader);
}

void kgw_rebalance_try_complete_join(kgw_coord_t *c, kgw_group_t *g) {
    if (g->state != KGW_GROUP_PREPARING_REBALANCE || g->initial_delay || g->npending > 0)
        return;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->join_cb == NULL)
            return;
    complete_join(c, g);
}

void kgw_rebalance_join_expired(kgw_coord_t *c, kgw_group_t *g) {
    if (g->initial_delay && g->new_member_added && g->join_extend_left_ms > 0) {
        int32_t delay = c->env.initial_rebalance_delay_ms;
        int32_t d = delay < g->join_extend_left_ms ? delay : g->join_extend_left_ms;
        g->join_extend_left_ms -= d;
        g->new_member_added = false;
        g->join_deadline = kgw_coord_mono(c) + (uint64_t)d;
        kgw_coord_arm(c, g->join_deadline);
        return;
    }
    complete_join(c, g);
}

void kgw_rebalance_remove_member(kgw_coord_t *c, kgw_group_t *g, kgw_member_t *m) {
    if (m->join_cb != NULL) {
        kgw_join_cb cb = m->join_cb;
        m->join_cb = NULL;
        join_error(cb, m->join_ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID, m->member_id);
    }
    if (m->sync_cb != NULL) {
        kgw_sync_cb cb = m->sync_cb;
        m->sync_cb = NULL;
        sync_error(cb, m->sync_ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
    }
    kgw_group_unlink_member(g, m);
    kgw_member_free(m);
    switch (g->state) {
    case KGW_GROUP_STABLE:
    case KGW_GROUP_COMPLETING_REBALANCE:
        kgw_rebalance_prepare(c, g);
        kgw_rebalance_try_complete_join(c, g);
        break;
    case KGW_GROUP_PREPARING_REBALANCE:
        kgw_rebalance_try_complete_join(c, g);
        break;
    default:
        break;
    }
}

void kgw_rebalance_sync_expired(kgw_coord_t *c, kgw_group_t *g) {
    g->sync_deadline = 0;
    bool removed = false;
    for (int32_t i = 0; i < g->nmembers;) {
        kgw_member_t *m = g->members[i];
        if (m->pending_sync) {
            if (m->sync_cb != NULL) {
                kgw_sync_cb cb = m->sync_cb;
                m->sync_cb = NULL;
                sync_error(cb, m->sync_ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
            }
            kgw_group_unlink_member(g, m);
            kgw_member_free(m);
            removed = true;
            continue;
        }
        i++;
    }
    if (removed && (g->state == KGW_GROUP_COMPLETING_REBALANCE || g->state == KGW_GROUP_STABLE)) {
        kgw_rebalance_prepare(c, g);
        kgw_rebalance_try_complete_join(c, g);
    }
}

static kgw_member_t *member_new(kgw_coord_t *c, const kgw_join_params_t *p, const char *member_id) {
    kgw_member_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->member_id = kgw_strdup(member_id);
    m->instance_id = kgw_strdup(p->instance_id);
    m->client_id = kgw_strdup(p->client_id ? p->client_id : "");
    m->client_host = kgw_strdup(p->client_host ? p->client_host : "");
    m->session_timeout_ms = p->session_timeout_ms;
    m->rebalance_timeout_ms = p->rebalance_timeout_ms;
    m->joined_at = kgw_coord_mono(c);
    if (m->member_id == NULL || (p->instance_id && m->instance_id == NULL) ||
        m->client_id == NULL || m->client_host == NULL ||
        kgw_member_set_protocols(m, p->protocols, p->nprotocols) < 0) {
        kgw_member_free(m);
        return NULL;
    }
    return m;
}

static void add_member_and_rebalance(kgw_coord_t *c, kgw_group_t *g, const kgw_join_params_t *p,
                                     const char *member_id, kgw_join_cb cb, void *ctx) {
    kgw_member_t *m = member_new(c, p, member_id);
    if (m == NULL) {
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, member_id);
        return;
    }
    if (g->nmembers == 0) {
        free(g->protocol_type);
        g->protocol_type = kgw_strdup(p->protocol_type);
    }
    if (g->state == KGW_GROUP_PREPARING_REBALANCE && g->generation == 0)
        m->is_new = true;
    m->join_cb = cb;
    m->join_ctx = ctx;
    if (kgw_group_add_member(g, m) < 0) {
        m->join_cb = NULL;
        kgw_member_free(m);
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, member_id);
        return;
    }
    kgw_member_heartbeat(c, m);
    int32_t pi = kgw_group_pending_index(g, member_id);
    if (pi >= 0)
        kgw_group_pending_remove(g, pi);
    if (g->state == KGW_GROUP_PREPARING_REBALANCE)
        g->new_member_added = true;
    kgw_rebalance_maybe_prepare(c, g);
    kgw_rebalance_try_complete_join(c, g);
}

/* The parked join (or a new one) is superseded: the old one is answered so
 * that every request completes once. */
static void set_join_cb(kgw_member_t *m, kgw_join_cb cb, void *ctx) {
    if (m->join_cb != NULL)
        join_error(m->join_cb, m->join_ctx, KAFKA_ERROR_REBALANCE_IN_PROGRESS, m->member_id);
    m->join_cb = cb;
    m->join_ctx = ctx;
}

static int update_member(kgw_member_t *m, const kgw_join_params_t *p) {
    m->session_timeout_ms = p->session_timeout_ms;
    m->rebalance_timeout_ms = p->rebalance_timeout_ms;
    return kgw_member_set_protocols(m, p->protocols, p->nprotocols);
}

static void update_member_and_rebalance(kgw_coord_t *c, kgw_group_t *g, kgw_member_t *m,
                                        const kgw_join_params_t *p, kgw_join_cb cb, void *ctx) {
    if (update_member(m, p) < 0) {
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, m->member_id);
        return;
    }
    set_join_cb(m, cb, ctx);
    kgw_rebalance_maybe_prepare(c, g);
    kgw_rebalance_try_complete_join(c, g);
}

/* KIP-345: a known instance id rejoining with a new member id takes the
 * old member's place; the old id is fenced. */
static void replace_static_member(kgw_coord_t *c, kgw_group_t *g, kgw_member_t *m,
                                  const kgw_join_params_t *p, char *new_id, kgw_join_cb cb,
                                  void *ctx) {
    if (m->join_cb != NULL) {
        kgw_join_cb old = m->join_cb;
        m->join_cb = NULL;
        join_error(old, m->join_ctx, KAFKA_ERROR_FENCED_INSTANCE_ID, m->member_id);
    }
    if (m->sync_cb != NULL) {
        kgw_sync_cb old = m->sync_cb;
        m->sync_cb = NULL;
        sync_error(old, m->sync_ctx, KAFKA_ERROR_FENCED_INSTANCE_ID);
    }
    char *current_leader = kgw_strdup(g->leader_id ? g->leader_id : "");
    if (g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0) {
        free(g->leader_id);
        g->leader_id = kgw_strdup(new_id);
    }
    free(m->member_id);
    m->member_id = new_id;
    free(m->client_id);
    m->client_id = kgw_strdup(p->client_id ? p->client_id : "");
    free(m->client_host);
    m->client_host = kgw_strdup(p->client_host ? p->client_host : "");
    kgw_member_heartbeat(c, m);
    if (update_member(m, p) < 0 || current_leader == NULL) {
        free(current_leader);
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, new_id);
        return;
    }
    m->join_cb = cb;
    m->join_ctx = ctx;
    switch (g->state) {
    case KGW_GROUP_STABLE: {
        const char *next = kgw_group_select_protocol(g);
        if (next != NULL && g->protocol_name != NULL && strcmp(next, g->protocol_name) == 0) {
            /* Same protocol: no rebalance. The old leader id is returned so
             * that a rejoining leader does not compute an assignment a
             * Stable group would never distribute. */
            if (c->persist != NULL)
                kgw_persist_group(c->persist, g);
            invoke_join(c, g, m, current_leader);
        } else {
            kgw_rebalance_prepare(c, g);
            kgw_rebalance_try_complete_join(c, g);
        }
        break;
    }
    case KGW_GROUP_COMPLETING_REBALANCE:
        kgw_rebalance_prepare(c, g);
        kgw_rebalance_try_complete_join(c, g);
        break;
    default:
        kgw_rebalance_try_complete_join(c, g);
        break;
    }
    free(current_leader);
}

static bool accept_joining(const kgw_coord_t *c, const kgw_group_t *g, const char *member_id) {
    const kgw_member_t *m = member_id[0] ? kgw_group_member(g, member_id) : NULL;
    switch (g->state) {
    case KGW_GROUP_EMPTY:
    case KGW_GROUP_DEAD:
        return true;
    case KGW_GROUP_PREPARING_REBALANCE: {
        if (m != NULL && m->join_cb != NULL)
            return true;
        int32_t awaiting = 0;
        for (int32_t i = 0; i < g->nmembers; i++)
            awaiting += g->members[i]->join_cb != NULL;
        return awaiting < c->env.max_size;
    }
    default:
        return m != NULL || g->nmembers < c->env.max_size;
    }
}

static void unknown_member_join(kgw_coord_t *c, kgw_group_t *g, const kgw_join_params_t *p,
                                kgw_join_cb cb, void *ctx) {
    char *new_id = kgw_new_member_id(c, p->client_id ? p->client_id : "");
    if (new_id == NULL) {
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, "");
        return;
    }
    kgw_member_t *old = kgw_group_static_member(g, p->instance_id);
    if (old != NULL) {
        replace_static_member(c, g, old, p, new_id, cb, ctx);
        return;
    }
    if (p->instance_id == NULL && p->require_known_member_id) {
        uint64_t deadline = kgw_coord_mono(c) + (uint64_t)p->session_timeout_ms;
        if (kgw_group_pending_add(g, new_id, deadline) < 0) {
            join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, "");
        } else {
            kgw_coord_arm(c, deadline);
            join_error(cb, ctx, KAFKA_ERROR_MEMBER_ID_REQUIRED, new_id);
        }
        free(new_id);
        return;
    }
    add_member_and_rebalance(c, g, p, new_id, cb, ctx);
    free(new_id);
}

static void current_member_join(kgw_coord_t *c, kgw_group_t *g, const kgw_join_params_t *p,
                                kgw_join_cb cb, void *ctx) {
    if (p->instance_id == NULL && kgw_group_pending_index(g, p->member_id) >= 0) {
        add_member_and_rebalance(c, g, p, p->member_id, cb, ctx);
        return;
    }
    int16_t err = kgw_group_validate_member(g, p->member_id, p->instance_id);
    if (err != KAFKA_ERROR_NONE) {
        join_error(cb, ctx, err, p->member_id);
        return;
    }
    kgw_member_t *m = kgw_group_member(g, p->member_id);
    bool same = kgw_member_protocols_match(m, p->protocols, p->nprotocols);
    bool leader = g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0;
    switch (g->state) {
    case KGW_GROUP_PREPARING_REBALANCE:
        update_member_and_rebalance(c, g, m, p, cb, ctx);
        break;
    case KGW_GROUP_COMPLETING_REBALANCE:
        if (same) {
            /* A repeated join (the first answer was lost): same answer. */
            set_join_cb(m, cb, ctx);
            invoke_join(c, g, m, g->leader_id);
        } else {
            update_member_and_rebalance(c, g, m, p, cb, ctx);
        }
        break;
    case KGW_GROUP_STABLE:
        if (leader || !same) {
            update_member_and_rebalance(c, g, m, p, cb, ctx);
        } else {
            set_join_cb(m, cb, ctx);
            kgw_member_heartbeat(c, m);
            /* Followers get no member list: answer as a follower would see it. */
            kgw_join_cb jcb = m->join_cb;
            m->join_cb = NULL;
            kgw_join_result_t r = {
                .generation = g->generation,
                .protocol_type = g->protocol_type,
                .protocol_name = g->protocol_name,
                .leader = g->leader_id,
                .member_id = m->member_id,
            };
            jcb(m->join_ctx, &r);
        }
        break;
    default:
        join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID, p->member_id);
        break;
    }
}

void kgw_coord_join(kgw_coord_t *c, const kgw_join_params_t *p, kgw_join_cb cb, void *ctx) {
    const char *member_id = p->member_id != NULL ? p->member_id : "";
    if (c->shut) {
        join_error(cb, ctx, KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE, member_id);
        return;
    }
    if (p->group_id == NULL || p->group_id[0] == '\0') {
        join_error(cb, ctx, KAFKA_ERROR_INVALID_GROUP_ID, member_id);
        return;
    }
    if (p->session_timeout_ms < c->env.min_session_timeout_ms ||
        p->session_timeout_ms > c->env.max_session_timeout_ms) {
        join_error(cb, ctx, KAFKA_ERROR_INVALID_SESSION_TIMEOUT, member_id);
        return;
    }
    bool unknown = member_id[0] == '\0';
    kgw_group_t *g = kgw_group_find(c, p->group_id);
    if (g == NULL) {
        if (!unknown) {
            join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID, member_id);
            return;
        }
        g = kgw_group_get_or_create(c, p->group_id);
        if (g == NULL) {
            join_error(cb, ctx, KAFKA_ERROR_UNKNOWN_SERVER_ERROR, member_id);
            return;
        }
    }
    if (g->state == KGW_GROUP_DEAD) {
        join_error(cb, ctx, KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE, member_id);
        return;
    }
    if (!accept_joining(c, g, member_id)) {
        kgw_member_t *m = unknown ? NULL : kgw_group_member(g, member_id);
        if (m != NULL)
            kgw_rebalance_remove_member(c, g, m);
        join_error(cb, ctx, KAFKA_ERROR_GROUP_MAX_SIZE_REACHED, member_id);
        return;
    }
    if (!kgw_group_supports(g, p->protocol_type, p->protocols, p->nprotocols)) {
        join_error(cb, ctx, KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL, member_id);
        return;
    }
    if (unknown)
        unknown_member_join(c, g, p, cb, ctx);
    else
        current_member_join(c, g, p, cb, ctx);
}

void kgw_coord_sync(kgw_coord_t *c, const kgw_sync_params_t *p, kgw_sync_cb cb, void *ctx) {
    if (c->shut) {
        sync_error(cb, ctx, KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE);
        return;
    }
    if (p->group_id == NULL || p->group_id[0] == '\0') {
        sync_error(cb, ctx, KAFKA_ERROR_INVALID_GROUP_ID);
        return;
    }
    kgw_group_t *g = kgw_group_find(c, p->group_id);
    if (g == NULL) {
        sync_error(cb, ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
        return;
    }
    if (g->state == KGW_GROUP_DEAD) {
        sync_error(cb, ctx, KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE);
        return;
    }
    int16_t err = kgw_group_validate_member(g, p->member_id, p->instance_id);
    if (err != KAFKA_ERROR_NONE) {
        sync_error(cb, ctx, err);
        return;
    }
    if (p->generation != g->generation) {
        sync_error(cb, ctx, KAFKA_ERROR_ILLEGAL_GENERATION);
        return;
    }
    if ((p->protocol_type != NULL &&
         (g->protocol_type == NULL || strcmp(p->protocol_type, g->protocol_type) != 0)) ||
        (p->protocol_name != NULL &&
         (g->protocol_name == NULL || strcmp(p->protocol_name, g->protocol_name) != 0))) {
        sync_error(cb, ctx, KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
        return;
    }
    kgw_member_t *m = kgw_group_member(g, p->member_id);
    switch (g->state) {
    case KGW_GROUP_PREPARING_REBALANCE:
        sync_error(cb, ctx, KAFKA_ERROR_REBALANCE_IN_PROGRESS);
        return;
    case KGW_GROUP_COMPLETING_REBALANCE:
        if (m->sync_cb != NULL)
            sync_error(m->sync_cb, m->sync_ctx, KAFKA_ERROR_REBALANCE_IN_PROGRESS);
        m->sync_cb = cb;
        m->sync_ctx = ctx;
        m->pending_sync = false;
        kgw_member_heartbeat(c, m);
        if (g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0) {
            for (int32_t i = 0; i < g->nmembers; i++) {
                kgw_member_t *o = g->members[i];
                const kgw_assignment_in_t *a = NULL;
                for (int32_t k = 0; k < p->nassignments && a == NULL; k++)
                    if (strcmp(p->assignments[k].member_id, o->member_id) == 0)
                        a = &p->assignments[k];
                set_assignment(o, a ? a->assignment : NULL, a ? a->assignment_len : 0);
            }
            kgw_group_transition(c, g, KGW_GROUP_STABLE);
            if (c->persist != NULL)
                kgw_persist_group(c->persist, g);
            propagate_assignment(g, KAFKA_ERROR_NONE);
        }
        return;
    case KGW_GROUP_STABLE: {
        m->pending_sync = false;
        kgw_member_heartbeat(c, m);
        kgw_sync_result_t r = {
            .protocol_type = g->protocol_type,
            .protocol_name = g->protocol_name,
            .assignment = m->assignment,
            .assignment_len = m->assignment_len,
        };
        cb(ctx, &r);
        return;
    }
    default:
        sync_error(cb, ctx, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
        return;
    }
}
