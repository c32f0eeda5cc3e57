/* Persistence of committed offsets and group metadata in the internal topic
 * __consumer_offsets (one partition), written through the backend as v2
 * record batches with acks=-1 and replayed on start. Keys follow Kafka's
 * layout: version 0/1 = offset commit (group, topic, partition), version
 * 2 = group metadata (group); a null value deletes the key. */
#ifndef KGW_GROUPS_PERSIST_H
#define KGW_GROUPS_PERSIST_H

#include "group.h"

#define KGW_OFFSETS_TOPIC "__consumer_offsets"

/* Wire error (0 on success). */
typedef void (*kgw_persist_cb)(void *ctx, int16_t error);

kgw_persist_t *kgw_persist_new(kgw_coord_t *c, kgw_backend_t *be);
void kgw_persist_free(kgw_persist_t *p);
/* Replays the topic into the coordinator (groups come back Stable with
 * their members, or Empty). */
int kgw_persist_load(kgw_persist_t *p);
/* Writes the offsets (value NULL entries: tombstones for those keys) in one
 * batch; cb may be NULL. */
void kgw_persist_offsets(kgw_persist_t *p, const char *group_id, kgw_offset_t *const *offsets,
                         const bool *tombstone, int32_t n, kgw_persist_cb cb, void *ctx);
/* The group's current metadata (members and assignments). */
void kgw_persist_group(kgw_persist_t *p, kgw_group_t *g);
void kgw_persist_group_tombstone(kgw_persist_t *p, const char *group_id);
/* Appends not yet completed. */
size_t kgw_persist_inflight(const kgw_persist_t *p);

#endif
