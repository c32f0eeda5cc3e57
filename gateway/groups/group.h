/* The coordinator's internal state, shared by its files: groups, members,
 * committed offsets. See coordinator.h for the threading model. */
#ifndef KGW_GROUPS_GROUP_H
#define KGW_GROUPS_GROUP_H

#include "coordinator.h"

enum kgw_group_state {
    KGW_GROUP_EMPTY,
    KGW_GROUP_PREPARING_REBALANCE,
    KGW_GROUP_COMPLETING_REBALANCE,
    KGW_GROUP_STABLE,
    KGW_GROUP_DEAD,
};

/* Kafka keeps a member that joined a brand-new group (and so cannot
 * heartbeat yet) for this long before giving up on it. */
#define KGW_NEW_MEMBER_JOIN_TIMEOUT_MS 300000

typedef struct kgw_protocol {
    char *name;
    uint8_t *metadata;
    int32_t metadata_len;
} kgw_protocol_t;

typedef struct kgw_member {
    char *member_id;
    char *instance_id; /* NULL: dynamic */
    char *client_id;
    char *client_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    kgw_protocol_t *protocols;
    int32_t nprotocols;
    uint8_t *assignment;
    int32_t assignment_len;
    uint64_t session_deadline;
    uint64_t joined_at;
    bool is_new;
    bool pending_sync;   /* must send SyncGroup before the sync deadline */
    kgw_join_cb join_cb; /* non-NULL: a JoinGroup is parked */
    void *join_ctx;
    kgw_sync_cb sync_cb; /* non-NULL: a SyncGroup is parked */
    void *sync_ctx;
} kgw_member_t;

typedef struct kgw_pending_member {
    char *member_id;
    uint64_t deadline;
} kgw_pending_member_t;

typedef struct kgw_offset {
    char *topic;
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
    char *metadata;
    int64_t commit_ts;
    int64_t expire_ts; /* -1: by the group's retention rule */
    kafka_uuid_t topic_id;
    uint32_t replay_mark;    /* persist.c's replay: the snapshot era that last set it */
    struct kgw_offset *next; /* hash chain */
} kgw_offset_t;

typedef struct kgw_offset_table {
    kgw_offset_t **buckets;
    size_t nbuckets;
    size_t count;
} kgw_offset_table_t;

typedef struct kgw_group {
    char *group_id;
    int state;
    char *protocol_type; /* NULL: none yet */
    char *protocol_name;
    char *leader_id;
    int32_t generation;
    int64_t state_ts; /* wall clock of the last state change */
    kgw_member_t **members;
    int32_t nmembers, cap_members;
    kgw_pending_member_t *pending;
    int32_t npending, cap_pending;
    /* PreparingRebalance: when the join phase ends regardless. With the
     * initial delay, join_extend_left_ms is what new joiners may still add. */
    uint64_t join_deadline;
    bool initial_delay;
    bool new_member_added; /* during the initial delay */
    int32_t join_extend_left_ms;
    uint64_t sync_deadline; /* CompletingRebalance */
    kgw_offset_table_t offsets;
    /* The value of the last metadata record written or replayed (NULL: none
     * or a tombstone): a snapshot copies it rather than the live state, which
     * may be mid-rebalance. */
    uint8_t *meta_value;
    size_t meta_len;
    uint32_t replay_mark;
    struct kgw_group *next; /* hash chain */
} kgw_group_t;

typedef struct kgw_persist kgw_persist_t;

struct kgw_coord {
    kgw_coord_env_t env;
    kgw_group_t **buckets;
    size_t nbuckets;
    size_t ngroups;
    uint64_t next_deadline;
    uint64_t next_retention_check;
    uint64_t id_seq;
    uint64_t id_rand;
    kgw_persist_t *persist;
    /* OffsetCommits whose write is in flight, oldest first (offsets.c). */
    struct kgw_commit_op *commits_head, *commits_tail;
    bool shut;
    bool freed; /* freed by the owner; memory goes with the last write */
};

