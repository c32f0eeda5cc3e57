/* InitProducerId (v0-5) for idempotent producers. A producer without a
 * transactional id gets a fresh id at epoch 0; one that presents its id and
 * epoch (KIP-360, v3+) gets the same id at the next epoch, or a fresh id
 * once the epoch is exhausted. kgw has no transaction coordinator, so a
 * transactional id is answered COORDINATOR_NOT_AVAILABLE. */
#include "data_handlers.h"
#include "kafka/error_codes.h"
#include "kafka/msg/init_producer_id_request.h"
#include "kafka/msg/init_producer_id_response.h"

/* Kafka bumps no further than Short.MaxValue - 1 so the epoch never wraps. */
#define MAX_PRODUCER_EPOCH 32766

void kgw_handle_init_producer_id(kgw_request_t *req) {
    kgw_backend_t *be = req->server->backend;
    const kafka_init_producer_id_request_t *rq = req->body;
    kafka_init_producer_id_response_t *rs = kgw_request_response(req);
    rs->producer_id = -1;
    rs->producer_epoch = -1;

    if (rq->transactional_id.len == 0) {
        rs->error_code = KAFKA_ERROR_INVALID_REQUEST;
    } else if (rq->transactional_id.len > 0) {
        rs->error_code = KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE;
    } else if (req->api_version >= 3 && rq->producer_id >= 0 && rq->producer_epoch >= 0 &&
               rq->producer_epoch < MAX_PRODUCER_EPOCH) {
        rs->error_code = KAFKA_ERROR_NONE;
        rs->producer_id = rq->producer_id;
        rs->producer_epoch = (int16_t)(rq->producer_epoch + 1);
    } else {
        int64_t id;
        if (be->ops->allocate_producer_id(be, &id) != 0) {
            rs->error_code = KAFKA_ERROR_UNKNOWN_SERVER_ERROR;
        } else {
            rs->error_code = KAFKA_ERROR_NONE;
            rs->producer_id = id;
            rs->producer_epoch = 0;
        }
    }
    kgw_request_respond(req);
}
