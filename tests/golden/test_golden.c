/* Golden vectors made by independent Kafka protocol implementations
 * (kafka-python, kafkajs; see gen_*.py/js): each must decode with the
 * generated codec, consume every byte, re-encode to the identical bytes, and
 * show the field values the generating script put in.
 *
 * Usage: test_golden DIR...   (each DIR holds index.json and the .bin files) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/api.h"

/* Vectors kafka-python 2.0.2 encodes differently from the Kafka 3.9.0 schema
 * (bugs in kafka-python, not in the schema): they must NOT round-trip, so a
 * change that made us accept them would be noticed. */
static const char *const known_mismatches[] = {
    "produce_v8_response.bin",          /* lacks RecordErrors and ErrorMessage */
    "list_offsets_v4_request.bin",      /* CurrentLeaderEpoch written as int64 */
    "list_offsets_v5_request.bin",      /* likewise */
    "find_coordinator_v1_response.bin", /* lacks ThrottleTimeMs */
    "describe_groups_v3_response.bin",  /* lacks AuthorizedOperations */
    "describe_acls_v2_request.bin",     /* v2 is flexible; encoded non-flexible */
    "describe_acls_v2_response.bin",    /* likewise */
};

typedef struct vector {
    char source[64];
    char path[1024];
    const char *file;
    int16_t api_key, version;
    bool request;
    json_t *checks; /* borrowed from the index */
    bool expect_mismatch;
} vector_t;

static size_t g_vectors, g_checks;

