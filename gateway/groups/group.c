/* Groups and members: the group table, member bookkeeping, protocol
 * selection, member ids, and the coordinator's lifetime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "kafka/error_codes.h"
#include "persist.h"

char *kgw_strdup(const char *s) {
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

kgw_coord_t *kgw_coord_new(const kgw_coord_env_t *env) {
    kgw_coord_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->env = *env;
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    c->persist = env->backend != NULL ? kgw_persist_new(c, env->backend) : NULL;
    if (c->buckets == NULL || (env->backend != NULL && c->persist == NULL)) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    c->next_deadline = UINT64_MAX;
    c->next_retention_check = kgw_coord_mono(c) + 60000;
    c->id_rand = (uint64_t)kgw_coord_wall(c) * 6364136223846793005ull ^ (uint64_t)(uintptr_t)c;
    return c;
}

int kgw_coord_load(kgw_coord_t *c) {
    return c->persist != NULL ? kgw_persist_load(c->persist) : 0;
}

uint64_t kgw_coord_mono(const kgw_coord_t *c) {
    return c->env.mono_ms(c->env.clock_arg);
}

int64_t kgw_coord_wall(const kgw_coord_t *c) {
    return c->env.wall_ms(c->env.clock_arg);
}

void kgw_coord_arm(kgw_coord_t *c, uint64_t deadline) {
    if (deadline < c->next_deadline)
        c->next_deadline = deadline;
}

uint64_t kgw_coord_next_deadline(const kgw_coord_t *c) {
    return c->next_deadline < c->next_retention_check ? c->next_deadline : c->next_retention_check;
}

const char *kgw_group_state_name(int state) {
    switch (state) {
    case KGW_GROUP_EMPTY:
        return "Empty";
    case KGW_GROUP_PREPARING_REBALANCE:
        return "PreparingRebalance";
    case KGW_GROUP_COMPLETING_REBALANCE:
        return "CompletingRebalance";
    case KGW_GROUP_STABLE:
        return "Stable";
    default:
        return "Dead";
    }
}

kgw_group_t *kgw_group_find(kgw_coord_t *c, const char *group_id) {
    for (kgw_group_t *g = c->buckets[fnv1a(group_id) % c->nbuckets]; g != NULL; g = g->next)
        if (strcmp(g->group_id, group_id) == 0)
            return g;
    return NULL;
}

kgw_group_t *kgw_group_get_or_create(kgw_coord_t *c, const char *group_id) {
    kgw_group_t *g = kgw_group_find(c, group_id);
    if (g != NULL)
        return g;
    g = calloc(1, sizeof *g);
    if (g == NULL || (g->group_id = kgw_strdup(group_id)) == NULL) {
        free(g);
        return NULL;
    }
    g->state = KGW_GROUP_EMPTY;
    g->state_ts = kgw_coord_wall(c);
    kgw_offsets_init(&g->offsets);
    size_t b = fnv1a(group_id) % c->nbuckets;
    g->next = c->buckets[b];
    c->buckets[b] = g;
    c->ngroups++;
    return g;
}

void kgw_member_free(kgw_member_t *m) {
    if (m == NULL)
        return;
    for (int32_t i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].metadata);
    }
    free(m->protocols);
    free(m->member_id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

static void group_free(kgw_group_t *g) {
    for (int32_t i = 0; i < g->nmembers; i++)
        kgw_member_free(g->members[i]);
    free(g->members);
    for (int32_t i = 0; i < g->npending; i++)
        free(g->pending[i].member_id);
    free(g->pending);
    kgw_offsets_free(&g->offsets);
    free(g->group_id);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->leader_id);
    free(g->meta_value);
    free(g);
}

void kgw_group_remove(kgw_coord_t *c, kgw_group_t *g) {
    kgw_group_t **pp = &c->buckets[fnv1a(g->group_id) % c->nbuckets];
    while (*pp != NULL && *pp != g)
        pp = &(*pp)->next;
    if (*pp == g) {
        *pp = g->next;
        c->ngroups--;
    }
    group_free(g);
}

void kgw_group_transition(kgw_coord_t *c, kgw_group_t *g, int state) {
    g->state = state;
    g->state_ts = kgw_coord_wall(c);
}

kgw_member_t *kgw_group_member(const kgw_group_t *g, const char *member_id) {
    for (int32_t i = 0; i < g->nmembers; i++)
        if (strcmp(g->members[i]->member_id, member_id) == 0)
            return g->members[i];
    return NULL;
}

kgw_member_t *kgw_group_static_member(const kgw_group_t *g, const char *instance_id) {
    if (instance_id == NULL)
        return NULL;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->instance_id != NULL &&
            strcmp(g->members[i]->instance_id, instance_id) == 0)
            return g->members[i];
    return NULL;
}

int32_t kgw_group_pending_index(const kgw_group_t *g, const char *member_id) {
    for (int32_t i = 0; i < g->npending; i++)
        if (strcmp(g->pending[i].member_id, member_id) == 0)
            return i;
    return -1;
}

void kgw_group_pending_remove(kgw_group_t *g, int32_t index) {
    free(g->pending[index].member_id);
    g->pending[index] = g->pending[--g->npending];
}

int kgw_group_pending_add(kgw_group_t *g, const char *member_id, uint64_t deadline) {
    if (g->npending == g->cap_pending) {
        int32_t cap = g->cap_pending ? g->cap_pending * 2 : 8;
        kgw_pending_member_t *p = realloc(g->pending, (size_t)cap * sizeof *p);
        if (p == NULL)
            return -1;
        g->pending = p;
        g->cap_pending = cap;
    }
    char *id = kgw_strdup(member_id);
    if (id == NULL)
        return -1;
    g->pending[g->npending++] = (kgw_pending_member_t){id, deadline};
    return 0;
}

int kgw_group_add_member(kgw_group_t *g, kgw_member_t *m) {
    if (g->nmembers == g->cap_members) {
        int32_t cap = g->cap_members ? g->cap_members * 2 : 8;
        kgw_member_t **p = realloc(g->members, (size_t)cap * sizeof *p);
        if (p == NULL)
            return -1;
        g->members = p;
        g->cap_members = cap;
    }
    g->members[g->nmembers++] = m;
    if (g->leader_id == NULL)
        g->leader_id = kgw_strdup(m->member_id);
    return 0;
}

void kgw_group_unlink_member(kgw_group_t *g, kgw_member_t *m) {
    for (int32_t i = 0; i < g->nmembers; i++) {
        if (g->members[i] == m) {
            /* Order is kept: the leader's member list follows join order. */
            memmove(&g->members[i], &g->members[i + 1],
                    (size_t)(g->nmembers - i - 1) * sizeof *g->members);
            g->nmembers--;
            break;
        }
    }
    if (g->leader_id != NULL && strcmp(g->leader_id, m->member_id) == 0) {
        free(g->leader_id);
        g->leader_id = g->nmembers > 0 ? kgw_strdup(g->members[0]->member_id) : NULL;
    }
}

