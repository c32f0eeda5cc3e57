/* Failure details of record parsing and validation, and the Kafka error code
 * each one is answered with. */
#include "records_int.h"

void kafka_rec_err_clear(kafka_rec_err_t *err) {
    if (!err)
        return;
    err->code = 0;
    err->wire_error = KAFKA_REC_ERR_NONE;
    err->batch_index = -1;
    err->record_index = -1;
    err->offset = 0;
    err->reason = NULL;
}

int rec_fail(kafka_rec_err_t *err, int code, int16_t wire, size_t offset, const char *reason) {
    if (err && err->code == 0) {
        err->code = code;
        err->wire_error = wire ? wire : kafka_records_wire_error(code);
        err->batch_index = -1;
        err->record_index = -1;
        err->offset = offset;
        err->reason = reason ? reason : "invalid records";
    }
    return code;
}

void rec_err_locate(kafka_rec_err_t *err, int32_t batch_index, int32_t record_index) {
    if (!err || err->code == 0)
        return;
    if (err->batch_index < 0)
        err->batch_index = batch_index;
    if (err->record_index < 0)
        err->record_index = record_index;
}

int16_t kafka_records_wire_error(int code) {
    switch (code) {
    case 0:
        return KAFKA_REC_ERR_NONE;
    case KAFKA_ECRC:
    case KAFKA_ECOMPRESS:
    case KAFKA_ETRUNC:
        return KAFKA_REC_ERR_CORRUPT_MESSAGE;
    case KAFKA_EINVAL:
        return KAFKA_REC_ERR_INVALID_RECORD;
    case KAFKA_ETOOLARGE:
        return KAFKA_REC_ERR_MESSAGE_TOO_LARGE;
    case KAFKA_EUNSUPPORTED:
        return KAFKA_REC_ERR_UNSUPPORTED_COMPRESSION_TYPE;
    }
    return KAFKA_REC_ERR_UNKNOWN_SERVER_ERROR;
}

int16_t kafka_rec_err_wire(const kafka_rec_err_t *err) {
    if (!err || err->code == 0)
        return KAFKA_REC_ERR_NONE;
    return err->wire_error ? err->wire_error : kafka_records_wire_error(err->code);
}

int kafka_records_magic(const void *buf, size_t len) {
    if (len < 17)
        return -1;
    return ((const uint8_t *)buf)[16];
}
