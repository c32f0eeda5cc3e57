/* Per-request bump allocator with a hard byte cap. Everything a decode
 * allocates comes from here; freeing a request is one kafka_arena_reset().
 * Not thread-safe: one arena belongs to one request at a time. */
#ifndef KAFKA_ARENA_H
#define KAFKA_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct kafka_arena_chunk kafka_arena_chunk_t;

typedef struct kafka_arena {
    kafka_arena_chunk_t *head; /* current chunk, linked to older ones */
    size_t cap;                /* max bytes handed out before reset */
    size_t used;               /* bytes handed out since init/reset */
    size_t chunk_size;         /* default chunk payload size */
} kafka_arena_t;

/* cap == 0 means unlimited (tools and tests only). */
void kafka_arena_init(kafka_arena_t *a, size_t cap);
/* Returns 16-byte-aligned memory, or NULL when the cap would be exceeded,
 * size overflows, or malloc fails. size 0 returns a valid non-NULL pointer. */
void *kafka_arena_alloc(kafka_arena_t *a, size_t size);
/* count * size with overflow check; memory is zeroed. */
void *kafka_arena_calloc(kafka_arena_t *a, size_t count, size_t size);
/* Copy len bytes into the arena (NULL on failure). */
void *kafka_arena_memdup(kafka_arena_t *a, const void *src, size_t len);
/* Frees all chunks but the first, keeps that one for reuse. */
void kafka_arena_reset(kafka_arena_t *a);
void kafka_arena_destroy(kafka_arena_t *a);

#endif
