/* The group coordinator: Kafka's classic consumer-group protocol (join,
 * sync, heartbeat, leave), static membership (KIP-345), committed offsets
 * and their persistence.
 *
 * Single-threaded: every function here, every callback it makes and every
 * timer runs on the event-loop thread, so there are no locks. Time comes
 * from the environment (a monotonic clock for deadlines, a wall clock for
 * commit timestamps), so tests drive it with a fake clock and call
 * kgw_coord_tick themselves.
 *
 * Requests that must wait (a JoinGroup until the rebalance completes, a
 * SyncGroup until the leader's assignment arrives, an OffsetCommit until it
 * is durable) complete through a callback, exactly once, possibly before the
 * call returns. Pointers in a result are valid only during the callback. */
#ifndef KGW_GROUPS_COORDINATOR_H
#define KGW_GROUPS_COORDINATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafka/types.h"

typedef struct kgw_backend kgw_backend_t;
typedef struct kgw_coord kgw_coord_t;

typedef struct kgw_coord_env {
    uint64_t (*mono_ms)(void *arg); /* deadlines */
    int64_t (*wall_ms)(void *arg);  /* commit and state timestamps */
    void *clock_arg;
    /* Where offsets and group metadata persist; NULL keeps them in memory. */
    kgw_backend_t *backend;
    int32_t initial_rebalance_delay_ms;
    int32_t min_session_timeout_ms;
    int32_t max_session_timeout_ms;
    int32_t max_size;
    int64_t offsets_retention_ms;
    /* The internal topic is rewritten as a snapshot once more than
     * max(this, 4 x the live entries) records were appended since the last
     * one; 0: the default (10,000). */
    int64_t snapshot_min_records;
} kgw_coord_env_t;

kgw_coord_t *kgw_coord_new(const kgw_coord_env_t *env);
/* Rebuilds groups and offsets from the backend (if the internal topic
 * exists). 0 or a negative KGW_E* code. */
int kgw_coord_load(kgw_coord_t *c);
/* Answers every parked join and sync with NOT_COORDINATOR. Writes still in
 * flight complete later; kgw_coord_free may be called at once and the
 * memory goes when the last of them has. */
void kgw_coord_shutdown(kgw_coord_t *c);
void kgw_coord_free(kgw_coord_t *c);

/* Expires sessions, rebalance and sync deadlines, pending members and
 * offsets whose retention has passed. */
void kgw_coord_tick(kgw_coord_t *c);
/* The earliest monotonic time at which tick has work; UINT64_MAX if none. */
uint64_t kgw_coord_next_deadline(const kgw_coord_t *c);

/* ---- JoinGroup ---- */

typedef struct kgw_protocol_in {
    const char *name;
    const uint8_t *metadata;
    int32_t metadata_len;
} kgw_protocol_in_t;

typedef struct kgw_join_params {
    const char *group_id;
    const char *member_id;   /* "" for a new member */
    const char *instance_id; /* NULL for a dynamic member */
    const char *client_id;
    const char *client_host;
    const char *protocol_type;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    const kgw_protocol_in_t *protocols;
    int32_t nprotocols;
    bool require_known_member_id; /* v4+: answer MEMBER_ID_REQUIRED first */
} kgw_join_params_t;

typedef struct kgw_join_member {
    const char *member_id;
    const char *instance_id;
    const uint8_t *metadata;
    int32_t metadata_len;
} kgw_join_member_t;

typedef struct kgw_join_result {
    int16_t error;
    int32_t generation;
    const char *protocol_type; /* NULL when none */
    const char *protocol_name;
    const char *leader;
    const char *member_id;
    const kgw_join_member_t *members; /* the leader's view; none for followers */
    int32_t nmembers;
} kgw_join_result_t;

typedef void (*kgw_join_cb)(void *ctx, const kgw_join_result_t *r);
void kgw_coord_join(kgw_coord_t *c, const kgw_join_params_t *p, kgw_join_cb cb, void *ctx);

/* ---- SyncGroup ---- */

typedef struct kgw_assignment_in {
    const char *member_id;
    const uint8_t *assignment;
    int32_t assignment_len;
} kgw_assignment_in_t;

typedef struct kgw_sync_params {
    const char *group_id;
    int32_t generation;
    const char *member_id;
    const char *instance_id;
    const char *protocol_type; /* v5+; NULL: not checked */
    const char *protocol_name;
    const kgw_assignment_in_t *assignments;
    int32_t nassignments;
} kgw_sync_params_t;

