/* Error codes and decode-error reporting shared by the runtime and the
 * generated codec. Functions return 0 on success or a negative KAFKA_E*
 * code. Kafka's wire error codes are a separate enum (kafka/error_codes.h);
 * the two are never mixed. */
#ifndef KAFKA_ERR_H
#define KAFKA_ERR_H

#include <stddef.h>
#include <stdint.h>

#define KAFKA_ERRNO_MAP(XX)                                                                        \
    XX(ETRUNC, -1, "input ends before the value")                                                  \
    XX(EINVAL, -2, "malformed value")                                                              \
    XX(ENULL, -3, "null in a non-nullable field")                                                  \
    XX(EVERSION, -4, "not valid at this version")                                                  \
    XX(ENOMEM, -5, "memory limit reached")                                                         \
    XX(ETOOLARGE, -6, "value exceeds its limit")                                                   \
    XX(ENOSPC, -7, "output buffer too small")                                                      \
    XX(ETAG, -8, "bad tagged-field section")                                                       \
    XX(EJSON, -9, "JSON does not match the schema")                                                \
    XX(EUTF8, -10, "string is not valid UTF-8")                                                    \
    XX(ECRC, -11, "checksum mismatch")                                                             \
    XX(ECOMPRESS, -12, "compression codec failure")                                                \
    XX(EUNSUPPORTED, -13, "unsupported feature")

enum kafka_errno {
    KAFKA_OK = 0,
#define KAFKA__ERRNO_ENUM(name, value, text) KAFKA_##name = (value),
    KAFKA_ERRNO_MAP(KAFKA__ERRNO_ENUM)
#undef KAFKA__ERRNO_ENUM
};

/* Static text for a KAFKA_E* code ("unknown error" for anything else). */
const char *kafka_strerror(int code);
/* Symbolic name, e.g. "KAFKA_ETRUNC". */
const char *kafka_err_name(int code);

#define KAFKA_ERR_PATH_MAX 256

/* Where a decode (or JSON conversion) failed. The innermost failure records
 * the byte offset and reason; each enclosing level prepends its field name,
 * so path reads outermost-first, e.g. "topics[3].partitions[0].records". */
typedef struct kafka_err {
    int code;           /* KAFKA_E* of the first failure, 0 if none */
    int64_t offset;     /* byte offset in the outermost input, -1 if none */
    const char *reason; /* static detail text, never NULL once set */
    char path[KAFKA_ERR_PATH_MAX];
} kafka_err_t;

void kafka_err_clear(kafka_err_t *err);
/* Record a failure at the innermost level; later calls keep the first. */
void kafka_err_set(kafka_err_t *err, int code, int64_t offset, const char *reason);
/* Prepend a path segment "name" (or "name[index]" when index >= 0). */
void kafka_err_push(kafka_err_t *err, const char *name, int64_t index);
/* "offset N: path: reason" into buf (always NUL-terminated). */
size_t kafka_err_format(const kafka_err_t *err, char *buf, size_t cap);

#endif
