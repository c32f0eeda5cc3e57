/* Writer over a caller-sized output buffer, plus exact size helpers.
 * Encoding is two-pass: the generated _size computes the exact length, the
 * caller sizes the buffer, then _encode writes. A write that does not fit
 * returns KAFKA_ENOSPC and writes nothing. */
#ifndef KAFKA_WRITER_H
#define KAFKA_WRITER_H

#include "kafka/err.h"
#include "kafka/types.h"

typedef struct kafka_writer {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    kafka_err_t *err; /* optional: the generated encoders name the failing field here */
} kafka_writer_t;

/* A writer with no error sink; set w.err afterwards to collect failures. */
kafka_writer_t kafka_writer_make(void *buf, size_t cap);

int kafka_write_bool(kafka_writer_t *w, bool v); /* writes 0 or 1 */
int kafka_write_int8(kafka_writer_t *w, int8_t v);
int kafka_write_int16(kafka_writer_t *w, int16_t v);
int kafka_write_uint16(kafka_writer_t *w, uint16_t v);
int kafka_write_int32(kafka_writer_t *w, int32_t v);
int kafka_write_uint32(kafka_writer_t *w, uint32_t v);
int kafka_write_int64(kafka_writer_t *w, int64_t v);
int kafka_write_float64(kafka_writer_t *w, double v);
int kafka_write_uuid(kafka_writer_t *w, kafka_uuid_t v);
int kafka_write_uvarint(kafka_writer_t *w, uint32_t v);
int kafka_write_varint(kafka_writer_t *w, int32_t v);
int kafka_write_uvarlong(kafka_writer_t *w, uint64_t v);
int kafka_write_varlong(kafka_writer_t *w, int64_t v);
int kafka_write_raw(kafka_writer_t *w, const void *p, size_t n);

/* Encodings as for the readers. Null when !nullable -> KAFKA_ENULL; a string
 * longer than KAFKA_STRING_MAX -> KAFKA_ETOOLARGE. */
int kafka_write_string(kafka_writer_t *w, bool flex, bool nullable, kafka_str_t s);
int kafka_write_bytes(kafka_writer_t *w, bool flex, bool nullable, kafka_bytes_t b);
/* count < 0 writes null (KAFKA_ENULL when !nullable). */
int kafka_write_array_len(kafka_writer_t *w, bool flex, bool nullable, int32_t count);

size_t kafka_size_uvarint(uint32_t v);
size_t kafka_size_varint(int32_t v);
size_t kafka_size_uvarlong(uint64_t v);
size_t kafka_size_varlong(int64_t v);
/* Sizes of the encodings above; they do not validate. */
size_t kafka_size_string(bool flex, kafka_str_t s);
size_t kafka_size_bytes(bool flex, kafka_bytes_t b);
size_t kafka_size_array_len(bool flex, int32_t count);
/* Bytes a raw tag occupies in a tag section: tag, size, data. */
size_t kafka_size_raw_tag(const kafka_raw_tag_t *t);
int kafka_write_raw_tag(kafka_writer_t *w, const kafka_raw_tag_t *t);

#endif
