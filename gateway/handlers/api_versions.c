#include "api_versions.h"

#include "kafka/error_codes.h"
#include "kafka/msg/api_versions_request.h"

int kgw_api_versions_fill(kgw_request_t *req, kafka_api_versions_response_t *resp) {
    int16_t lo, hi;
    int32_t n = 0;
    for (int16_t k = 0; k < KAFKA_API_KEY_COUNT; k++)
        if (kgw_handler_versions(k, &lo, &hi))
            n++;
    kafka_api_versions_response_api_version_t *items =
        kgw_request_alloc(req, (size_t)n * sizeof *items);
    if (items == NULL)
        return -1;
    int32_t i = 0;
    for (int16_t k = 0; k < KAFKA_API_KEY_COUNT; k++) {
        if (!kgw_handler_versions(k, &lo, &hi))
            continue;
        kafka_api_versions_response_api_version_init(&items[i]);
        items[i].api_key = k;
        items[i].min_version = lo;
        items[i].max_version = hi;
        i++;
    }
    resp->api_keys.items = items;
    resp->api_keys.count = n;
    return 0;
}

/* Kafka's check of the client software name and version (KIP-511):
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static bool is_alnum(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool valid_software_field(kafka_str_t s) {
    if (s.len <= 0 || !is_alnum(s.ptr[0]) || !is_alnum(s.ptr[s.len - 1]))
        return false;
    for (int32_t i = 1; i < s.len - 1; i++)
        if (!is_alnum(s.ptr[i]) && s.ptr[i] != '-' && s.ptr[i] != '.')
            return false;
    return true;
}

void kgw_handle_api_versions(kgw_request_t *req) {
    const kafka_api_versions_request_t *body = req->body;
    kafka_api_versions_response_t *resp = kgw_request_response(req);
    if (resp == NULL) {
        kgw_request_fail_connection(req, "out of memory");
        return;
    }
    resp->throttle_time_ms = 0;
    if (req->api_version >= 3 && (!valid_software_field(body->client_software_name) ||
                                  !valid_software_field(body->client_software_version))) {
        /* As Kafka: the error alone, no api list. */
        resp->error_code = KAFKA_ERROR_INVALID_REQUEST;
        kgw_request_respond(req);
        return;
    }
    if (kgw_api_versions_fill(req, resp) < 0) {
        kgw_request_fail_connection(req, "out of memory");
        return;
    }
    /* No feature flags: supported_features stays empty and the finalized
     * epoch at its default, -1. */
    kgw_request_respond(req);
}
