/* Decodes pseudo-random bytes as every message schema and version, and
 * checks that the arena a decode takes stays proportional to its input.
 *
 * Usage: kgw-random-decode [MIB [SEED]]      (defaults: 64 MiB, seed 1)
 *
 * Chunks of 1..4096 random bytes go to a uniformly chosen schema and
 * version, each decoded with a fresh capped arena; what decodes must also
 * encode and decode back to an equal message. Exit 0 when that held and
 * every decode kept within ARENA_PER_BYTE * chunk length + ARENA_SLACK
 * bytes, 1 otherwise, 2 on bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/api.h"

#define CHUNK_MAX 4096
/* An array count is checked against the bytes left, so each decoded element
 * costs at least one input byte; the largest element struct plus alignment
 * padding is under this many bytes. */
#define ARENA_PER_BYTE 256
#define ARENA_SLACK 4096
/* Far above the bound for CHUNK_MAX bytes, so a decode that breaks the bound
 * is measured rather than stopped by the cap. */
#define ARENA_CAP (64u << 20)

/* splitmix64: small, fast and the same stream on every platform. */
static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n) {
    return rng_next(s) % n;
}

typedef struct stats {
    uint64_t decodes, ok, fail, bytes;
    uint64_t by_code[16]; /* index -code, KAFKA_E* codes are -1..-13 */
    uint64_t over_bound;
    uint64_t roundtrip_failed;
    double max_ratio; /* arena bytes per input byte */
    size_t max_used, max_used_len;
    const char *max_name;
    int max_version;
} stats_t;

/* encode then decode again; true when that gives back an equal message. */
static bool round_trips(const kafka_msg_vtable_t *vt, int16_t v, const void *m, void *back) {
    kafka_err_t err;
    size_t n;
    bool ok = false;

    kafka_err_clear(&err);
    if (vt->size(m, v, &n, &err) < 0)
        return false;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return false;
    kafka_writer_t w = kafka_writer_make(buf, n);
    if (vt->encode(m, v, &w) == 0 && w.pos == n) {
        kafka_arena_t arena;
        kafka_arena_init(&arena, ARENA_CAP);
        kafka_reader_t r = kafka_reader_make(buf, n, &err);
        ok = vt->decode(&r, v, &arena, back) == 0 && r.pos == n && vt->equal(m, back);
        kafka_arena_destroy(&arena);
    }
    free(buf);
    return ok;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    uint64_t mib = 64, seed = 1;

    if (argc > 3 || (argc > 1 && parse_u64(argv[1], &mib) < 0) ||
        (argc > 2 && parse_u64(argv[2], &seed) < 0) || mib == 0) {
        fprintf(stderr, "usage: %s [MIB [SEED]]\n", argv[0]);
        return 2;
    }

    size_t max_struct = 0;
    for (size_t i = 0; i < kafka_message_count; i++)
        if (kafka_messages[i].vtable->struct_size > max_struct)
            max_struct = kafka_messages[i].vtable->struct_size;
    void *m = malloc(max_struct);
    void *back = malloc(max_struct);
    uint8_t *chunk = malloc(CHUNK_MAX);
    if (m == NULL || back == NULL || chunk == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    stats_t st = {0};
    uint64_t rng = seed;
    uint64_t target = mib << 20;
    double t0 = now();

    while (st.bytes < target) {
        const kafka_msg_vtable_t *vt = kafka_messages[rng_below(&rng, kafka_message_count)].vtable;
        int16_t v = (int16_t)(vt->min_version +
                              rng_below(&rng, (uint64_t)(vt->max_version - vt->min_version + 1)));
        size_t len = 1 + (size_t)rng_below(&rng, CHUNK_MAX);
        for (size_t i = 0; i < len; i += 8) {
            uint64_t x = rng_next(&rng);
            memcpy(chunk + i, &x, len - i < 8 ? len - i : 8);
        }

        kafka_arena_t arena;
        kafka_err_t err;
        kafka_arena_init(&arena, ARENA_CAP);
        kafka_err_clear(&err);
        kafka_reader_t r = kafka_reader_make(chunk, len, &err);
        int rc = vt->decode(&r, v, &arena, m);
        size_t used = arena.used;

        st.decodes++;
        st.bytes += len;
        if (rc == 0) {
            st.ok++;
            if (!round_trips(vt, v, m, back)) {
                st.roundtrip_failed++;
                fprintf(stderr, "%s v%d: decoded %zu bytes but does not round-trip\n", vt->name, v,
                        r.pos);
            }
        } else {
            st.fail++;
            if (rc < 0 && -rc < (int)(sizeof st.by_code / sizeof st.by_code[0]))
                st.by_code[-rc]++;
        }
        /* m and back view the chunk and the arena until here. */
        kafka_arena_destroy(&arena);
        double ratio = (double)used / (double)len;
        if (ratio > st.max_ratio) {
            st.max_ratio = ratio;
            st.max_name = vt->name;
            st.max_version = v;
        }
        if (used > st.max_used) {
            st.max_used = used;
            st.max_used_len = len;
        }
        if (used > (size_t)ARENA_PER_BYTE * len + ARENA_SLACK) {
            st.over_bound++;
            fprintf(stderr, "%s v%d: arena %zu bytes for %zu input bytes exceeds the bound\n",
                    vt->name, v, used, len);
        }
    }

    double elapsed = now() - t0;
    printf("seed %" PRIu64 ": %" PRIu64 " MiB in %" PRIu64 " decodes over %zu schemas, %.1f s "
           "(%.1f MiB/s)\n",
           seed, st.bytes >> 20, st.decodes, kafka_message_count, elapsed,
           (double)st.bytes / 1048576.0 / (elapsed > 0 ? elapsed : 1));
    printf("decoded: %" PRIu64 " ok (%" PRIu64 " of them not round-tripping), %" PRIu64 " failed\n",
           st.ok, st.roundtrip_failed, st.fail);
    for (int c = 1; c < (int)(sizeof st.by_code / sizeof st.by_code[0]); c++)
        if (st.by_code[c] > 0)
            printf("  %-20s %" PRIu64 "\n", kafka_err_name(-c), st.by_code[c]);
    printf("arena: max %.2f bytes per input byte (%s v%d); max %zu bytes (for %zu input bytes)\n",
           st.max_ratio, st.max_name ? st.max_name : "-", st.max_version, st.max_used,
           st.max_used_len);
    printf("bound %d * len + %d: %" PRIu64 " decodes over it\n", ARENA_PER_BYTE, ARENA_SLACK,
           st.over_bound);
    free(m);
    free(back);
    free(chunk);
    return st.over_bound > 0 || st.roundtrip_failed > 0 ? 1 : 0;
}