static uint8_t *read_file(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Follows "a[1].b.c" through the JSON of the decoded message. */
static const json_t *lookup(const json_t *root, const char *path) {
    const json_t *cur = root;
    char key[128];
    const char *p = path;
    while (*p && cur != NULL) {
        size_t k = strcspn(p, ".[");
        if (k >= sizeof key)
            return NULL;
        memcpy(key, p, k);
        key[k] = '\0';
        p += k;
        if (k > 0)
            cur = json_object_get(cur, key);
        while (*p == '[' && cur != NULL) {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (*end != ']')
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
            p = end + 1;
        }
        if (*p == '.')
            p++;
    }
    return cur;
}

static bool round_trips(const vector_t *vec, const uint8_t *bytes, size_t len, json_t **json,
                        char *why, size_t why_len) {
    const kafka_api_desc_t *api = kafka_api_get(vec->api_key);
    if (api == NULL) {
        snprintf(why, why_len, "unknown api key %d", vec->api_key);
        return false;
    }
    const kafka_msg_vtable_t *vt = vec->request ? api->request : api->response;
    kafka_arena_t arena;
    kafka_arena_init(&arena, 0);
    kafka_err_t err;
    kafka_err_clear(&err);
    void *m = kafka_arena_alloc(&arena, vt->struct_size);
    kafka_reader_t r = kafka_reader_make(bytes, len, &err);
    bool ok = false;
    size_t n = 0;
    uint8_t *out = NULL;
    if (vt->decode(&r, vec->version, &arena, m) < 0) {
        char e[400];
        kafka_err_format(&err, e, sizeof e);
        snprintf(why, why_len, "decode failed: %s", e);
    } else if (r.pos != len) {
        snprintf(why, why_len, "decode consumed %zu of %zu bytes", r.pos, len);
    } else if (vt->size(m, vec->version, &n, &err) < 0 || n != len) {
        snprintf(why, why_len, "re-encoded size %zu, expected %zu", n, len);
    } else {
        out = malloc(n ? n : 1);
        kafka_writer_t w = kafka_writer_make(out, n);
        if (vt->encode(m, vec->version, &w) < 0 || w.pos != n) {
            snprintf(why, why_len, "re-encode failed");
        } else if (memcmp(out, bytes, n) != 0) {
            size_t at = 0;
            while (out[at] == bytes[at])
                at++;
            snprintf(why, why_len, "re-encoded bytes differ from byte %zu on", at);
        } else if (vt->to_json(m, vec->version, json, &err) < 0) {
            snprintf(why, why_len, "to_json failed");
        } else {
            ok = true;
        }
    }
    free(out);
    kafka_arena_destroy(&arena);
    return ok;
}

static void test_vector(void **state) {
    const vector_t *vec = *state;
    size_t len;
    uint8_t *bytes = read_file(vec->path, &len);
    if (bytes == NULL)
        fail_msg("%s: cannot read %s", vec->source, vec->path);
    json_t *json = NULL;
    char why[512] = "";
    bool ok = round_trips(vec, bytes, len, &json, why, sizeof why);
    free(bytes);
    g_vectors++;
    if (vec->expect_mismatch) {
        if (ok)
            fail_msg("%s/%s: expected kafka-python's known encoding bug to break the round "
                     "trip, but it round-tripped",
                     vec->source, vec->file);
        json_decref(json);
        return;
    }
    if (!ok)
        fail_msg("%s/%s (api %d v%d %s): %s", vec->source, vec->file, vec->api_key, vec->version,
                 vec->request ? "request" : "response", why);
    const char *path;
    json_t *expected;
    json_object_foreach(vec->checks, path, expected) {
        const json_t *got = lookup(json, path);
        g_checks++;
        if (got == NULL || !json_equal((json_t *)got, expected)) {
            char *e = json_dumps(expected, JSON_ENCODE_ANY);
            char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : strdup("(missing)");
            fail_msg("%s/%s: field %s: expected %s, got %s", vec->source, vec->file, path, e, g);
        }
    }
    json_decref(json);
}

int main(int argc, char **argv) {
    size_t cap = 1024, count = 0;
    vector_t *vectors = calloc(cap, sizeof *vectors);
    json_t **indexes = calloc((size_t)argc, sizeof *indexes);
    for (int a = 1; a < argc; a++) {
        char index_path[1024];
        snprintf(index_path, sizeof index_path, "%s/index.json", argv[a]);
        json_error_t jerr;
        indexes[a] = json_load_file(index_path, 0, &jerr);
        if (indexes[a] == NULL || !json_is_array(indexes[a])) {
            fprintf(stderr, "cannot load %s: %s\n", index_path, jerr.text);
            return 1;
        }
        const char *source = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        size_t i;
        json_t *entry;
        json_array_foreach(indexes[a], i, entry) {
            if (count == cap)
                vectors = realloc(vectors, (cap *= 2) * sizeof *vectors);
            vector_t *v = &vectors[count++];
            memset(v, 0, sizeof *v);
            snprintf(v->source, sizeof v->source, "%s", source);
            v->file = json_string_value(json_object_get(entry, "file"));
            snprintf(v->path, sizeof v->path, "%s/%s", argv[a], v->file);
            v->api_key = (int16_t)json_integer_value(json_object_get(entry, "apiKey"));
            v->version = (int16_t)json_integer_value(json_object_get(entry, "apiVersion"));
            v->request = strcmp(json_string_value(json_object_get(entry, "kind")), "request") == 0;
            v->checks = json_object_get(entry, "checks");
            for (size_t k = 0; k < sizeof known_mismatches / sizeof *known_mismatches; k++)
                if (strcmp(source, "kafka-python") == 0 &&
                    strcmp(v->file, known_mismatches[k]) == 0)
                    v->expect_mismatch = true;
        }
    }
    struct CMUnitTest *tests = calloc(count, sizeof *tests);
    for (size_t i = 0; i < count; i++) {
        tests[i].name = vectors[i].file;
        tests[i].test_func = test_vector;
        tests[i].initial_state = &vectors[i];
    }
    int failed = _cmocka_run_group_tests("golden", tests, count, NULL, NULL);
    printf("golden: %zu vectors decoded and re-encoded, %zu field values checked\n", g_vectors,
           g_checks);
    free(tests);
    free(vectors);
    for (int a = 1; a < argc; a++)
        json_decref(indexes[a]);
    free(indexes);
    return failed;
}
