/* Long-poll Fetch: requests whose first read found fewer than MinBytes wait
 * here, each with a MaxWaitMs timer, until an append to one of their
 * partitions gives them enough (kgw_fetch_wait_notify) or the timer fires.
 * Nothing polls: an idle server with parked fetches does no work. */
#ifndef KGW_FETCH_WAIT_H
#define KGW_FETCH_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "fetch_op.h"

typedef struct kgw_fetch_waiters kgw_fetch_waiters_t;

kgw_fetch_waiters_t *kgw_fetch_waiters_new(uv_loop_t *loop);
/* Answers every parked fetch with what it has now, then frees the set
 * (timer handles close later on the loop). */
void kgw_fetch_waiters_free(kgw_fetch_waiters_t *w);

/* Parks op for up to op->max_wait_ms; false if it could not be parked (the
 * caller then answers at once). */
bool kgw_fetch_park(kgw_fetch_waiters_t *w, kgw_fetch_op_t *op);

/* Data was appended to (topic, partition): parked fetches reading it
 * re-read and answer if they now have MinBytes. */
void kgw_fetch_wait_notify(kgw_fetch_waiters_t *w, const char *topic, int32_t partition);

#endif
