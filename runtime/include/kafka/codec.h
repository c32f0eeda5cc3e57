/* Support for the generated codec: the message vtable and API table types,
 * and the small helpers every generated decoder, sizer and encoder calls so
 * that the generated files stay short and readable. */
#ifndef KAFKA_CODEC_H
#define KAFKA_CODEC_H

#include "kafka/arena.h"
#include "kafka/err.h"
#include "kafka/json.h"
#include "kafka/reader.h"
#include "kafka/types.h"
#include "kafka/writer.h"

#if defined(__GNUC__)
#define KAFKA_UNUSED __attribute__((unused))
#else
#define KAFKA_UNUSED
#endif

/* One message schema (a request, response, header or data schema) seen
 * through untyped pointers, so tools and tests can walk every message. */
typedef struct kafka_msg_vtable {
    const char *name; /* e.g. "ProduceRequest" */
    size_t struct_size;
    int16_t min_version, max_version;
    int16_t first_flexible; /* -1 when no version is flexible */
    void (*init)(void *m);
    int (*decode)(kafka_reader_t *r, int16_t version, kafka_arena_t *a, void *m);
    int (*size)(const void *m, int16_t version, size_t *out, kafka_err_t *err);
    int (*encode)(const void *m, int16_t version, kafka_writer_t *w);
    bool (*equal)(const void *a, const void *b);
    int (*to_json)(const void *m, int16_t version, json_t **out, kafka_err_t *err);
    int (*from_json)(const json_t *j, int16_t version, kafka_arena_t *a, void *m, kafka_err_t *err);
} kafka_msg_vtable_t;

enum kafka_listener {
    KAFKA_LISTENER_ZK_BROKER = 1 << 0,
    KAFKA_LISTENER_BROKER = 1 << 1,
    KAFKA_LISTENER_CONTROLLER = 1 << 2,
};

typedef struct kafka_api_desc {
    int16_t api_key;
    const char *name; /* e.g. "Produce" */
    int16_t min_version, max_version;
    int16_t first_flexible;
    int16_t deprecated_min, deprecated_max; /* -1, -1 when none */
    unsigned listeners;                     /* enum kafka_listener bits */
    bool latest_version_unstable;
    const kafka_msg_vtable_t *request, *response;
} kafka_api_desc_t;

/* Decode-side failure: keep the innermost offset/reason, add the field. */
static inline int kafka_rfail(kafka_reader_t *r, int rc, const char *field, int64_t index) {
    kafka_err_set(r->err, rc, r->base + (int64_t)r->pos, NULL);
    kafka_err_push(r->err, field, index);
    return rc;
}

/* Encode-side failure. */
static inline int kafka_wfail(kafka_writer_t *w, int rc, const char *field, int64_t index) {
    kafka_err_set(w->err, rc, (int64_t)w->pos, NULL);
    kafka_err_push(w->err, field, index);
    return rc;
}

/* Size-side and JSON-side failure (no byte offset). */
static inline int kafka_efail(kafka_err_t *err, int rc, const char *field, int64_t index,
                              const char *reason) {
    kafka_err_set(err, rc, -1, reason);
    kafka_err_push(err, field, index);
    return rc;
}

/* Arena space for n decoded elements; n <= 0 gives NULL. The count was
 * already checked against the bytes remaining, so this is bounded by the
 * input size times the element size. */
static inline int kafka_alloc_items(kafka_reader_t *r, kafka_arena_t *a, int32_t n,
                                    size_t elem_size, void **items) {
    *items = NULL;
    if (n <= 0)
        return 0;
    *items = kafka_arena_alloc(a, (size_t)n * elem_size);
    if (*items == NULL)
        return kafka_reader_fail(r, KAFKA_ENOMEM, "arena limit reached");
    return 0;
}

/* Keeps an unknown tagged field (its size bytes at r's position) for
 * re-emission. Room for the section's ntags entries is taken on the first
 * one; ntags was already checked against the bytes remaining. */
static inline int kafka_keep_raw_tag(kafka_reader_t *r, kafka_arena_t *a, kafka_raw_tags_t *tags,
                                     uint32_t ntags, uint32_t tag, uint32_t size) {
    if (tags->items == NULL) {
        tags->items = kafka_arena_alloc(a, (size_t)ntags * sizeof *tags->items);
        if (tags->items == NULL)
            return kafka_reader_fail(r, KAFKA_ENOMEM, "arena limit reached");
        tags->count = 0;
    }
    kafka_raw_tag_t *t = &tags->items[tags->count++];
    t->tag = tag;
    t->data.ptr = r->buf + r->pos;
    t->data.len = (int32_t)size;
    return 0;
}

/* Validating size helpers: add the encoded size to *n, or fail as the
 * matching writer would. */
static inline int kafka_size_string_checked(bool flex, bool nullable, kafka_str_t s, size_t *n) {
    if (s.len < 0 && !nullable)
        return KAFKA_ENULL;
    if (s.len > KAFKA_STRING_MAX)
        return KAFKA_ETOOLARGE;
    *n += kafka_size_string(flex, s);
    return 0;
}

static inline int kafka_size_bytes_checked(bool flex, bool nullable, kafka_bytes_t b, size_t *n) {
    if (b.len < 0 && !nullable)
        return KAFKA_ENULL;
    *n += kafka_size_bytes(flex, b);
    return 0;
}

static inline int kafka_size_array_checked(bool flex, bool nullable, int32_t count, size_t *n) {
    if (count < 0 && !nullable)
        return KAFKA_ENULL;
    *n += kafka_size_array_len(flex, count);
    return 0;
}

/* Unknown tags are written merged with the known ones in ascending order:
 * this writes the unknown tags numbered below `below`, starting at *next,
 * and fails if one collides with the known tag `below` about to be written. */
static inline int kafka_write_raw_tags_below(kafka_writer_t *w, const kafka_raw_tags_t *t,
                                             int32_t *next, int64_t below, bool known_set) {
    while (*next < t->count && (int64_t)t->items[*next].tag < below) {
        int rc = kafka_write_raw_tag(w, &t->items[*next]);
        if (rc < 0)
            return rc;
        (*next)++;
    }
    if (known_set && *next < t->count && (int64_t)t->items[*next].tag == below)
        return KAFKA_ETAG;
    return 0;
}

/* Size of the unknown tags, and a check that they are strictly ascending and
 * do not reuse a known tag number (tags below known_count are known). */
static inline int kafka_size_raw_tags(const kafka_raw_tags_t *t, uint32_t known_count, size_t *n) {
    int64_t prev = -1;
    for (int32_t i = 0; i < t->count; i++) {
        if ((int64_t)t->items[i].tag <= prev || t->items[i].tag < known_count ||
            t->items[i].data.len < 0)
            return KAFKA_ETAG;
        prev = t->items[i].tag;
        *n += kafka_size_raw_tag(&t->items[i]);
    }
    return 0;
}

/* Adds value to a JSON object; a NULL value means the conversion failed,
 * reported as code. Steals the reference. */
static inline int kafka_json_put(json_t *obj, const char *key, json_t *value, int code) {
    if (value == NULL)
        return code;
    if (json_object_set_new(obj, key, value) != 0)
        return KAFKA_ENOMEM;
    return 0;
}

static inline int kafka_json_append(json_t *arr, json_t *value, int code) {
    if (value == NULL)
        return code;
    if (json_array_append_new(arr, value) != 0)
        return KAFKA_ENOMEM;
    return 0;
}

#endif
