/* Writes the seed corpora of the per-message fuzz harnesses.
 *
 * Usage: kgw-gen-corpus OUTDIR [VECTORDIR...]
 *
 * For every message schema, into OUTDIR/<snake_name>/:
 *   default-vN          the encoding of the schema-default instance at each
 *                       valid version N;
 *   <source>-<vector>   each golden vector (VECTORDIR/index.json lists file,
 *                       apiKey, apiVersion, kind) of that message; <source> is
 *                       VECTORDIR's last path component.
 * Every file starts with the harness's version selector byte (N - min). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "kafka/api.h"

/* The harness and directory names: an underscore before each capital that
 * follows a lower-case letter or digit ("KRaftVersionRecord" ->
 * "kraft_version_record"), as the generator names its files. */
static void snake_name(const char *camel, char *out, size_t cap) {
    size_t n = 0;
    bool prev_capital = true;

    for (const char *p = camel; *p && n + 2 < cap; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            if (!prev_capital)
                out[n++] = '_';
            out[n++] = (char)(*p - 'A' + 'a');
            prev_capital = true;
        } else {
            out[n++] = *p;
            prev_capital = false;
        }
    }
    out[n] = '\0';
}

static int make_dir(const char *path) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    perror(path);
    return -1;
}

static int write_seed(const char *path, uint8_t selector, const uint8_t *body, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    bool ok = fputc(selector, f) != EOF && fwrite(body, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "%s: write error\n", path);
        return -1;
    }
    return 0;
}

static int write_defaults(const char *outdir, const kafka_msg_vtable_t *vt, size_t *count) {
    char snake[128], dir[1024], path[1200];
    int rc = 0;

    snake_name(vt->name, snake, sizeof snake);
    snprintf(dir, sizeof dir, "%s/%s", outdir, snake);
    if (make_dir(dir) < 0)
        return -1;

    void *m = calloc(1, vt->struct_size);
    if (m == NULL)
        return -1;
    for (int v = vt->min_version; v <= vt->max_version; v++) {
        kafka_err_t err;
        size_t n;
        char msg[KAFKA_ERR_PATH_MAX + 64];

        vt->init(m);
        kafka_err_clear(&err);
        if (vt->size(m, (int16_t)v, &n, &err) < 0) {
            /* Some versions need a non-default value somewhere. */
            kafka_err_format(&err, msg, sizeof msg);
            fprintf(stderr, "note: %s v%d default does not encode: %s\n", vt->name, v, msg);
            continue;
        }
        uint8_t *buf = malloc(n ? n : 1);
        if (buf == NULL) {
            rc = -1;
            break;
        }
        kafka_writer_t w = kafka_writer_make(buf, n);
        w.err = &err;
        if (vt->encode(m, (int16_t)v, &w) < 0 || w.pos != n) {
            kafka_err_format(&err, msg, sizeof msg);
            fprintf(stderr, "%s v%d: encode failed after size succeeded: %s\n", vt->name, v, msg);
            free(buf);
            rc = -1;
            continue;
        }
        snprintf(path, sizeof path, "%s/default-v%d", dir, v);
        if (write_seed(path, (uint8_t)(v - vt->min_version), buf, n) < 0)
            rc = -1;
        else
            (*count)++;
        free(buf);
    }
    free(m);
    return rc;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(buf, cap);
        if (grown == NULL)
            free(buf);
        buf = grown;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static const char *last_component(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *end = path + n;
    const char *p = end;
    while (p > path && p[-1] != '/')
        p--;
    return p;
}

static int write_vectors(const char *outdir, const char *vecdir, size_t *count) {
    char path[1200], snake[128], source[128];
    json_error_t jerr;

    snprintf(source, sizeof source, "%s", last_component(vecdir));
    source[strcspn(source, "/")] = '\0';

    snprintf(path, sizeof path, "%s/index.json", vecdir);
    json_t *index = json_load_file(path, 0, &jerr);
    if (index == NULL || !json_is_array(index)) {
        fprintf(stderr, "%s: %s\n", path, index ? "not an array" : jerr.text);
        json_decref(index);
        return -1;
    }

    int rc = 0;
    size_t i;
    json_t *e;
    json_array_foreach(index, i, e) {
        const char *file = json_string_value(json_object_get(e, "file"));
        const char *kind = json_string_value(json_object_get(e, "kind"));
        json_int_t key = json_integer_value(json_object_get(e, "apiKey"));
        json_int_t ver = json_integer_value(json_object_get(e, "apiVersion"));
        const kafka_api_desc_t *api = kafka_api_get((int16_t)key);
        if (file == NULL || kind == NULL || api == NULL || api->request == NULL) {
            fprintf(stderr, "%s: entry %zu: bad file, kind or apiKey\n", vecdir, i);
            rc = -1;
            continue;
        }
        const kafka_msg_vtable_t *vt = strcmp(kind, "request") == 0 ? api->request : api->response;
        if (ver < vt->min_version || ver > vt->max_version) {
            fprintf(stderr, "%s: %s: version %lld out of range\n", vecdir, file, (long long)ver);
            rc = -1;
            continue;
        }

        size_t len;
        snprintf(path, sizeof path, "%s/%s", vecdir, file);
        uint8_t *body = read_all(path, &len);
        if (body == NULL) {
            perror(path);
            rc = -1;
            continue;
        }
        char stem[256];
        snprintf(stem, sizeof stem, "%s", file);
        char *dot = strrchr(stem, '.');
        if (dot != NULL)
            *dot = '\0';
        snake_name(vt->name, snake, sizeof snake);
        snprintf(path, sizeof path, "%s/%s/%s-%s", outdir, snake, source, stem);
        if (write_seed(path, (uint8_t)(ver - vt->min_version), body, len) < 0)
            rc = -1;
        else
            (*count)++;
        free(body);
    }
    json_decref(index);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s OUTDIR [VECTORDIR...]\n", argv[0]);
        return 2;
    }
    const char *outdir = argv[1];
    size_t defaults = 0, vectors = 0;
    int rc = 0;

    if (make_dir(outdir) < 0)
        return 1;
    for (size_t i = 0; i < kafka_message_count; i++)
        if (write_defaults(outdir, kafka_messages[i].vtable, &defaults) < 0)
            rc = 1;
    for (int i = 2; i < argc; i++)
        if (write_vectors(outdir, argv[i], &vectors) < 0)
            rc = 1;
    printf("%zu messages: %zu default seeds, %zu golden-vector seeds\n", kafka_message_count,
           defaults, vectors);
    return rc;
}
