/* The group coordinator's state machine, driven with a fake clock and (but
 * for the persistence tests, which use an in-memory log) no backend: joins,
 * syncs, heartbeats, leaves, timeouts, static membership, offsets, group
 * administration, and the snapshots that keep __consumer_offsets short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "groups/coordinator.h"
#include "kafka/error_codes.h"
#include "storage/backend.h"

static uint64_t now_ms = 1000000;

static uint64_t fake_mono(void *arg) {
    (void)arg;
    return now_ms;
}

static int64_t fake_wall(void *arg) {
    (void)arg;
    return (int64_t)now_ms;
}

static kgw_coord_t *new_coord(int32_t initial_delay) {
    kgw_coord_env_t env = {
        .mono_ms = fake_mono,
        .wall_ms = fake_wall,
        .initial_rebalance_delay_ms = initial_delay,
        .min_session_timeout_ms = 6000,
        .max_session_timeout_ms = 300000,
        .max_size = 3,
        .offsets_retention_ms = 7 * 24 * 3600 * 1000LL,
    };
    kgw_coord_t *c = kgw_coord_new(&env);
    assert_non_null(c);
    return c;
}

static void advance(kgw_coord_t *c, uint64_t ms) {
    /* Tick at a fine step, as the loop timer does. */
    for (uint64_t t = 0; t < ms; t += 50) {
        now_ms += 50;
        kgw_coord_tick(c);
    }
}

/* ---- join and sync outcomes ---- */

typedef struct join_out {
    bool done;
    int16_t error;
    int32_t generation;
    char member_id[128];
    char leader[128];
    char protocol[32];
    int32_t nmembers;
} join_out_t;

static void on_join(void *ctx, const kgw_join_result_t *r) {
    join_out_t *o = ctx;
    assert_false(o->done); /* every request completes exactly once */
    o->done = true;
    o->error = r->error;
    o->generation = r->generation;
    snprintf(o->member_id, sizeof o->member_id, "%s", r->member_id ? r->member_id : "");
    snprintf(o->leader, sizeof o->leader, "%s", r->leader ? r->leader : "");
    snprintf(o->protocol, sizeof o->protocol, "%s", r->protocol_name ? r->protocol_name : "");
    o->nmembers = r->nmembers;
}

typedef struct sync_out {
    bool done;
    int16_t error;
    uint8_t assignment[64];
    int32_t len;
} sync_out_t;

static void on_sync(void *ctx, const kgw_sync_result_t *r) {
    sync_out_t *o = ctx;
    assert_false(o->done);
    o->done = true;
    o->error = r->error;
    o->len = r->assignment_len;
    if (r->assignment_len > 0)
        memcpy(o->assignment, r->assignment, (size_t)r->assignment_len);
}

static const uint8_t META_A[] = {0, 1, 'a'};
static const uint8_t META_B[] = {0, 1, 'b'};

static void join(kgw_coord_t *c, const char *member_id, const char *instance_id,
                 const kgw_protocol_in_t *protocols, int32_t n, join_out_t *out) {
    memset(out, 0, sizeof *out);
    kgw_join_params_t p = {
        .group_id = "g",
        .member_id = member_id,
        .instance_id = instance_id,
        .client_id = "client",
        .client_host = "/127.0.0.1",
        .protocol_type = "consumer",
        .session_timeout_ms = 10000,
        .rebalance_timeout_ms = 20000,
        .protocols = protocols,
        .nprotocols = n,
        .require_known_member_id = instance_id == NULL,
    };
    kgw_coord_join(c, &p, on_join, out);
}

static const kgw_protocol_in_t RANGE_A[] = {{"range", META_A, sizeof META_A}};
static const kgw_protocol_in_t RANGE_B[] = {{"range", META_B, sizeof META_B}};

/* A dynamic member through the MEMBER_ID_REQUIRED handshake; the second
 * join is left parked or completed in out. */
