/* Group coordinator benchmark, against the coordinator directly (requests
 * are callbacks, as the handlers use them):
 *
 *   rebalance  50 members over one 500-partition topic: time from the last
 *              JoinGroup to the last SyncGroup answer (every member gets its
 *              10 partitions), for the first rebalance and for a rejoin round;
 *   commit     one OffsetCommit of 1,000 partitions, in memory and made
 *              durable through the embedded log (acks=-1, fsync).
 *
 * Usage: bench_groups [rounds]   (prints the median and worst of the rounds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "config.h"
#include "groups/coordinator.h"
#include "kafka/error_codes.h"
#include "storage/backend.h"
#include "storage/embedded/embedded.h"

#define MEMBERS 50
#define PARTITIONS 500
#define COMMIT_PARTS 1000

static uint64_t mono(void *arg) {
    (void)arg;
    return uv_hrtime() / 1000000u;
}

static int64_t wall(void *arg) {
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_ms(void) {
    return (double)uv_hrtime() / 1e6;
}

typedef struct member {
    char id[128];
    int16_t error;
    int32_t generation;
    bool leader, joined, synced;
    int32_t assignment_len;
} member_t;

static member_t members[MEMBERS];
static int synced;

static void on_join(void *ctx, const kgw_join_result_t *r) {
    member_t *m = ctx;
    m->error = r->error;
    m->generation = r->generation;
    snprintf(m->id, sizeof m->id, "%s", r->member_id);
    m->leader = r->nmembers > 0;
    m->joined = true;
}

static void on_sync(void *ctx, const kgw_sync_result_t *r) {
    member_t *m = ctx;
    m->synced = r->error == 0;
    m->assignment_len = r->assignment_len;
    synced++;
}

/* ConsumerProtocolSubscription v0: one topic. */
static uint8_t subscription[] = {0, 0, 0, 0, 0, 1, 0, 5, 'b', 'e', 'n', 'c', 'h', 0, 0, 0, 0};

/* ConsumerProtocolAssignment v0 with one topic and 10 partitions. */
static int32_t assignment_for(int i, uint8_t *buf) {
    int32_t n = 0;
    buf[n++] = 0, buf[n++] = 0;
    buf[n++] = 0, buf[n++] = 0, buf[n++] = 0, buf[n++] = 1;
    buf[n++] = 0, buf[n++] = 5;
    memcpy(buf + n, "bench", 5);
    n += 5;
    int per = PARTITIONS / MEMBERS;
    buf[n++] = 0, buf[n++] = 0, buf[n++] = 0, buf[n++] = (uint8_t)per;
    for (int p = i * per; p < (i + 1) * per; p++) {
        buf[n++] = 0, buf[n++] = 0, buf[n++] = (uint8_t)(p >> 8), buf[n++] = (uint8_t)p;
    }
    buf[n++] = 0, buf[n++] = 0, buf[n++] = 0, buf[n++] = 0;
    return n;
}

static void join_one(kgw_coord_t *c, int i, const char *member_id) {
    kgw_protocol_in_t p = {"range", subscription, sizeof subscription};
    char client[32];
    snprintf(client, sizeof client, "client-%d", i);
    kgw_join_params_t jp = {
        .group_id = "bench-group",
        .member_id = member_id,
        .client_id = client,
        .client_host = "/127.0.0.1",
        .protocol_type = "consumer",
        .session_timeout_ms = 30000,
        .rebalance_timeout_ms = 60000,
        .protocols = &p,
        .nprotocols = 1,
        .require_known_member_id = true,
    };
    members[i].joined = false;
    kgw_coord_join(c, &jp, on_join, &members[i]);
}

/* Everyone (re)joins; returns ms from the last JoinGroup to the last sync. */
static double rebalance(kgw_coord_t *c, bool first) {
    if (first) {
        for (int i = 0; i < MEMBERS; i++) {
            join_one(c, i, "");
            if (members[i].error != KAFKA_ERROR_MEMBER_ID_REQUIRED)
                abort();
        }
    }
    double t0 = 0;
    for (int i = 0; i < MEMBERS; i++) {
        if (i == MEMBERS - 1)
            t0 = now_ms();
        char id[128];
        memcpy(id, members[i].id, sizeof id);
        id[sizeof id - 1] = '\0';
        join_one(c, i, id);
    }
    synced = 0;
    static uint8_t bufs[MEMBERS][128];
    kgw_assignment_in_t as[MEMBERS];
    int leader = -1;
    for (int i = 0; i < MEMBERS; i++) {
        if (!members[i].joined || members[i].error != 0) {
            fprintf(stderr, "member %d: join not complete (error %d)\n", i, members[i].error);
            exit(1);
        }
        as[i] = (kgw_assignment_in_t){members[i].id, bufs[i], assignment_for(i, bufs[i])};
        if (members[i].leader)
            leader = i;
    }
    for (int i = 0; i < MEMBERS; i++) {
        if (i == leader)
            continue;
        kgw_sync_params_t sp = {
            "bench-group", members[i].generation, members[i].id, NULL, NULL, NULL, NULL, 0};
        kgw_coord_sync(c, &sp, on_sync, &members[i]);
    }
    kgw_sync_params_t sp = {
        "bench-group", members[leader].generation, members[leader].id, NULL, NULL, NULL, as,
        MEMBERS};
    kgw_coord_sync(c, &sp, on_sync, &members[leader]);
    double t1 = now_ms();
    for (int i = 0; i < MEMBERS; i++)
        if (!members[i].synced || members[i].assignment_len != as[i].assignment_len) {
            fprintf(stderr, "member %d: no assignment\n", i);
            exit(1);
        }
    if (synced != MEMBERS)
        abort();
    return t1 - t0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%-48s median %8.3f ms   max %8.3f ms   (%d rounds)\n", what, v[n / 2], v[n - 1], n);
}

