/* DescribeCluster (v0-1): the cluster id, this node as the only broker and
 * as the controller. */
#include "admin_handlers.h"
#include "admin_util.h"
#include "kafka/error_codes.h"
#include "kafka/msg/describe_cluster_request.h"
#include "kafka/msg/describe_cluster_response.h"

/* DescribeCluster v1's endpoint types. */
#define ENDPOINT_BROKERS 1
#define ENDPOINT_CONTROLLERS 2

void kgw_handle_describe_cluster(kgw_request_t *req) {
    const kafka_describe_cluster_request_t *rq = req->body;
    kafka_describe_cluster_response_t *rs = kgw_request_response(req);
    const kgw_config_t *cfg = req->server->config;

    rs->cluster_id = kafka_str_from_cstr(req->server->cluster_id);
    rs->controller_id = cfg->node_id;
    if (req->api_version >= 1) {
        rs->endpoint_type = rq->endpoint_type;
        /* Kafka's brokers refuse to describe the controller quorum: only a
         * controller endpoint answers that, and kgw has no such listener. */
        if (rq->endpoint_type == ENDPOINT_CONTROLLERS) {
            rs->error_code = KAFKA_ERROR_UNSUPPORTED_ENDPOINT_TYPE;
            rs->error_message = KAFKA_STR_LIT("The request was sent to an endpoint of type "
                                              "BROKER, but we wanted an endpoint of type "
                                              "CONTROLLER");
            kgw_request_respond(req);
            return;
        }
        if (rq->endpoint_type != ENDPOINT_BROKERS) {
            rs->error_code = KAFKA_ERROR_INVALID_REQUEST;
            rs->error_message = KAFKA_STR_LIT("Unknown endpoint type.");
            kgw_request_respond(req);
            return;
        }
    }
    kafka_describe_cluster_response_describe_cluster_broker_t *b =
        kgw_request_alloc(req, sizeof(*b));
    if (!b) {
        admin_fail_nomem(req);
        return;
    }
    kafka_describe_cluster_response_describe_cluster_broker_init(b);
    b->broker_id = cfg->node_id;
    b->host = kafka_str_from_cstr(cfg->advertised_host);
    b->port = cfg->advertised_port;
    b->rack = KAFKA_STR_NULL;
    rs->brokers.items = b;
    rs->brokers.count = 1;
    if (rq->include_cluster_authorized_operations)
        rs->cluster_authorized_operations = ADMIN_CLUSTER_AUTHORIZED_OPERATIONS;
    kgw_request_respond(req);
}
