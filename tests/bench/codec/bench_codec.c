/* Codec benchmarks: decoding a Produce request holding one record batch
 * (the records are a view, so time must not grow with the batch), and
 * decoding a large Metadata response (throughput in MB/s).
 *
 *   bench_codec [repeats]   prints one line per measurement, median of repeats */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/msg/metadata_response.h"
#include "kafka/msg/produce_request.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static uint8_t *encode_or_die(const kafka_msg_vtable_t *vt, const void *m, int16_t v, size_t *n) {
    kafka_err_t err;
    kafka_err_clear(&err);
    if (vt->size(m, v, n, &err) < 0) {
        fprintf(stderr, "size failed\n");
        exit(1);
    }
    uint8_t *buf = malloc(*n);
    kafka_writer_t w = kafka_writer_make(buf, *n);
    if (vt->encode(m, v, &w) < 0 || w.pos != *n) {
        fprintf(stderr, "encode failed\n");
        exit(1);
    }
    return buf;
}

/* ns per decode of a Produce v9 request with one topic, one partition and a
 * records blob of batch_bytes. */
static double bench_produce(size_t batch_bytes, int repeats) {
    uint8_t *batch = calloc(1, batch_bytes);
    kafka_produce_request_t req;
    kafka_produce_request_init(&req);
    req.acks = -1;
    req.timeout_ms = 30000;
    kafka_produce_request_topic_produce_data_t topic;
    kafka_produce_request_topic_produce_data_init(&topic);
    topic.name = KAFKA_STR_LIT("bench-topic");
    kafka_produce_request_partition_produce_data_t part;
    kafka_produce_request_partition_produce_data_init(&part);
    part.records = (kafka_records_t){batch, (int32_t)batch_bytes};
    topic.partition_data = (kafka_produce_request_partition_produce_data_array_t){&part, 1};
    req.topic_data = (kafka_produce_request_topic_produce_data_array_t){&topic, 1};
    size_t n;
    uint8_t *buf = encode_or_die(&kafka_produce_request_vtable, &req, 9, &n);

    kafka_arena_t arena;
    kafka_arena_init(&arena, 1 << 20);
    const int iters = 200000;
    double *samples = malloc(sizeof(double) * (size_t)repeats);
    for (int rep = 0; rep < repeats; rep++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            kafka_reader_t r = kafka_reader_make(buf, n, NULL);
            kafka_produce_request_t out;
            if (kafka_produce_request_decode(&r, 9, &arena, &out) < 0 ||
                out.topic_data.items[0].partition_data.items[0].records.len !=
                    (int32_t)batch_bytes) {
                fprintf(stderr, "decode failed\n");
                exit(1);
            }
            kafka_arena_reset(&arena);
        }
        samples[rep] = (now_ns() - t0) / iters;
    }
    double med = median(samples, repeats);
    free(samples);
    kafka_arena_destroy(&arena);
    free(buf);
    free(batch);
    return med;
}

/* MB/s decoding a Metadata v12 response with topics x partitions. */
static double bench_metadata(int topics, int partitions, int repeats, size_t *bytes) {
    kafka_arena_t build;
    kafka_arena_init(&build, 0);
    kafka_metadata_response_t resp;
    kafka_metadata_response_init(&resp);
    kafka_metadata_response_metadata_response_broker_t broker;
    kafka_metadata_response_metadata_response_broker_init(&broker);
    broker.host = KAFKA_STR_LIT("broker-1.example.internal");
    broker.port = 9092;
    resp.brokers = (kafka_metadata_response_metadata_response_broker_array_t){&broker, 1};
    resp.cluster_id = KAFKA_STR_LIT("kgw-bench-cluster");
    kafka_metadata_response_metadata_response_topic_t *t =
        kafka_arena_calloc(&build, (size_t)topics, sizeof *t);
    for (int i = 0; i < topics; i++) {
        kafka_metadata_response_metadata_response_topic_init(&t[i]);
        char *name = kafka_arena_alloc(&build, 32);
        int len = snprintf(name, 32, "orders.region-%04d.v2", i);
        t[i].name = (kafka_str_t){name, len};
        t[i].topic_id.b[0] = (uint8_t)i;
        kafka_metadata_response_metadata_response_partition_t *p =
            kafka_arena_calloc(&build, (size_t)partitions, sizeof *p);
        int32_t *nodes = kafka_arena_calloc(&build, 3, sizeof *nodes);
        nodes[0] = 1, nodes[1] = 2, nodes[2] = 3;
        for (int j = 0; j < partitions; j++) {
            kafka_metadata_response_metadata_response_partition_init(&p[j]);
            p[j].partition_index = j;
            p[j].leader_id = 1;
            p[j].leader_epoch = 7;
            p[j].replica_nodes = (kafka_int32_array_t){nodes, 3};
            p[j].isr_nodes = (kafka_int32_array_t){nodes, 3};
        }
        t[i].partitions =
            (kafka_metadata_response_metadata_response_partition_array_t){p, partitions};
    }
    resp.topics = (kafka_metadata_response_metadata_response_topic_array_t){t, topics};
    size_t n;
    uint8_t *buf = encode_or_die(&kafka_metadata_response_vtable, &resp, 12, &n);
    *bytes = n;

    kafka_arena_t arena;
    kafka_arena_init(&arena, 64 << 20);
    const int iters = 50;
    double *samples = malloc(sizeof(double) * (size_t)repeats);
    for (int rep = 0; rep < repeats; rep++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            kafka_reader_t r = kafka_reader_make(buf, n, NULL);
            kafka_metadata_response_t out;
            if (kafka_metadata_response_decode(&r, 12, &arena, &out) < 0 ||
                out.topics.count != topics) {
                fprintf(stderr, "decode failed\n");
                exit(1);
            }
            kafka_arena_reset(&arena);
        }
        double secs = (now_ns() - t0) / 1e9;
        samples[rep] = (double)n * iters / secs / 1e6;
    }
    double med = median(samples, repeats);
    free(samples);
    kafka_arena_destroy(&arena);
    kafka_arena_destroy(&build);
    free(buf);
    return med;
}

int main(int argc, char **argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (repeats < 1)
        repeats = 1;
    const size_t sizes[] = {1024, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        printf("produce_request_decode v9 batch_bytes=%zu median_ns=%.0f\n", sizes[i],
               bench_produce(sizes[i], repeats));
    size_t bytes;
    double mbs = bench_metadata(1000, 10, repeats, &bytes);
    printf("metadata_response_decode v12 topics=1000 partitions=10 bytes=%zu median_MBps=%.0f\n",
           bytes, mbs);
    return 0;
}