/* ---- group.c ---- */
uint64_t kgw_coord_mono(const kgw_coord_t *c);
int64_t kgw_coord_wall(const kgw_coord_t *c);
void kgw_coord_arm(kgw_coord_t *c, uint64_t deadline);
const char *kgw_group_state_name(int state);
kgw_group_t *kgw_group_find(kgw_coord_t *c, const char *group_id);
kgw_group_t *kgw_group_get_or_create(kgw_coord_t *c, const char *group_id);
/* Unlinks and frees a group (it must have no parked requests). */
void kgw_group_remove(kgw_coord_t *c, kgw_group_t *g);
void kgw_group_transition(kgw_coord_t *c, kgw_group_t *g, int state);
kgw_member_t *kgw_group_member(const kgw_group_t *g, const char *member_id);
kgw_member_t *kgw_group_static_member(const kgw_group_t *g, const char *instance_id);
int32_t kgw_group_pending_index(const kgw_group_t *g, const char *member_id);
void kgw_group_pending_remove(kgw_group_t *g, int32_t index);
int kgw_group_pending_add(kgw_group_t *g, const char *member_id, uint64_t deadline);
int kgw_group_add_member(kgw_group_t *g, kgw_member_t *m);
/* Unlinks the member from the group (does not free it). */
void kgw_group_unlink_member(kgw_group_t *g, kgw_member_t *m);
void kgw_member_free(kgw_member_t *m);
int kgw_member_set_protocols(kgw_member_t *m, const kgw_protocol_in_t *p, int32_t n);
const kgw_protocol_t *kgw_member_protocol(const kgw_member_t *m, const char *name);
/* Whether the member's protocols are exactly these (names and metadata). */
bool kgw_member_protocols_match(const kgw_member_t *m, const kgw_protocol_in_t *p, int32_t n);
/* Kafka's supportsProtocols: type and at least one protocol every member has. */
bool kgw_group_supports(const kgw_group_t *g, const char *protocol_type, const kgw_protocol_in_t *p,
                        int32_t n);
/* Kafka's selectProtocol: among the protocols every member supports, the
 * one most members prefer (ties go to the leader's preference order). */
const char *kgw_group_select_protocol(const kgw_group_t *g);
char *kgw_new_member_id(kgw_coord_t *c, const char *client_id);
char *kgw_strdup(const char *s);
/* persist.c reports each completed append (the coordinator may be waiting
 * for the last one to free itself). */
void kgw_coord_write_done(kgw_coord_t *c);
/* Whether the group's selected protocol is "consumer" and some member
 * subscribes to the topic. */
bool kgw_group_subscribed_to(const kgw_group_t *g, const char *topic);

/* ---- rebalance.c ---- */
void kgw_rebalance_prepare(kgw_coord_t *c, kgw_group_t *g);
void kgw_rebalance_maybe_prepare(kgw_coord_t *c, kgw_group_t *g);
/* Completes the join phase if every known member has rejoined. */
void kgw_rebalance_try_complete_join(kgw_coord_t *c, kgw_group_t *g);
/* The join phase's deadline passed: drop who did not rejoin, then complete. */
void kgw_rebalance_join_expired(kgw_coord_t *c, kgw_group_t *g);
/* The sync deadline passed: drop members that never synced and rebalance. */
void kgw_rebalance_sync_expired(kgw_coord_t *c, kgw_group_t *g);
/* Answers the member's parked requests, removes it and moves the group on. */
void kgw_rebalance_remove_member(kgw_coord_t *c, kgw_group_t *g, kgw_member_t *m);
void kgw_member_heartbeat(kgw_coord_t *c, kgw_member_t *m);
/* FENCED_INSTANCE_ID, UNKNOWN_MEMBER_ID or NONE (Kafka's validateCurrentMember). */
int16_t kgw_group_validate_member(const kgw_group_t *g, const char *member_id,
                                  const char *instance_id);

/* ---- offsets.c ---- */
void kgw_offsets_init(kgw_offset_table_t *t);
void kgw_offsets_free(kgw_offset_table_t *t);
kgw_offset_t *kgw_offsets_find(const kgw_offset_table_t *t, const char *topic, int32_t partition);
/* Inserts or replaces; takes ownership of nothing (copies strings). */
kgw_offset_t *kgw_offsets_put(kgw_offset_table_t *t, const char *topic, int32_t partition);
void kgw_offsets_delete(kgw_offset_table_t *t, const char *topic, int32_t partition);
/* Removes offsets past their retention from Empty groups; drops groups
 * left with nothing. */
void kgw_offsets_expire(kgw_coord_t *c);
/* An offset whose topic is gone, or was deleted and created again. */
bool kgw_offset_stale(kgw_coord_t *c, const kgw_offset_t *o);
/* Calls fn for each OffsetCommit still being written, oldest first, with
 * the values it will apply. */
void kgw_offsets_each_inflight(kgw_coord_t *c,
                               void (*fn)(void *arg, const char *group_id,
                                          kgw_offset_t *const *vals, int32_t n),
                               void *arg);

#endif