int kgw_member_set_protocols(kgw_member_t *m, const kgw_protocol_in_t *p, int32_t n) {
    kgw_protocol_t *np = calloc((size_t)(n > 0 ? n : 1), sizeof *np);
    if (np == NULL)
        return -1;
    for (int32_t i = 0; i < n; i++) {
        np[i].name = kgw_strdup(p[i].name);
        np[i].metadata_len = p[i].metadata_len > 0 ? p[i].metadata_len : 0;
        np[i].metadata = malloc((size_t)np[i].metadata_len + 1);
        if (np[i].name == NULL || np[i].metadata == NULL) {
            for (int32_t j = 0; j <= i; j++) {
                free(np[j].name);
                free(np[j].metadata);
            }
            free(np);
            return -1;
        }
        if (np[i].metadata_len > 0)
            memcpy(np[i].metadata, p[i].metadata, (size_t)np[i].metadata_len);
    }
    for (int32_t i = 0; i < m->nprotocols; i++) {
        free(m->protocols[i].name);
        free(m->protocols[i].metadata);
    }
    free(m->protocols);
    m->protocols = np;
    m->nprotocols = n;
    return 0;
}

const kgw_protocol_t *kgw_member_protocol(const kgw_member_t *m, const char *name) {
    if (name == NULL)
        return NULL;
    for (int32_t i = 0; i < m->nprotocols; i++)
        if (strcmp(m->protocols[i].name, name) == 0)
            return &m->protocols[i];
    return NULL;
}

bool kgw_member_protocols_match(const kgw_member_t *m, const kgw_protocol_in_t *p, int32_t n) {
    if (m->nprotocols != n)
        return false;
    for (int32_t i = 0; i < n; i++) {
        int32_t len = p[i].metadata_len > 0 ? p[i].metadata_len : 0;
        if (strcmp(m->protocols[i].name, p[i].name) != 0 || m->protocols[i].metadata_len != len ||
            (len > 0 && memcmp(m->protocols[i].metadata, p[i].metadata, (size_t)len) != 0))
            return false;
    }
    return true;
}

/* Whether every member lists the protocol. */
static bool all_support(const kgw_group_t *g, const char *name) {
    for (int32_t i = 0; i < g->nmembers; i++)
        if (kgw_member_protocol(g->members[i], name) == NULL)
            return false;
    return true;
}

bool kgw_group_supports(const kgw_group_t *g, const char *protocol_type, const kgw_protocol_in_t *p,
                        int32_t n) {
    if (protocol_type == NULL || protocol_type[0] == '\0' || n <= 0)
        return false;
    if (g->nmembers == 0)
        return true;
    if (g->protocol_type == NULL || strcmp(g->protocol_type, protocol_type) != 0)
        return false;
    for (int32_t i = 0; i < n; i++)
        if (all_support(g, p[i].name))
            return true;
    return false;
}

