#include "kafka/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK 8192

struct kafka_arena_chunk {
    kafka_arena_chunk_t *next; /* older chunk */
    uint8_t *data;             /* ARENA_ALIGN-aligned payload */
    size_t size;               /* payload bytes */
    size_t pos;                /* payload bytes in use */
    bool dedicated;            /* holds one large allocation */
};

/* Padding that brings pos up to the next multiple of ARENA_ALIGN. */
static size_t align_pad(size_t pos) {
    return (ARENA_ALIGN - (pos % ARENA_ALIGN)) % ARENA_ALIGN;
}

static kafka_arena_chunk_t *chunk_new(size_t size) {
    /* malloc's alignment is not guaranteed to be 16 everywhere, so reserve
     * room to align the payload by hand. */
    size_t overhead = sizeof(kafka_arena_chunk_t) + ARENA_ALIGN - 1;
    kafka_arena_chunk_t *c = malloc(overhead + size);
    if (!c)
        return NULL;
    uintptr_t p = (uintptr_t)(c + 1);
    p = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
    c->data = (uint8_t *)p;
    c->size = size;
    c->pos = 0;
    c->next = NULL;
    c->dedicated = false;
    return c;
}

void kafka_arena_init(kafka_arena_t *a, size_t cap) {
    a->head = NULL;
    a->cap = cap;
    a->used = 0;
    a->chunk_size = ARENA_DEFAULT_CHUNK;
}

/* True when n more bytes stay within the cap (cap 0: unlimited). */
static bool within_cap(const kafka_arena_t *a, size_t n) {
    return a->cap == 0 || (a->used <= a->cap && n <= a->cap - a->used);
}

void *kafka_arena_alloc(kafka_arena_t *a, size_t size) {
    /* Zero-byte requests must still get a distinct-from-NULL, aligned
     * pointer; nothing may be stored there, so one static block serves. */
    static _Alignas(ARENA_ALIGN) uint8_t empty[ARENA_ALIGN];
    if (size == 0)
        return empty;
    /* No object may exceed PTRDIFF_MAX; refusing here also keeps every sum
     * below from overflowing. */
    if (size > (size_t)PTRDIFF_MAX - ARENA_ALIGN - sizeof(kafka_arena_chunk_t))
        return NULL;

    kafka_arena_chunk_t *h = a->head;
    if (h && !h->dedicated) {
        size_t pad = align_pad(h->pos);
        if (pad <= h->size - h->pos && size <= h->size - h->pos - pad) {
            if (!within_cap(a, pad + size))
                return NULL;
            void *p = h->data + h->pos + pad;
            h->pos += pad + size;
            a->used += pad + size;
            return p;
        }
    }

    /* A fresh chunk starts aligned, so no padding is charged. Checking the
     * cap first keeps a hostile size from reaching malloc. */
    if (!within_cap(a, size))
        return NULL;
    size_t chunk_size = a->chunk_size ? a->chunk_size : ARENA_DEFAULT_CHUNK;
    if (size > chunk_size / 4) {
        /* Large: its own chunk, linked behind the head so the head's free
         * space stays usable for small allocations. */
        kafka_arena_chunk_t *c = chunk_new(size);
        if (!c)
            return NULL;
        c->dedicated = true;
        c->pos = size;
        if (h) {
            c->next = h->next;
            h->next = c;
        } else {
            a->head = c;
        }
        a->used += size;
        return c->data;
    }
    kafka_arena_chunk_t *c = chunk_new(chunk_size);
    if (!c)
        return NULL;
    c->next = h;
    a->head = c;
    c->pos = size;
    a->used += size;
    return c->data;
}

void *kafka_arena_calloc(kafka_arena_t *a, size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    size_t n = count * size;
    void *p = kafka_arena_alloc(a, n);
    if (p && n)
        memset(p, 0, n);
    return p;
}

void *kafka_arena_memdup(kafka_arena_t *a, const void *src, size_t len) {
    void *p = kafka_arena_alloc(a, len);
    if (p && len)
        memcpy(p, src, len);
    return p;
}

void kafka_arena_reset(kafka_arena_t *a) {
    /* Keep the oldest regular chunk (the list runs newest to oldest); a
     * dedicated chunk is freed so a one-off huge allocation is not pinned. */
    kafka_arena_chunk_t *keep = NULL;
    for (kafka_arena_chunk_t *c = a->head; c; c = c->next)
        if (!c->dedicated)
            keep = c;
    kafka_arena_chunk_t *c = a->head;
    while (c) {
        kafka_arena_chunk_t *next = c->next;
        if (c != keep)
            free(c);
        c = next;
    }
    if (keep) {
        keep->pos = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used = 0;
}

void kafka_arena_destroy(kafka_arena_t *a) {
    kafka_arena_chunk_t *c = a->head;
    while (c) {
        kafka_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}
