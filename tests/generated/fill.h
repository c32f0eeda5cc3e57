/* Random instances for the generated round-trip tests. The generated
 * fillers (generated/testing/) call these for each field valid at the
 * version under test. */
#ifndef KGW_TEST_FILL_H
#define KGW_TEST_FILL_H

#include "kafka/arena.h"
#include "kafka/types.h"

typedef struct kafka_fill {
    uint64_t state; /* xorshift state, never 0 */
    kafka_arena_t *arena;
    bool max; /* every nullable set, every tagged field set, one element per array */
} kafka_fill_t;

typedef void (*kafka_fill_fn)(void *m, int16_t version, kafka_fill_t *c);

/* In the order of kafka_messages[] (generated/testing/fill_table.c). */
extern const kafka_fill_fn kafka_fill_table[];

void kafka_fill_seed(kafka_fill_t *c, uint64_t seed, kafka_arena_t *arena, bool max);
uint64_t kafka_fill_u64(kafka_fill_t *c);
bool kafka_fill_null(kafka_fill_t *c);
bool kafka_fill_skip_tagged(kafka_fill_t *c);
int32_t kafka_fill_count(kafka_fill_t *c);
kafka_str_t kafka_fill_str(kafka_fill_t *c);
kafka_bytes_t kafka_fill_bytes(kafka_fill_t *c);
double kafka_fill_float64(kafka_fill_t *c);
kafka_uuid_t kafka_fill_uuid(kafka_fill_t *c);
/* Unknown tags numbered from first_free up, ascending. */
void kafka_fill_raw_tags(kafka_fill_t *c, kafka_raw_tags_t *tags, uint32_t first_free);
void *kafka_fill_alloc(kafka_fill_t *c, size_t size);

#endif
