/* FindCoordinator (v0-6). This node coordinates every group. There is no
 * transaction coordinator (InitProducerId answers transactional ids the
 * same way), so transaction keys get COORDINATOR_NOT_AVAILABLE, the
 * retriable error Kafka gives while its coordinator is not ready; share
 * groups (key type 2) are not supported. */
#include "groups/glue.h"
#include "kafka/error_codes.h"
#include "kafka/msg/find_coordinator_request.h"
#include "kafka/msg/find_coordinator_response.h"

#define KEY_TYPE_GROUP 0
#define KEY_TYPE_TRANSACTION 1

typedef struct answer {
    int16_t error;
    const char *message;
    int32_t node_id;
    const char *host;
    int32_t port;
} answer_t;

static answer_t answer_for(kgw_request_t *req, int8_t key_type) {
    const kgw_config_t *cfg = req->server->config;
    if (key_type == KEY_TYPE_GROUP) {
        if (kgw_groups_coord(req) == NULL)
            return (answer_t){KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE,
                              "the group coordinator is shutting down", -1, "", -1};
        return (answer_t){KAFKA_ERROR_NONE, NULL, cfg->node_id, cfg->advertised_host,
                          cfg->advertised_port};
    }
    if (key_type == KEY_TYPE_TRANSACTION)
        return (answer_t){KAFKA_ERROR_COORDINATOR_NOT_AVAILABLE,
                          "this broker has no transaction coordinator", -1, "", -1};
    return (answer_t){KAFKA_ERROR_INVALID_REQUEST, "unsupported coordinator key type", -1, "", -1};
}

void kgw_handle_find_coordinator(kgw_request_t *req) {
    const kafka_find_coordinator_request_t *rq = req->body;
    kafka_find_coordinator_response_t *rs = kgw_request_response(req);
    if (rs == NULL) {
        kgw_request_respond(req);
        return;
    }
    int8_t key_type = req->api_version >= 1 ? rq->key_type : KEY_TYPE_GROUP;
    answer_t a = answer_for(req, key_type);
    if (req->api_version < 4) {
        rs->error_code = a.error;
        rs->error_message = kgw_groups_str(req, a.message);
        rs->node_id = a.node_id;
        rs->host = kgw_groups_str(req, a.host);
        rs->port = a.port;
        kgw_request_respond(req);
        return;
    }
    int32_t n = rq->coordinator_keys.count > 0 ? rq->coordinator_keys.count : 0;
    kafka_find_coordinator_response_coordinator_t *cs =
        kgw_groups_array(req, (size_t)n, sizeof *cs);
    if (n > 0 && cs == NULL) {
        kgw_request_fail_connection(req, "request arena exhausted");
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        kafka_find_coordinator_response_coordinator_init(&cs[i]);
        cs[i].key = rq->coordinator_keys.items[i];
        cs[i].error_code = a.error;
        cs[i].error_message = kgw_groups_str(req, a.message);
        cs[i].node_id = a.node_id;
        cs[i].host = kgw_groups_str(req, a.host);
        cs[i].port = a.port;
    }
    rs->coordinators.items = cs;
    rs->coordinators.count = n;
    kgw_request_respond(req);
}
