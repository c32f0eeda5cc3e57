/* Value types of the generated codec. Strings, bytes and records are
 * zero-copy views into the input buffer (or into an arena); a negative
 * length or count means null. Views are NOT NUL-terminated. */
#ifndef KAFKA_TYPES_H
#define KAFKA_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KAFKA_NULL_LEN (-1)

typedef struct kafka_str {
    const char *ptr;
    int32_t len; /* < 0: null */
} kafka_str_t;

typedef struct kafka_bytes {
    const uint8_t *ptr;
    int32_t len; /* < 0: null */
} kafka_bytes_t;

/* Record-batch bytes, opaque to the codec (see kafka/records.h). */
typedef kafka_bytes_t kafka_records_t;

typedef struct kafka_uuid {
    uint8_t b[16];
} kafka_uuid_t;

/* A tagged field the schema does not know at this version, kept so it is
 * re-emitted unchanged. */
typedef struct kafka_raw_tag {
    uint32_t tag;
    kafka_bytes_t data;
} kafka_raw_tag_t;

typedef struct kafka_raw_tags {
    kafka_raw_tag_t *items; /* ascending tag order */
    int32_t count;
} kafka_raw_tags_t;

#define KAFKA__ARRAY_TYPE(name, elem)                                                              \
    typedef struct kafka_##name##_array {                                                          \
        elem *items;                                                                               \
        int32_t count; /* < 0: null */                                                             \
    } kafka_##name##_array_t

KAFKA__ARRAY_TYPE(bool, bool);
KAFKA__ARRAY_TYPE(int8, int8_t);
KAFKA__ARRAY_TYPE(int16, int16_t);
KAFKA__ARRAY_TYPE(uint16, uint16_t);
KAFKA__ARRAY_TYPE(int32, int32_t);
KAFKA__ARRAY_TYPE(uint32, uint32_t);
KAFKA__ARRAY_TYPE(int64, int64_t);
KAFKA__ARRAY_TYPE(float64, double);
KAFKA__ARRAY_TYPE(uuid, kafka_uuid_t);
KAFKA__ARRAY_TYPE(str, kafka_str_t);
KAFKA__ARRAY_TYPE(bytes, kafka_bytes_t);

#define KAFKA_STR_NULL ((kafka_str_t){NULL, KAFKA_NULL_LEN})
#define KAFKA_BYTES_NULL ((kafka_bytes_t){NULL, KAFKA_NULL_LEN})
/* A view of a C string literal. */
#define KAFKA_STR_LIT(s) ((kafka_str_t){(s), (int32_t)(sizeof(s) - 1)})

bool kafka_str_equal(kafka_str_t a, kafka_str_t b);
bool kafka_bytes_equal(kafka_bytes_t a, kafka_bytes_t b);
bool kafka_uuid_equal(kafka_uuid_t a, kafka_uuid_t b);
bool kafka_uuid_is_zero(kafka_uuid_t u);
/* Bitwise, so NaN payloads compare equal to themselves. */
bool kafka_float64_equal(double a, double b);
bool kafka_raw_tags_equal(const kafka_raw_tags_t *a, const kafka_raw_tags_t *b);
/* A view of a NUL-terminated string (no copy). */
kafka_str_t kafka_str_from_cstr(const char *s);

#endif