typedef struct kgw_sync_result {
    int16_t error;
    const char *protocol_type;
    const char *protocol_name;
    const uint8_t *assignment;
    int32_t assignment_len;
} kgw_sync_result_t;

typedef void (*kgw_sync_cb)(void *ctx, const kgw_sync_result_t *r);
void kgw_coord_sync(kgw_coord_t *c, const kgw_sync_params_t *p, kgw_sync_cb cb, void *ctx);

/* ---- Heartbeat, LeaveGroup ---- */

int16_t kgw_coord_heartbeat(kgw_coord_t *c, const char *group_id, int32_t generation,
                            const char *member_id, const char *instance_id);

typedef struct kgw_leave_member {
    const char *member_id;   /* "" with an instance id: the static member */
    const char *instance_id; /* NULL for a dynamic member */
    int16_t error;           /* out */
} kgw_leave_member_t;

/* Returns the group-level error; per-member errors are written back. */
int16_t kgw_coord_leave(kgw_coord_t *c, const char *group_id, kgw_leave_member_t *members,
                        int32_t n);

/* ---- offsets ---- */

/* What kgw_coord_commit checks a topic against (NULL: every topic exists). */
typedef struct kgw_commit_part {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    const char *metadata; /* NULL: none */
    int16_t error;        /* out */
} kgw_commit_part_t;

typedef struct kgw_commit_params {
    const char *group_id;
    int32_t generation; /* -1: a commit from outside group management */
    const char *member_id;
    const char *instance_id;
    int64_t retention_ms; /* -1: the broker's offsets.retention.minutes */
    kgw_commit_part_t *parts;
    int32_t nparts;
} kgw_commit_params_t;

/* Per-partition errors are in params->parts when cb runs (the array must
 * live until then). */
typedef void (*kgw_commit_cb)(void *ctx, kgw_commit_part_t *parts, int32_t n);
void kgw_coord_commit(kgw_coord_t *c, kgw_commit_params_t *p, kgw_commit_cb cb, void *ctx);

typedef struct kgw_offset_view {
    const char *topic;
    int32_t partition;
    int64_t offset; /* -1: none committed */
    int32_t leader_epoch;
    const char *metadata;
} kgw_offset_view_t;

/* The committed offset of one partition (offset -1 when none). Offsets of a
 * topic that no longer exists (or was re-created) are dropped here. */
void kgw_coord_fetch_offset(kgw_coord_t *c, const char *group_id, const char *topic,
                            int32_t partition, kgw_offset_view_t *out);
/* Every committed offset of the group, in topic then partition order. */
int kgw_coord_fetch_all(kgw_coord_t *c, const char *group_id,
                        int (*fn)(void *arg, const kgw_offset_view_t *o), void *arg);

/* OffsetDelete: returns the group-level error; per-partition errors in
 * parts[i].error. */
int16_t kgw_coord_delete_offsets(kgw_coord_t *c, const char *group_id, kgw_commit_part_t *parts,
                                 int32_t n);

/* ---- DescribeGroups, ListGroups, DeleteGroups ---- */

typedef struct kgw_member_view {
    const char *member_id;
    const char *instance_id;
    const char *client_id;
    const char *client_host;
    const uint8_t *metadata; /* of the selected protocol, when Stable */
    int32_t metadata_len;
    const uint8_t *assignment;
    int32_t assignment_len;
} kgw_member_view_t;

typedef struct kgw_group_view {
    const char *group_id;
    const char *state;
    const char *protocol_type; /* "" when none */
    const char *protocol_name; /* "" unless Stable */
    int32_t generation;
    const kgw_member_view_t *members;
    int32_t nmembers;
} kgw_group_view_t;

/* fn gets state "Dead" and no members for an unknown group. */
void kgw_coord_describe(kgw_coord_t *c, const char *group_id,
                        void (*fn)(void *arg, const kgw_group_view_t *g), void *arg);
/* Every group that is not Dead, in name order. */
void kgw_coord_list(kgw_coord_t *c, void (*fn)(void *arg, const kgw_group_view_t *g), void *arg);
/* GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or NONE (the group and its offsets
 * are gone). */
int16_t kgw_coord_delete_group(kgw_coord_t *c, const char *group_id);

#endif
