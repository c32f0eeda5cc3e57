/* Compaction's key map: record key -> last offset, in bounded memory.
 *
 * Keys are not stored. Each is reduced to 128 bits made of two SipHash-2-4
 * values under two independent random keys drawn for every map, and two keys
 * are taken as equal when all 128 bits agree. Kafka's cleaner does the same
 * with an MD5 digest; a keyed hash also means that clients cannot choose keys
 * that collide (a collision would make the cleaner drop a record whose key
 * was never written again). With n keys in a pass the chance of any
 * collision is about n^2 / 2^129: nil for any map that fits in memory.
 *
 * Layout: a dense array of entries (hash, offset) in insertion order,
 * allocated once for the most entries the budget allows (its pages are only
 * touched as entries are added), and an open-addressing table of 32-bit
 * entry numbers with linear probing that doubles while the load passes 3/4.
 * The budget covers both, including the old table while it is rehashed. */
#include "log_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MIN_SLOTS 16

static inline uint64_t rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

uint64_t kgw_siphash24(const uint8_t key[16], const void *data, size_t len) {
    const uint8_t *p = data;
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
    size_t blocks = len / 8;
    for (size_t i = 0; i < blocks; i++, p += 8) {
        uint64_t m = le64(p);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        last |= (uint64_t)p[i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static void random_keys(uint8_t *out, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return;
    /* No entropy source: still unpredictable enough to spread keys. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed[4] = {(uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, (uint64_t)getpid(),
                        (uint64_t)(uintptr_t)out};
    static const uint8_t fixed[16] = {0x6b, 0x67, 0x77};
    for (size_t i = 0; i < n; i += 8) {
        seed[0] ^= i;
        uint64_t v = kgw_siphash24(fixed, seed, sizeof seed);
        for (size_t j = 0; j < 8 && i + j < n; j++)
            out[i + j] = (uint8_t)(v >> (8 * j));
    }
}

static size_t pow2_at_least(size_t n) {
    size_t p = MIN_SLOTS;
    while (p < n)
        p *= 2;
    return p;
}

/* Most entries and table slots that max_bytes holds: entries of 24 bytes,
 * a table of 4-byte slots at load 3/4 and, while the table doubles, its old
 * half beside it: 6 bytes a slot, at most 8/3 slots an entry. */
static size_t layout(size_t max_bytes, size_t *slots) {
    size_t e = max_bytes / 40;
    if (e == 0)
        return 0;
    *slots = pow2_at_least(e + e / 3 + 1);
    if (*slots > max_bytes / 6)
        return 0;
    size_t fit = (max_bytes - *slots * 6) / sizeof(kgw_keymap_entry_t);
    size_t load = *slots / 4 * 3;
    return fit < load ? fit : load;
}

size_t kgw_keymap_capacity(size_t max_bytes) {
    size_t slots;
    return layout(max_bytes, &slots);
}

int kgw_keymap_init(kgw_keymap_t *m, size_t max_bytes) {
    memset(m, 0, sizeof *m);
    m->max = layout(max_bytes, &m->max_slots);
    if (m->max == 0 || m->max >= UINT32_MAX)
        return -EINVAL;
    m->nslots = m->max_slots < 1024 ? m->max_slots : 1024;
    m->e = malloc(m->max * sizeof *m->e);
    m->slot = calloc(m->nslots, sizeof *m->slot);
    if (!m->e || !m->slot) {
        kgw_keymap_free(m);
        return -ENOMEM;
    }
    random_keys(m->keys, sizeof m->keys);
    return 0;
}

void kgw_keymap_free(kgw_keymap_t *m) {
    free(m->e);
    free(m->slot);
    m->e = NULL;
    m->slot = NULL;
    m->n = m->max = 0;
}

static void hash(const kgw_keymap_t *m, const void *key, size_t len, uint64_t *h1, uint64_t *h2) {
    *h1 = kgw_siphash24(m->keys, key, len);
    *h2 = kgw_siphash24(m->keys + 16, key, len);
}

/* Slot holding (h1, h2), or the empty slot where it would go. */
static size_t find(const kgw_keymap_t *m, uint64_t h1, uint64_t h2) {
    size_t mask = m->nslots - 1;
    size_t i = (size_t)h1 & mask;
    for (;;) {
        uint32_t s = m->slot[i];
        if (s == 0)
            return i;
        const kgw_keymap_entry_t *e = &m->e[s - 1];
        if (e->h1 == h1 && e->h2 == h2)
            return i;
        i = (i + 1) & mask;
    }
}

static int grow(kgw_keymap_t *m) {
    size_t n = m->nslots * 2;
    uint32_t *old = m->slot;
    uint32_t *t = calloc(n, sizeof *t);
    if (!t)
        return -ENOMEM;
    m->slot = t;
    m->nslots = n;
    for (size_t i = 0; i < m->n; i++)
        m->slot[find(m, m->e[i].h1, m->e[i].h2)] = (uint32_t)(i + 1);
    free(old);
    return 0;
}

int kgw_keymap_put(kgw_keymap_t *m, const void *key, size_t len, int64_t offset) {
    uint64_t h1, h2;
    hash(m, key, len, &h1, &h2);
    size_t i = find(m, h1, h2);
    if (m->slot[i] != 0) {
        m->e[m->slot[i] - 1].offset = offset;
        return 0;
    }
    if (m->n == m->max)
        return 1;
    if ((m->n + 1) * 4 > m->nslots * 3 && m->nslots < m->max_slots) {
        int rc = grow(m);
        if (rc < 0)
            return rc;
        i = find(m, h1, h2);
    }
    m->e[m->n] = (kgw_keymap_entry_t){h1, h2, offset};
    m->slot[i] = (uint32_t)++m->n;
    return 0;
}

int64_t kgw_keymap_get(const kgw_keymap_t *m, const void *key, size_t len) {
    uint64_t h1, h2;
    hash(m, key, len, &h1, &h2);
    uint32_t s = m->slot[find(m, h1, h2)];
    return s ? m->e[s - 1].offset : -1;
}