const char *kgw_group_select_protocol(const kgw_group_t *g) {
    if (g->nmembers == 0)
        return NULL;
    const kgw_member_t *leader = g->leader_id ? kgw_group_member(g, g->leader_id) : NULL;
    if (leader == NULL)
        leader = g->members[0];
    /* Candidates in the leader's preference order; votes by each member's
     * first candidate. */
    const char *best = NULL;
    int32_t best_votes = -1;
    for (int32_t ci = 0; ci < leader->nprotocols; ci++) {
        const char *cand = leader->protocols[ci].name;
        if (!all_support(g, cand))
            continue;
        int32_t votes = 0;
        for (int32_t i = 0; i < g->nmembers; i++) {
            const kgw_member_t *m = g->members[i];
            for (int32_t k = 0; k < m->nprotocols; k++) {
                if (!all_support(g, m->protocols[k].name))
                    continue;
                if (strcmp(m->protocols[k].name, cand) == 0)
                    votes++;
                break;
            }
        }
        if (votes > best_votes) {
            best = cand;
            best_votes = votes;
        }
    }
    return best;
}

char *kgw_new_member_id(kgw_coord_t *c, const char *client_id) {
    uint8_t u[16];
    for (int i = 0; i < 2; i++) {
        /* splitmix64: ids only need to be unique, not secret */
        uint64_t z = (c->id_rand += 0x9e3779b97f4a7c15ull) ^ ++c->id_seq;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        memcpy(u + 8 * i, &z, 8);
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    size_t n = strlen(client_id) + 38;
    char *id = malloc(n);
    if (id == NULL)
        return NULL;
    snprintf(id, n, "%s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             client_id, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
             u[12], u[13], u[14], u[15]);
    return id;
}

/* ConsumerProtocolSubscription (every version): int16 version, then the
 * topics as array<string>. */
static bool subscription_has(const uint8_t *p, int32_t len, const char *topic) {
    if (p == NULL || len < 6)
        return false;
    int32_t pos = 2;
    int32_t n = (int32_t)((uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 |
                          (uint32_t)p[pos + 2] << 8 | p[pos + 3]);
    pos += 4;
    size_t tl = strlen(topic);
    for (int32_t i = 0; i < n && pos + 2 <= len; i++) {
        int32_t sl = (int16_t)(p[pos] << 8 | p[pos + 1]);
        pos += 2;
        if (sl < 0 || pos + sl > len)
            return false;
        if ((size_t)sl == tl && memcmp(p + pos, topic, tl) == 0)
            return true;
        pos += sl;
    }
    return false;
}

bool kgw_group_subscribed_to(const kgw_group_t *g, const char *topic) {
    if (g->protocol_type == NULL || strcmp(g->protocol_type, "consumer") != 0 ||
        g->protocol_name == NULL)
        return false;
    for (int32_t i = 0; i < g->nmembers; i++) {
        const kgw_protocol_t *p = kgw_member_protocol(g->members[i], g->protocol_name);
        if (p != NULL && subscription_has(p->metadata, p->metadata_len, topic))
            return true;
    }
    return false;
}

void kgw_coord_shutdown(kgw_coord_t *c) {
    if (c->shut)
        return;
    c->shut = true;
    for (size_t b = 0; b < c->nbuckets; b++) {
        for (kgw_group_t *g = c->buckets[b]; g != NULL; g = g->next) {
            for (int32_t i = 0; i < g->nmembers; i++) {
                kgw_member_t *m = g->members[i];
                if (m->join_cb != NULL) {
                    kgw_join_cb cb = m->join_cb;
                    m->join_cb = NULL;
                    cb(m->join_ctx, &(kgw_join_result_t){.error = KAFKA_ERROR_NOT_COORDINATOR,
                                                         .generation = -1,
                                                         .member_id = m->member_id,
                                                         .leader = ""});
                }
                if (m->sync_cb != NULL) {
                    kgw_sync_cb cb = m->sync_cb;
                    m->sync_cb = NULL;
                    cb(m->sync_ctx, &(kgw_sync_result_t){.error = KAFKA_ERROR_NOT_COORDINATOR});
                }
            }
        }
    }
}

static void destroy(kgw_coord_t *c) {
    for (size_t b = 0; b < c->nbuckets; b++) {
        kgw_group_t *g = c->buckets[b];
        while (g != NULL) {
            kgw_group_t *next = g->next;
            group_free(g);
            g = next;
        }
    }
    free(c->buckets);
    kgw_persist_free(c->persist);
    free(c);
}

void kgw_coord_free(kgw_coord_t *c) {
    if (c == NULL)
        return;
    kgw_coord_shutdown(c);
    c->freed = true;
    if (c->persist == NULL || kgw_persist_inflight(c->persist) == 0)
        destroy(c);
}

void kgw_coord_write_done(kgw_coord_t *c) {
    if (c->freed && kgw_persist_inflight(c->persist) == 0)
        destroy(c);
}