static kgw_coord_env_t env_for(kgw_backend_t *be) {
    return (kgw_coord_env_t){
        .mono_ms = mono,
        .wall_ms = wall,
        .backend = be,
        .initial_rebalance_delay_ms = 0,
        .min_session_timeout_ms = 6000,
        .max_session_timeout_ms = 1800000,
        .max_size = 1000,
        .offsets_retention_ms = 7 * 24 * 3600 * 1000LL,
    };
}

static int commits_done;

static void on_commit(void *ctx, kgw_commit_part_t *parts, int32_t n) {
    (void)ctx;
    for (int32_t i = 0; i < n; i++)
        if (parts[i].error != 0) {
            fprintf(stderr, "commit: partition %d error %d\n", parts[i].partition, parts[i].error);
            exit(1);
        }
    commits_done++;
}

static double commit_once(kgw_coord_t *c, uv_loop_t *loop, int64_t base) {
    static kgw_commit_part_t parts[COMMIT_PARTS];
    static char topics[10][16];
    for (int t = 0; t < 10; t++)
        snprintf(topics[t], sizeof topics[t], "bench-%d", t);
    for (int i = 0; i < COMMIT_PARTS; i++)
        parts[i] = (kgw_commit_part_t){topics[i / 100], i % 100, base + i, -1, "", -1};
    kgw_commit_params_t p = {"bench-commit", -1, "", NULL, -1, parts, COMMIT_PARTS};
    int before = commits_done;
    double t0 = now_ms();
    kgw_coord_commit(c, &p, on_commit, NULL);
    while (commits_done == before && loop != NULL)
        uv_run(loop, UV_RUN_ONCE);
    double t1 = now_ms();
    if (commits_done != before + 1)
        abort();
    return t1 - t0;
}

static void on_shut(void *arg) {
    *(bool *)arg = true;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    if (rounds < 1)
        rounds = 1;
    double *v = calloc((size_t)rounds, sizeof *v);

    kgw_coord_env_t env = env_for(NULL);
    for (int r = 0; r < rounds; r++) {
        kgw_coord_t *c = kgw_coord_new(&env);
        v[r] = rebalance(c, true);
        kgw_coord_free(c);
    }
    report("rebalance, 50 new members, 500 partitions", v, rounds);
    kgw_coord_t *c = kgw_coord_new(&env);
    rebalance(c, true);
    for (int r = 0; r < rounds; r++)
        v[r] = rebalance(c, false);
    kgw_coord_free(c);
    report("rebalance, 50 members rejoin, 500 partitions", v, rounds);

    c = kgw_coord_new(&env);
    for (int r = 0; r < rounds; r++)
        v[r] = commit_once(c, NULL, r * 10000);
    kgw_coord_free(c);
    report("OffsetCommit of 1000 partitions, in memory", v, rounds);

    char dir[] = "/tmp/kgw-bench-groups-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    kgw_config_t cfg;
    kgw_config_init(&cfg);
    snprintf(cfg.log_dirs, sizeof cfg.log_dirs, "%s", dir);
    uv_loop_t loop;
    uv_loop_init(&loop);
    kgw_backend_t *be = NULL;
    char err[512];
    if (kgw_embedded_open(&be, &loop, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "cannot open the embedded log in %s: %s\n", dir, err);
        return 1;
    }
    for (int t = 0; t < 10; t++) {
        char name[16];
        snprintf(name, sizeof name, "bench-%d", t);
        kgw_topic_info_t info;
        if (be->ops->create_topic(be, name, 100, NULL, 0, &info) != 0)
            return 1;
    }
    kgw_coord_env_t denv = env_for(be);
    c = kgw_coord_new(&denv);
    for (int r = 0; r < rounds; r++)
        v[r] = commit_once(c, &loop, r * 10000);
    report("OffsetCommit of 1000 partitions, durable", v, rounds);
    kgw_coord_free(c);
    bool shut = false;
    be->ops->shutdown(be, on_shut, &shut);
    while (!shut)
        uv_run(&loop, UV_RUN_ONCE);
    be->ops->destroy(be);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(v);
    return 0;
}
