#include "fill.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kafka_fill_seed(kafka_fill_t *c, uint64_t seed, kafka_arena_t *arena, bool max) {
    c->state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (c->state == 0)
        c->state = 1;
    c->arena = arena;
    c->max = max;
}

uint64_t kafka_fill_u64(kafka_fill_t *c) {
    uint64_t x = c->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->state = x;
    /* Favour edge values now and then: 0, -1, extremes. */
    switch (x % 16) {
    case 0:
        return 0;
    case 1:
        return UINT64_MAX;
    case 2:
        return (uint64_t)INT64_MIN;
    default:
        return x * 0x2545F4914F6CDD1Dull;
    }
}

static uint32_t below(kafka_fill_t *c, uint32_t n) {
    return (uint32_t)((kafka_fill_u64(c) >> 11) % n);
}

bool kafka_fill_null(kafka_fill_t *c) {
    return !c->max && below(c, 5) == 0;
}

bool kafka_fill_skip_tagged(kafka_fill_t *c) {
    return !c->max && below(c, 2) == 0;
}

int32_t kafka_fill_count(kafka_fill_t *c) {
    return c->max ? 1 : (int32_t)below(c, 4);
}

void *kafka_fill_alloc(kafka_fill_t *c, size_t size) {
    void *p = kafka_arena_alloc(c->arena, size);
    if (p == NULL) {
        fprintf(stderr, "fill: arena allocation of %zu bytes failed\n", size);
        abort();
    }
    return p;
}

kafka_str_t kafka_fill_str(kafka_fill_t *c) {
    /* ASCII plus two- and three-byte UTF-8 sequences, so JSON sees real
     * Unicode; NUL is valid UTF-8 and must survive too. */
    static const char *const pieces[] = {
        "a", "Z", "0", "-", ".", "_", "\xc3\xa9", "\xe2\x82\xac", " ", "\"", "\\", "/", "\x01"};
    uint32_t n = below(c, 9) + (c->max ? 1 : 0);
    char *buf = kafka_fill_alloc(c, n * 3 + 1);
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *p = pieces[below(c, sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        memcpy(buf + len, p, l);
        len += l;
    }
    if (!c->max && below(c, 16) == 0)
        buf[len++] = '\0';
    return (kafka_str_t){buf, (int32_t)len};
}

kafka_bytes_t kafka_fill_bytes(kafka_fill_t *c) {
    uint32_t n = below(c, 17) + (c->max ? 1 : 0);
    uint8_t *buf = kafka_fill_alloc(c, n);
    for (uint32_t i = 0; i < n; i++)
        buf[i] = (uint8_t)kafka_fill_u64(c);
    return (kafka_bytes_t){buf, (int32_t)n};
}

double kafka_fill_float64(kafka_fill_t *c) {
    switch (below(c, 8)) {
    case 0:
        return NAN;
    case 1:
        return INFINITY;
    case 2:
        return -INFINITY;
    case 3:
        return -0.0;
    default:
        return (double)(int64_t)kafka_fill_u64(c) / 1024.0;
    }
}

kafka_uuid_t kafka_fill_uuid(kafka_fill_t *c) {
    kafka_uuid_t u;
    uint64_t a = kafka_fill_u64(c), b = kafka_fill_u64(c);
    memcpy(u.b, &a, 8);
    memcpy(u.b + 8, &b, 8);
    return u;
}

void kafka_fill_raw_tags(kafka_fill_t *c, kafka_raw_tags_t *tags, uint32_t first_free) {
    int32_t n = c->max ? 1 : (int32_t)below(c, 3);
    tags->count = n;
    tags->items = n > 0 ? kafka_fill_alloc(c, (size_t)n * sizeof *tags->items) : NULL;
    uint32_t tag = first_free;
    for (int32_t i = 0; i < n; i++) {
        tag += below(c, 200);
        tags->items[i].tag = tag++;
        tags->items[i].data = kafka_fill_bytes(c);
    }
}