static void join_new_n(kgw_coord_t *c, const kgw_protocol_in_t *p, int32_t n, join_out_t *out) {
    join_out_t first;
    join(c, "", NULL, p, n, &first);
    assert_true(first.done);
    assert_int_equal(first.error, KAFKA_ERROR_MEMBER_ID_REQUIRED);
    assert_true(strncmp(first.member_id, "client-", 7) == 0);
    join(c, first.member_id, NULL, p, n, out);
}

static void join_new(kgw_coord_t *c, const kgw_protocol_in_t *p, join_out_t *out) {
    join_new_n(c, p, 1, out);
}

static void sync(kgw_coord_t *c, const char *member_id, int32_t generation,
                 const kgw_assignment_in_t *a, int32_t n, sync_out_t *out) {
    memset(out, 0, sizeof *out);
    kgw_sync_params_t p = {
        .group_id = "g",
        .generation = generation,
        .member_id = member_id,
        .assignments = a,
        .nassignments = n,
    };
    kgw_coord_sync(c, &p, on_sync, out);
}

typedef struct desc {
    char state[32];
    int32_t nmembers;
    char protocol[32];
} desc_t;

static void on_desc(void *arg, const kgw_group_view_t *g) {
    desc_t *d = arg;
    snprintf(d->state, sizeof d->state, "%s", g->state);
    snprintf(d->protocol, sizeof d->protocol, "%s", g->protocol_name);
    d->nmembers = g->nmembers;
}

static desc_t describe(kgw_coord_t *c) {
    desc_t d;
    memset(&d, 0, sizeof d);
    kgw_coord_describe(c, "g", on_desc, &d);
    return d;
}

/* ---- tests ---- */

static void test_single_member_join_sync(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t j;
    join_new(c, RANGE_A, &j);
    assert_true(j.done);
    assert_int_equal(j.error, 0);
    assert_int_equal(j.generation, 1);
    assert_string_equal(j.leader, j.member_id);
    assert_string_equal(j.protocol, "range");
    assert_int_equal(j.nmembers, 1);
    assert_string_equal(describe(c).state, "CompletingRebalance");
    static const uint8_t assignment[] = {0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, 0xff};
    kgw_assignment_in_t a = {j.member_id, assignment, sizeof assignment};
    sync_out_t s;
    sync(c, j.member_id, 1, &a, 1, &s);
    assert_true(s.done);
    assert_int_equal(s.error, 0);
    assert_int_equal(s.len, sizeof assignment);
    assert_memory_equal(s.assignment, assignment, sizeof assignment);
    desc_t d = describe(c);
    assert_string_equal(d.state, "Stable");
    assert_string_equal(d.protocol, "range");
    assert_int_equal(kgw_coord_heartbeat(c, "g", 1, j.member_id, NULL), 0);
    assert_int_equal(kgw_coord_heartbeat(c, "g", 0, j.member_id, NULL),
                     KAFKA_ERROR_ILLEGAL_GENERATION);
    assert_int_equal(kgw_coord_heartbeat(c, "g", 1, "nobody", NULL), KAFKA_ERROR_UNKNOWN_MEMBER_ID);
    kgw_coord_free(c);
}

static void test_second_member_rebalances(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t a, b;
    join_new(c, RANGE_A, &a);
    sync_out_t sa;
    sync(c, a.member_id, 1, NULL, 0, &sa);
    assert_true(sa.done);
    join_new(c, RANGE_B, &b);
    assert_false(b.done); /* waits for the known member */
    assert_string_equal(describe(c).state, "PreparingRebalance");
    assert_int_equal(kgw_coord_heartbeat(c, "g", 1, a.member_id, NULL),
                     KAFKA_ERROR_REBALANCE_IN_PROGRESS);
    join_out_t a2;
    join(c, a.member_id, NULL, RANGE_A, 1, &a2);
    assert_true(a2.done);
    assert_true(b.done);
    assert_int_equal(a2.generation, 2);
    assert_int_equal(b.generation, 2);
    assert_int_equal(a2.nmembers, 2); /* the leader sees both */
    assert_int_equal(b.nmembers, 0);  /* the follower none */
    assert_string_equal(b.leader, a.member_id);
    /* The follower's sync waits for the leader's. */
    sync_out_t sb, sl;
    sync(c, b.member_id, 2, NULL, 0, &sb);
    assert_false(sb.done);
    static const uint8_t x[] = {1, 2, 3}, y[] = {4, 5};
    kgw_assignment_in_t as[] = {{a.member_id, x, sizeof x}, {b.member_id, y, sizeof y}};
    sync(c, a.member_id, 2, as, 2, &sl);
    assert_true(sl.done && sb.done);
    assert_int_equal(sb.len, 2);
    assert_memory_equal(sb.assignment, y, 2);
    assert_int_equal(sl.len, 3);
    assert_memory_equal(sl.assignment, x, 3);
    assert_int_equal(describe(c).nmembers, 2);
    kgw_coord_free(c);
}

