/* Every generated message at every valid version: random instances and a
 * "max" instance (every nullable set, every tagged field set, one element per
 * array) must survive encode -> decode -> encode byte-identically, with
 * _size equal to the bytes written, and to_json -> from_json (also through
 * JSON text) must give an equal struct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fill.h"
#include "kafka/api.h"

#define RANDOM_INSTANCES 24

static size_t g_versions[4]; /* message-versions checked, by kind */
static size_t g_instances;

static void fail_with(const kafka_msg_vtable_t *vt, int16_t v, unsigned seed, const char *what,
                      const kafka_err_t *err) {
    char detail[512] = "";
    if (err != NULL && err->code != 0)
        kafka_err_format(err, detail, sizeof detail);
    fail_msg("%s v%d instance %u: %s%s%s", vt->name, v, seed, what, detail[0] ? ": " : "", detail);
}

static void check_instance(const kafka_msg_vtable_t *vt, int16_t v, unsigned seed, void *m,
                           kafka_arena_t *arena) {
    kafka_err_t err;
    kafka_err_clear(&err);
    size_t n = 0;
    if (vt->size(m, v, &n, &err) < 0)
        fail_with(vt, v, seed, "size failed", &err);

    uint8_t *buf = malloc(n ? n : 1);
    kafka_writer_t w = kafka_writer_make(buf, n);
    w.err = &err;
    if (vt->encode(m, v, &w) < 0)
        fail_with(vt, v, seed, "encode failed", &err);
    if (w.pos != n)
        fail_msg("%s v%d instance %u: size said %zu bytes, encode wrote %zu", vt->name, v, seed, n,
                 w.pos);

    void *m2 = kafka_arena_alloc(arena, vt->struct_size);
    kafka_reader_t r = kafka_reader_make(buf, n, &err);
    if (vt->decode(&r, v, arena, m2) < 0)
        fail_with(vt, v, seed, "decode of our own encoding failed", &err);
    if (r.pos != n)
        fail_msg("%s v%d instance %u: decode consumed %zu of %zu bytes", vt->name, v, seed, r.pos,
                 n);
    if (!vt->equal(m, m2))
        fail_with(vt, v, seed, "decoded struct differs from the encoded one", NULL);

    size_t n2 = 0;
    if (vt->size(m2, v, &n2, &err) < 0 || n2 != n)
        fail_msg("%s v%d instance %u: re-size gave %zu, expected %zu", vt->name, v, seed, n2, n);
    uint8_t *buf2 = malloc(n ? n : 1);
    kafka_writer_t w2 = kafka_writer_make(buf2, n);
    if (vt->encode(m2, v, &w2) < 0 || w2.pos != n || memcmp(buf, buf2, n) != 0)
        fail_with(vt, v, seed, "re-encoding the decoded struct changed the bytes", NULL);

    json_t *j = NULL;
    if (vt->to_json(m, v, &j, &err) < 0)
        fail_with(vt, v, seed, "to_json failed", &err);
    void *m3 = kafka_arena_alloc(arena, vt->struct_size);
    if (vt->from_json(j, v, arena, m3, &err) < 0)
        fail_with(vt, v, seed, "from_json failed", &err);
    if (!vt->equal(m, m3))
        fail_with(vt, v, seed, "from_json(to_json(x)) differs from x", NULL);

    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_error_t jerr;
    json_t *j2 = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (j2 == NULL)
        fail_msg("%s v%d instance %u: our JSON text does not parse: %s", vt->name, v, seed,
                 jerr.text);
    void *m4 = kafka_arena_alloc(arena, vt->struct_size);
    if (vt->from_json(j2, v, arena, m4, &err) < 0 || !vt->equal(m, m4))
        fail_with(vt, v, seed, "JSON text round trip differs", &err);

    free(text);
    json_decref(j);
    json_decref(j2);
    free(buf);
    free(buf2);
}

static void test_message(void **state) {
    size_t index = (size_t)(uintptr_t)*state;
    const kafka_message_entry_t *e = &kafka_messages[index];
    const kafka_msg_vtable_t *vt = e->vtable;
    kafka_arena_t arena;
    kafka_arena_init(&arena, 0);
    for (int16_t v = vt->min_version; v <= vt->max_version; v++) {
        for (unsigned seed = 0; seed <= RANDOM_INSTANCES; seed++) {
            kafka_fill_t fill;
            bool max = seed == RANDOM_INSTANCES;
            kafka_fill_seed(&fill, (uint64_t)index << 32 | (uint64_t)v << 16 | seed, &arena, max);
            void *m = kafka_arena_alloc(&arena, vt->struct_size);
            vt->init(m);
            kafka_fill_table[index](m, v, &fill);
            check_instance(vt, v, seed, m, &arena);
            kafka_arena_reset(&arena);
            g_instances++;
        }
        g_versions[e->kind]++;
    }
    kafka_arena_destroy(&arena);
}

int main(void) {
    struct CMUnitTest *tests = calloc(kafka_message_count, sizeof *tests);
    for (size_t i = 0; i < kafka_message_count; i++) {
        tests[i].name = kafka_messages[i].vtable->name;
        tests[i].test_func = test_message;
        tests[i].initial_state = (void *)(uintptr_t)i;
    }
    int failed = _cmocka_run_group_tests("roundtrip", tests, kafka_message_count, NULL, NULL);
    printf("round-tripped %zu request/response message-versions, %zu header versions and %zu "
           "data-schema versions (%zu instances)\n",
           g_versions[KAFKA_MESSAGE_REQUEST] + g_versions[KAFKA_MESSAGE_RESPONSE],
           g_versions[KAFKA_MESSAGE_HEADER], g_versions[KAFKA_MESSAGE_DATA], g_instances);
    free(tests);
    return failed;
}
