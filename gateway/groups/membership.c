/* Liveness: Heartbeat, LeaveGroup, and the deadlines tick enforces
 * (sessions, pending members, the join phase, the sync phase, offset
 * retention). */
#include <string.h>

#include "group.h"
#include "kafka/error_codes.h"

/* How often offsets are checked for expiry (Kafka's
 * offsets.retention.check.interval.ms is 10 minutes; a minute is cheap). */
#define RETENTION_CHECK_MS 60000

int16_t kgw_coord_heartbeat(kgw_coord_t *c, const char *group_id, int32_t generation,
                            const char *member_id, const char *instance_id) {
    if (c->shut)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (group_id == NULL || group_id[0] == '\0')
        return KAFKA_ERROR_INVALID_GROUP_ID;
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL)
        return KAFKA_ERROR_UNKNOWN_MEMBER_ID;
    if (g->state == KGW_GROUP_DEAD)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    int16_t err = kgw_group_validate_member(g, member_id, instance_id);
    if (err != KAFKA_ERROR_NONE)
        return err;
    kgw_member_t *m = kgw_group_member(g, member_id);
    switch (g->state) {
    case KGW_GROUP_PREPARING_REBALANCE:
        kgw_member_heartbeat(c, m);
        return KAFKA_ERROR_REBALANCE_IN_PROGRESS;
    case KGW_GROUP_COMPLETING_REBALANCE:
    case KGW_GROUP_STABLE:
        if (generation != g->generation)
            return KAFKA_ERROR_ILLEGAL_GENERATION;
        kgw_member_heartbeat(c, m);
        return KAFKA_ERROR_NONE;
    default:
        return KAFKA_ERROR_UNKNOWN_MEMBER_ID;
    }
}

int16_t kgw_coord_leave(kgw_coord_t *c, const char *group_id, kgw_leave_member_t *members,
                        int32_t n) {
    if (c->shut)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    if (group_id == NULL || group_id[0] == '\0')
        return KAFKA_ERROR_INVALID_GROUP_ID;
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g == NULL) {
        for (int32_t i = 0; i < n; i++)
            members[i].error = KAFKA_ERROR_UNKNOWN_MEMBER_ID;
        return KAFKA_ERROR_NONE;
    }
    if (g->state == KGW_GROUP_DEAD)
        return KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    for (int32_t i = 0; i < n; i++) {
        kgw_leave_member_t *l = &members[i];
        const char *mid = l->member_id != NULL ? l->member_id : "";
        kgw_member_t *m;
        if (mid[0] == '\0' && l->instance_id != NULL) {
            m = kgw_group_static_member(g, l->instance_id);
            if (m == NULL) {
                l->error = KAFKA_ERROR_UNKNOWN_MEMBER_ID;
                continue;
            }
        } else {
            int32_t pi = l->instance_id == NULL ? kgw_group_pending_index(g, mid) : -1;
            if (pi >= 0) {
                kgw_group_pending_remove(g, pi);
                l->error = KAFKA_ERROR_NONE;
                kgw_rebalance_try_complete_join(c, g);
                continue;
            }
            l->error = kgw_group_validate_member(g, mid, l->instance_id);
            if (l->error != KAFKA_ERROR_NONE)
                continue;
            m = kgw_group_member(g, mid);
        }
        l->error = KAFKA_ERROR_NONE;
        kgw_rebalance_remove_member(c, g, m);
    }
    return KAFKA_ERROR_NONE;
}

/* Kafka keeps a member alive while a join or sync of its is parked (the
 * parked request stands for its heartbeats), except a member new to a new
 * group that never finishes joining. */
static bool keep_alive(const kgw_member_t *m, uint64_t now) {
    if (m->join_cb != NULL)
        return !m->is_new || m->joined_at + KGW_NEW_MEMBER_JOIN_TIMEOUT_MS > now;
    return m->sync_cb != NULL;
}

/* Returns false if the group was removed. */
static void tick_group(kgw_coord_t *c, kgw_group_t *g, uint64_t now) {
    for (int32_t i = 0; i < g->npending;) {
        if (g->pending[i].deadline <= now) {
            kgw_group_pending_remove(g, i);
            kgw_rebalance_try_complete_join(c, g);
            continue;
        }
        kgw_coord_arm(c, g->pending[i].deadline);
        i++;
    }
    for (int32_t i = 0; i < g->nmembers;) {
        kgw_member_t *m = g->members[i];
        if (m->session_deadline <= now) {
            if (keep_alive(m, now)) {
                m->session_deadline = now + (uint64_t)m->session_timeout_ms;
            } else {
                kgw_rebalance_remove_member(c, g, m);
                /* The list may have shifted; start over (removal is rare). */
                i = 0;
                continue;
            }
        }
        kgw_coord_arm(c, m->session_deadline);
        i++;
    }
    if (g->state == KGW_GROUP_PREPARING_REBALANCE && g->join_deadline != 0) {
        if (g->join_deadline <= now)
            kgw_rebalance_join_expired(c, g);
        if (g->state == KGW_GROUP_PREPARING_REBALANCE && g->join_deadline != 0)
            kgw_coord_arm(c, g->join_deadline);
    }
    if ((g->state == KGW_GROUP_COMPLETING_REBALANCE || g->state == KGW_GROUP_STABLE) &&
        g->sync_deadline != 0) {
        if (g->sync_deadline <= now)
            kgw_rebalance_sync_expired(c, g);
        else
            kgw_coord_arm(c, g->sync_deadline);
    }
}

void kgw_coord_tick(kgw_coord_t *c) {
    if (c->shut)
        return;
    uint64_t now = kgw_coord_mono(c);
    if (now >= c->next_deadline) {
        c->next_deadline = UINT64_MAX;
        for (size_t b = 0; b < c->nbuckets; b++)
            for (kgw_group_t *g = c->buckets[b]; g != NULL; g = g->next)
                tick_group(c, g, now);
    }
    if (now >= c->next_retention_check) {
        c->next_retention_check = now + RETENTION_CHECK_MS;
        kgw_offsets_expire(c);
    }
}