static void test_protocol_selection(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    kgw_protocol_in_t pa[] = {{"roundrobin", META_A, 3}, {"range", META_A, 3}};
    kgw_protocol_in_t pb[] = {{"range", META_B, 3}};
    kgw_protocol_in_t pc[] = {{"sticky", META_B, 3}};
    join_out_t a, b, x;
    join_new_n(c, pa, 2, &a);
    sync_out_t s;
    sync(c, a.member_id, 1, NULL, 0, &s);
    join_new(c, pb, &b);
    join_out_t a2;
    join(c, a.member_id, NULL, pa, 2, &a2);
    assert_true(b.done);
    assert_string_equal(b.protocol, "range"); /* the only one both support */
    join(c, "", NULL, pc, 1, &x);
    assert_int_equal(x.error, KAFKA_ERROR_INCONSISTENT_GROUP_PROTOCOL);
    kgw_coord_free(c);
}

static void test_session_timeout_expires_member(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t a, b;
    join_new(c, RANGE_A, &a);
    sync_out_t s;
    sync(c, a.member_id, 1, NULL, 0, &s);
    join_new(c, RANGE_B, &b);
    join_out_t a2;
    join(c, a.member_id, NULL, RANGE_A, 1, &a2);
    sync_out_t s1, s2;
    sync(c, a.member_id, 2, NULL, 0, &s1);
    sync(c, b.member_id, 2, NULL, 0, &s2);
    assert_string_equal(describe(c).state, "Stable");
    /* a heartbeats, b goes silent. */
    for (int i = 0; i < 12; i++) {
        advance(c, 1000);
        assert_int_equal(kgw_coord_heartbeat(c, "g", 2, a.member_id, NULL) == 0 ||
                             kgw_coord_heartbeat(c, "g", 2, a.member_id, NULL) ==
                                 KAFKA_ERROR_REBALANCE_IN_PROGRESS,
                         1);
    }
    desc_t d = describe(c);
    assert_int_equal(d.nmembers, 1);
    assert_string_equal(d.state, "PreparingRebalance");
    join_out_t a3;
    join(c, a.member_id, NULL, RANGE_A, 1, &a3);
    assert_true(a3.done);
    assert_int_equal(a3.generation, 3);
    assert_int_equal(kgw_coord_heartbeat(c, "g", 2, b.member_id, NULL),
                     KAFKA_ERROR_UNKNOWN_MEMBER_ID);
    kgw_coord_free(c);
}

