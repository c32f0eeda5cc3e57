/* Helpers the generated JSON converters (jansson) are built from. Mapping,
 * after Apache Kafka's generated converters: integers as JSON integers,
 * float64 as a JSON real ("NaN", "Infinity", "-Infinity" as strings), uuid
 * as unpadded base64url, bytes and records as standard base64, null as JSON
 * null. */
#ifndef KAFKA_JSON_H
#define KAFKA_JSON_H

#include <jansson.h>

#include "kafka/arena.h"
#include "kafka/err.h"
#include "kafka/types.h"

/* ---- to JSON: each returns a new reference, or NULL on failure ---- */
/* NULL for a string that is not valid UTF-8 (caller reports KAFKA_EUTF8). */
json_t *kafka_json_from_str(kafka_str_t s);
json_t *kafka_json_from_bytes(kafka_bytes_t b); /* base64, or null */
json_t *kafka_json_from_uuid(kafka_uuid_t u);   /* base64url, 22 chars */
json_t *kafka_json_from_float64(double d);
json_t *kafka_json_from_raw_tags(const kafka_raw_tags_t *t); /* [{"tag":n,"data":"b64"}] */

/* ---- from JSON: 0 or a negative code; on failure err gets the reason
 * (the caller pushes the field name). Strings and bytes are copied into the
 * arena because the json_t may be freed before the message. ---- */
int kafka_json_to_bool(const json_t *j, bool *out, kafka_err_t *err);
/* Integer within [min, max]. */
int kafka_json_to_int(const json_t *j, int64_t min, int64_t max, int64_t *out, kafka_err_t *err);
/* int8 also accepts 128..255 and maps it to the signed byte, as Kafka does. */
int kafka_json_to_int8(const json_t *j, int8_t *out, kafka_err_t *err);
int kafka_json_to_int16(const json_t *j, int16_t *out, kafka_err_t *err);
int kafka_json_to_uint16(const json_t *j, uint16_t *out, kafka_err_t *err);
int kafka_json_to_int32(const json_t *j, int32_t *out, kafka_err_t *err);
int kafka_json_to_uint32(const json_t *j, uint32_t *out, kafka_err_t *err);
int kafka_json_to_int64(const json_t *j, int64_t *out, kafka_err_t *err);
int kafka_json_to_float64(const json_t *j, double *out, kafka_err_t *err);
int kafka_json_to_uuid(const json_t *j, kafka_uuid_t *out, kafka_err_t *err);
/* JSON null gives a null view (the generated code checks nullability). */
int kafka_json_to_str(const json_t *j, kafka_arena_t *a, kafka_str_t *out, kafka_err_t *err);
int kafka_json_to_bytes(const json_t *j, kafka_arena_t *a, kafka_bytes_t *out, kafka_err_t *err);
int kafka_json_to_raw_tags(const json_t *j, kafka_arena_t *a, kafka_raw_tags_t *out,
                           kafka_err_t *err);
/* Array: checks j is an array (or null, giving count -1), allocates count
 * elements of elem_size (zeroed) from the arena. */
int kafka_json_to_array(const json_t *j, kafka_arena_t *a, size_t elem_size, void **items,
                        int32_t *count, kafka_err_t *err);

/* ---- base64 ---- */
size_t kafka_base64_encoded_len(size_t n, bool url_unpadded);
/* Writes encoded text (no NUL) into out, returns its length. */
size_t kafka_base64_encode(const uint8_t *in, size_t n, bool url_unpadded, char *out);
/* Decodes standard (padded or not) or url-safe base64; -1 on bad input.
 * out needs at least (n / 4 + 1) * 3 bytes. */
int64_t kafka_base64_decode(const char *in, size_t n, uint8_t *out);

#endif