static void test_rebalance_timeout_ejects_laggard(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t a, b, b2;
    join_new(c, RANGE_A, &a);
    sync_out_t s;
    sync(c, a.member_id, 1, NULL, 0, &s);
    join_new(c, RANGE_B, &b);
    assert_false(b.done);
    /* a keeps heartbeating but never rejoins: after the 20 s rebalance
     * timeout the join completes without it. */
    for (int i = 0; i < 21 && !b.done; i++) {
        advance(c, 1000);
        kgw_coord_heartbeat(c, "g", 1, a.member_id, NULL);
    }
    assert_true(b.done);
    assert_int_equal(b.error, 0);
    assert_string_equal(b.leader, b.member_id);
    assert_int_equal(b.nmembers, 1);
    join(c, a.member_id, NULL, RANGE_A, 1, &b2);
    assert_int_equal(b2.error, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
    kgw_coord_free(c);
}

static void test_static_member_rejoin_and_fencing(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t a, b;
    join(c, "", "inst-a", RANGE_A, 1, &a);
    assert_true(a.done);
    assert_int_equal(a.error, 0);
    sync_out_t s;
    static const uint8_t x[] = {9, 9};
    kgw_assignment_in_t as = {a.member_id, x, 2};
    sync(c, a.member_id, 1, &as, 1, &s);
    assert_string_equal(describe(c).state, "Stable");
    /* Restart: same instance id, no member id, same protocols. */
    join(c, "", "inst-a", RANGE_A, 1, &b);
    assert_true(b.done);
    assert_int_equal(b.error, 0);
    assert_int_equal(b.generation, 1); /* no rebalance */
    assert_string_not_equal(b.member_id, a.member_id);
    assert_string_equal(b.leader, a.member_id); /* the old leader id, as Kafka */
    assert_string_equal(describe(c).state, "Stable");
    sync_out_t s2;
    sync(c, b.member_id, 1, NULL, 0, &s2);
    assert_int_equal(s2.error, 0);
    assert_int_equal(s2.len, 2); /* its assignment survived */
    assert_int_equal(kgw_coord_heartbeat(c, "g", 1, a.member_id, "inst-a"),
                     KAFKA_ERROR_FENCED_INSTANCE_ID);
    assert_int_equal(kgw_coord_heartbeat(c, "g", 1, b.member_id, "inst-a"), 0);
    kgw_leave_member_t l = {"", "inst-a", -1};
    assert_int_equal(kgw_coord_leave(c, "g", &l, 1), 0);
    assert_int_equal(l.error, 0);
    advance(c, 100);
    assert_string_equal(describe(c).state, "Empty");
    kgw_coord_free(c);
}

static void test_limits(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    join_out_t o;
    kgw_join_params_t p = {
        .group_id = "g",
        .member_id = "",
        .client_id = "c",
        .protocol_type = "consumer",
        .session_timeout_ms = 1000,
        .rebalance_timeout_ms = 1000,
        .protocols = RANGE_A,
        .nprotocols = 1,
    };
    memset(&o, 0, sizeof o);
    kgw_coord_join(c, &p, on_join, &o);
    assert_int_equal(o.error, KAFKA_ERROR_INVALID_SESSION_TIMEOUT);
    join_out_t m[3], r0, r1, over;
    join_new(c, RANGE_A, &m[0]);
    join_new(c, RANGE_A, &m[1]);
    join(c, m[0].member_id, NULL, RANGE_A, 1, &r0);
    assert_true(m[1].done && r0.done);
    join_new(c, RANGE_A, &m[2]);
    join(c, m[0].member_id, NULL, RANGE_A, 1, &r0);
    join(c, m[1].member_id, NULL, RANGE_A, 1, &r1);
    assert_true(m[2].done);
    assert_int_equal(m[2].generation, 3);
    /* group.max.size is 3 here. */
    join(c, "", NULL, RANGE_A, 1, &over);
    assert_true(over.done);
    assert_int_equal(over.error, KAFKA_ERROR_GROUP_MAX_SIZE_REACHED);
    /* The leader's sync is parked until shutdown answers it. */
    sync_out_t s1;
    sync(c, m[1].member_id, 3, NULL, 0, &s1);
    assert_false(s1.done);
    kgw_coord_free(c);
    assert_true(s1.done);
    assert_int_equal(s1.error, KAFKA_ERROR_NOT_COORDINATOR);
}

static void test_initial_rebalance_delay(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(3000);
    join_out_t a, b;
    join_new(c, RANGE_A, &a);
    assert_false(a.done);
    advance(c, 1000);
    join_new(c, RANGE_B, &b);
    assert_false(a.done || b.done);
    advance(c, 2100);
    /* A member arrived during the delay: one more delay period. */
    assert_false(a.done);
    advance(c, 3000);
    assert_true(a.done && b.done);
    assert_int_equal(a.generation, 1);
    assert_int_equal(b.generation, 1);
    kgw_coord_free(c);
}

static kgw_commit_part_t part(const char *topic, int32_t p, int64_t off) {
    return (kgw_commit_part_t){topic, p, off, -1, "m", -1};
}

static void on_commit(void *ctx, kgw_commit_part_t *parts, int32_t n) {
    (void)parts;
    (void)n;
    *(int *)ctx += 1;
}

/* ---- an in-memory log for __consumer_offsets ---- */

typedef struct fbatch {
    int64_t base, next; /* offsets of its first record and past its last */
    uint8_t *data;
    size_t len;
} fbatch_t;

typedef struct fdone {
    kgw_append_cb cb;
    void *ctx;
    int64_t base;
} fdone_t;

typedef struct ftopic {
    char name[32];
    int32_t partitions;
    uint8_t id;
    bool exists;
} ftopic_t;

typedef struct fake {
    kgw_backend_t be;
    fbatch_t batches[4096];
    int nbatches;
    int64_t start, end;
    fdone_t done[256]; /* appends not yet acknowledged */
    int ndone;
    ftopic_t topics[8];
    int ntopics;
    uint8_t next_id;
} fake_t;

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static ftopic_t *ftopic(fake_t *f, const char *name) {
    for (int i = 0; i < f->ntopics; i++)
        if (f->topics[i].exists && strcmp(f->topics[i].name, name) == 0)
            return &f->topics[i];
    return NULL;
}

static int f_get_topic(kgw_backend_t *be, const char *name, kgw_topic_info_t *out) {
    ftopic_t *t = ftopic((fake_t *)be, name);
    if (t == NULL)
        return KGW_ENOTFOUND;
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", t->name);
    out->id.b[0] = t->id;
    out->partitions = t->partitions;
    return 0;
}

static int f_create_topic(kgw_backend_t *be, const char *name, int32_t partitions,
                          const kgw_config_entry_t *configs, size_t nconfigs,
                          kgw_topic_info_t *out) {
    (void)configs;
    (void)nconfigs;
    fake_t *f = (fake_t *)be;
    if (ftopic(f, name) != NULL)
        return KGW_EEXISTS;
    assert_true(f->ntopics < 8);
    ftopic_t *t = &f->topics[f->ntopics++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->partitions = partitions;
    t->id = ++f->next_id;
    t->exists = true;
    return f_get_topic(be, name, out);
}

static void f_append(kgw_backend_t *be, const char *topic, int32_t partition,
                     const uint8_t *batches, size_t len, int16_t acks, kgw_append_cb cb,
                     void *ctx) {
    (void)topic;
    (void)partition;
    (void)acks;
    fake_t *f = (fake_t *)be;
    int64_t first = f->end;
    for (size_t pos = 0; pos < len;) {
        size_t n = 12 + rd32(batches + pos + 8);
        assert_true(f->nbatches < 4096);
        fbatch_t *b = &f->batches[f->nbatches++];
        b->data = malloc(n);
        assert_non_null(b->data);
        memcpy(b->data, batches + pos, n);
        for (int i = 0; i < 8; i++)
            b->data[i] = (uint8_t)((uint64_t)f->end >> (56 - 8 * i));
        b->len = n;
        b->base = f->end;
        b->next = f->end + (int64_t)rd32(b->data + 23) + 1;
        f->end = b->next;
        pos += n;
    }
    assert_true(f->ndone < 256);
    f->done[f->ndone++] = (fdone_t){cb, ctx, first};
}

static int f_read(kgw_backend_t *be, const char *topic, int32_t partition, int64_t offset,
                  size_t max_bytes, kgw_read_result_t *out) {
    (void)topic;
    (void)partition;
    (void)max_bytes;
    fake_t *f = (fake_t *)be;
    memset(out, 0, sizeof *out);
    out->log_start_offset = f->start;
    out->high_watermark = f->end;
    if (offset < f->start)
        out->error = KAFKA_ERROR_OFFSET_OUT_OF_RANGE;
    for (int i = 0; i < f->nbatches && out->error == 0; i++)
        if (f->batches[i].base <= offset && offset < f->batches[i].next) {
            out->data = f->batches[i].data;
            out->len = f->batches[i].len;
            break;
        }
    return 0;
}

static void f_read_release(kgw_backend_t *be, kgw_read_result_t *r) {
    (void)be;
    (void)r;
}

static int f_offsets(kgw_backend_t *be, const char *topic, int32_t partition, int64_t *start,
                     int64_t *end) {
    (void)topic;
    (void)partition;
    fake_t *f = (fake_t *)be;
    *start = f->start;
    *end = f->end;
    return 0;
}

static int f_delete_records(kgw_backend_t *be, const char *topic, int32_t partition, int64_t offset,
                            int64_t *low) {
    (void)topic;
    (void)partition;
    fake_t *f = (fake_t *)be;
    assert_true(offset <= f->end);
    if (offset > f->start)
        f->start = offset;
    *low = f->start;
    return 0;
}

static const kgw_backend_ops_t FAKE_OPS = {
    .name = "fake",
    .create_topic = f_create_topic,
    .get_topic = f_get_topic,
    .append = f_append,
    .read = f_read,
    .read_release = f_read_release,
    .offsets = f_offsets,
    .delete_records = f_delete_records,
};

static fake_t *fake_new(void) {
    fake_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->be.ops = &FAKE_OPS;
    return f;
}

static void fake_free(fake_t *f) {
    for (int i = 0; i < f->nbatches; i++)
        free(f->batches[i].data);
    free(f);
}

/* Acknowledges the appends made so far (not those their callbacks make). */
static void fake_flush(fake_t *f) {
    int n = f->ndone;
    fdone_t done[256];
    memcpy(done, f->done, sizeof done);
    f->ndone -= n;
    memmove(f->done, f->done + n, (size_t)f->ndone * sizeof *f->done);
    for (int i = 0; i < n; i++) {
        kgw_append_result_t r = {0, done[i].base, -1, f->start, NULL};
        done[i].cb(done[i].ctx, &r);
    }
}

/* Whether any record at or past the log start mentions s. */
static bool fake_mentions(const fake_t *f, const char *s) {
    size_t n = strlen(s);
    for (int i = 0; i < f->nbatches; i++) {
        const fbatch_t *b = &f->batches[i];
        if (b->next <= f->start)
            continue;
        for (size_t k = 0; k + n <= b->len; k++)
            if (memcmp(b->data + k, s, n) == 0)
                return true;
    }
    return false;
}

static kgw_coord_t *durable_coord(fake_t *f) {
    kgw_coord_env_t env = {
        .mono_ms = fake_mono,
        .wall_ms = fake_wall,
        .backend = &f->be,
        .min_session_timeout_ms = 6000,
        .max_session_timeout_ms = 300000,
        .max_size = 3,
        .offsets_retention_ms = 7 * 24 * 3600 * 1000LL,
        .snapshot_min_records = 20,
    };
    kgw_coord_t *c = kgw_coord_new(&env);
    assert_non_null(c);
    assert_int_equal(kgw_coord_load(c), 0);
    return c;
}

static int64_t fetched(kgw_coord_t *c, const char *group, const char *topic, int32_t p) {
    kgw_offset_view_t v;
    kgw_coord_fetch_offset(c, group, topic, p, &v);
    return v.offset;
}

static void commit1(kgw_coord_t *c, fake_t *f, const char *group, const char *topic, int32_t p,
                    int64_t off, bool flush) {
    kgw_commit_part_t parts[] = {{topic, p, off, -1, "m", -1}};
    int called = 0;
    kgw_commit_params_t cp = {group, -1, "", NULL, -1, parts, 1};
    kgw_coord_commit(c, &cp, on_commit, &called);
    if (flush) {
        fake_flush(f);
        assert_int_equal(called, 1);
        assert_int_equal(parts[0].error, 0);
    }
}

static void test_offsets(void **state) {
    (void)state;
    kgw_coord_t *c = new_coord(0);
    kgw_commit_part_t parts[] = {part("t", 0, 10), part("t", 1, 20)};
    int called = 0;
    kgw_commit_params_t p = {"solo", -1, "", NULL, -1, parts, 2};
    kgw_coord_commit(c, &p, on_commit, &called);
    assert_int_equal(called, 1);
    assert_int_equal(parts[0].error, 0);
    kgw_offset_view_t v;
    kgw_coord_fetch_offset(c, "solo", "t", 1, &v);
    assert_int_equal(v.offset, 20);
    assert_string_equal(v.metadata, "m");
    kgw_coord_fetch_offset(c, "solo", "t", 2, &v);
    assert_int_equal(v.offset, -1);
    /* A group with members: generation and member checked. */
    join_out_t a;
    join_new(c, RANGE_A, &a);
    kgw_commit_params_t bad = {"g", 7, a.member_id, NULL, -1, parts, 1};
    kgw_coord_commit(c, &bad, on_commit, &called);
    assert_int_equal(parts[0].error, KAFKA_ERROR_REBALANCE_IN_PROGRESS);
    sync_out_t s;
    sync(c, a.member_id, 1, NULL, 0, &s);
    kgw_coord_commit(c, &bad, on_commit, &called);
    assert_int_equal(parts[0].error, KAFKA_ERROR_ILLEGAL_GENERATION);
    kgw_commit_params_t stranger = {"g", 1, "x", NULL, -1, parts, 1};
    kgw_coord_commit(c, &stranger, on_commit, &called);
    assert_int_equal(parts[0].error, KAFKA_ERROR_UNKNOWN_MEMBER_ID);
    kgw_commit_params_t good = {"g", 1, a.member_id, NULL, -1, parts, 1};
    kgw_coord_commit(c, &good, on_commit, &called);
    assert_int_equal(parts[0].error, 0);
    assert_int_equal(kgw_coord_delete_group(c, "g"), KAFKA_ERROR_NON_EMPTY_GROUP);
    assert_int_equal(kgw_coord_delete_group(c, "nope"), KAFKA_ERROR_GROUP_ID_NOT_FOUND);
    kgw_leave_member_t l = {a.member_id, NULL, -1};
    kgw_coord_leave(c, "g", &l, 1);
    assert_string_equal(describe(c).state, "Empty");
    assert_int_equal(kgw_coord_delete_group(c, "g"), 0);
    kgw_coord_fetch_offset(c, "g", "t", 0, &v);
    assert_int_equal(v.offset, -1);
    /* Retention: the simple group's offsets expire a week after commit. */
    now_ms += 7 * 24 * 3600 * 1000ULL + 120000;
    kgw_coord_tick(c);
    kgw_coord_fetch_offset(c, "solo", "t", 1, &v);
    assert_int_equal(v.offset, -1);
    kgw_coord_free(c);
}

static void count_ghosts(void *arg, const kgw_group_view_t *g) {
    *(int *)arg += strcmp(g->group_id, "ghost") == 0;
}

/* Many commits move the log start up past everything but the last snapshot;
 * replay from there (or from before it, as after a crash before the log
 * start moved) gives the latest offsets, a member group back Stable, a
 * deleted group still deleted, and no offsets of a deleted topic. */
static void test_snapshots(void **state) {
    (void)state;
    fake_t *f = fake_new();
    kgw_topic_info_t info;
    assert_int_equal(f_create_topic(&f->be, "t", 4, NULL, 0, &info), 0);
    assert_int_equal(f_create_topic(&f->be, "gone", 2, NULL, 0, &info), 0);
    assert_int_equal(f_create_topic(&f->be, "gone2", 1, NULL, 0, &info), 0);
    kgw_coord_t *c = durable_coord(f);
    join_out_t a;
    join_new(c, RANGE_A, &a);
    assert_true(a.done);
    sync_out_t s;
    kgw_assignment_in_t asg = {a.member_id, META_B, sizeof META_B};
    sync(c, a.member_id, 1, &asg, 1, &s);
    assert_true(s.done);
    fake_flush(f);
    commit1(c, f, "solo", "gone", 1, 7, true);
    commit1(c, f, "dead", "t", 0, 5, true);
    assert_int_equal(kgw_coord_delete_group(c, "dead"), 0);
    fake_flush(f);
    f->topics[1].exists = false; /* "gone" is deleted */
    assert_true(fake_mentions(f, "gone"));
    for (int64_t i = 1; i <= 200; i++) {
        /* Two commits in flight at once: a snapshot begun when the first
         * completes must carry the second. */
        commit1(c, f, "solo", "t", (int32_t)(i % 4), i, false);
        commit1(c, f, "solo", "t", 3, 1000 + i, false);
        fake_flush(f);
        kgw_coord_t *r = durable_coord(f);
        assert_int_equal(fetched(r, "solo", "t", 3), 1000 + i);
        kgw_coord_free(r);
    }
    assert_true(f->start > 0);
    int64_t end = f->end;
    assert_true(end - f->start < 40); /* about the live state, not 400 commits */
    assert_false(fake_mentions(f, "gone"));
    assert_false(fake_mentions(f, "dead"));
    assert_int_equal(fetched(c, "solo", "gone", 1), -1);
    /* A crash after the next snapshot is durable but before the log start
     * moves: replay sees the old records, then the snapshot. */
    int64_t start = f->start;
    commit1(c, f, "dead2", "t", 2, 9, true);
    kgw_offset_view_t v;
    kgw_commit_part_t del = {"t", 3, 0, -1, NULL, -1};
    assert_int_equal(kgw_coord_delete_offsets(c, "solo", &del, 1), 0);
    assert_int_equal(kgw_coord_delete_group(c, "dead2"), 0);
    /* Left out of the snapshot with no tombstone: the replay must still
     * drop it, and with it the group. */
    commit1(c, f, "ghost", "gone2", 0, 3, true);
    f->topics[2].exists = false;
    bool snapped = false;
    for (int64_t i = 1; i <= 100 && !snapped; i++) {
        commit1(c, f, "solo", "t", 0, 5000 + i, false);
        fake_flush(f);
        snapped = f->ndone > 0;
    }
    assert_true(snapped);
    assert_int_equal(f->start, start);
    for (int round = 0; round < 2; round++) {
        kgw_coord_t *r = durable_coord(f);
        assert_true(fetched(r, "solo", "t", 0) > 5000);
        assert_int_equal(fetched(r, "solo", "t", 1), 197);
        kgw_coord_fetch_offset(r, "solo", "t", 3, &v);
        assert_int_equal(v.offset, -1);
        assert_int_equal(fetched(r, "dead", "t", 0), -1);
        assert_int_equal(fetched(r, "dead2", "t", 2), -1);
        desc_t d;
        memset(&d, 0, sizeof d);
        kgw_coord_describe(r, "dead", on_desc, &d);
        assert_string_equal(d.state, "Dead");
        int ghosts = 0;
        kgw_coord_list(r, count_ghosts, &ghosts);
        assert_int_equal(ghosts, 0);
        d = describe(r);
        assert_string_equal(d.state, "Stable");
        assert_int_equal(d.nmembers, 1);
        kgw_coord_free(r);
        /* Then the snapshot is acknowledged and the log start moves. */
        fake_flush(f);
        assert_true(f->start > start);
    }
    kgw_coord_free(c);
    fake_flush(f);
    fake_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_member_join_sync),
        cmocka_unit_test(test_second_member_rebalances),
        cmocka_unit_test(test_protocol_selection),
        cmocka_unit_test(test_session_timeout_expires_member),
        cmocka_unit_test(test_rebalance_timeout_ejects_laggard),
        cmocka_unit_test(test_static_member_rejoin_and_fencing),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_initial_rebalance_delay),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
