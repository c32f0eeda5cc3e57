#include <inttypes.h>
#include <stdlib.h>

#include "conn.h"
#include "handlers/api_versions.h"
#include "handlers/handlers.h"
#include "kafka/error_codes.h"
#include "logging.h"

static const kgw_handler_table_t *const tables[] = {
    &kgw_handlers_core,
    &kgw_handlers_data,
    &kgw_handlers_admin,
    &kgw_handlers_groups,
};

static const kgw_handler_t *by_key[KAFKA_API_KEY_COUNT];
static bool by_key_built;

static void build_index(void) {
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        for (size_t i = 0; i < tables[t]->count; i++) {
            const kgw_handler_t *h = &tables[t]->handlers[i];
            if (h->api_key < 0 || h->api_key >= KAFKA_API_KEY_COUNT || h->handle == NULL)
                continue;
            if (by_key[h->api_key] != NULL) {
                kgw_error("two handlers for api key %d; keeping the first", h->api_key);
                continue;
            }
            by_key[h->api_key] = h;
        }
    }
    by_key_built = true;
}

const kgw_handler_t *kgw_handler_find(int16_t api_key) {
    if (!by_key_built)
        build_index();
    if (api_key < 0 || api_key >= KAFKA_API_KEY_COUNT)
        return NULL;
    return by_key[api_key];
}

bool kgw_handler_versions(int16_t api_key, int16_t *min_version, int16_t *max_version) {
    const kgw_handler_t *h = kgw_handler_find(api_key);
    const kafka_api_desc_t *api = kafka_api_get(api_key);
    if (h == NULL || api == NULL || api->request == NULL)
        return false;
    /* Like Kafka, never advertise a version the spec marks unstable. */
    int16_t codec_max = api->max_version - (api->latest_version_unstable ? 1 : 0);
    int16_t lo = h->min_version > api->min_version ? h->min_version : api->min_version;
    int16_t hi = h->max_version < codec_max ? h->max_version : codec_max;
    if (lo > hi)
        return false;
    *min_version = lo;
    *max_version = hi;
    return true;
}

static int16_t be16(const uint8_t *p) {
    return (int16_t)((uint16_t)p[0] << 8 | p[1]);
}

static int32_t be32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static void decode_failed(kgw_request_t *req, const char *what, const kafka_err_t *err) {
    if (kgw_logging_level() >= KGW_LEVEL_DEBUG) {
        char msg[512];
        kafka_err_format(err, msg, sizeof msg);
        kgw_debug("connection %" PRIu64 " (%s): cannot decode %s v%d %s: %s", req->conn->id,
                  req->conn->peer, req->api->name, req->api_version, what, msg);
    }
    kgw_request_fail_connection(req, "malformed request");
}

void kgw_dispatch_frame(kgw_conn_t *c, uint8_t *frame, size_t len) {
    /* The framing layer guarantees len >= 8: key, version, correlation id. */
    int16_t api_key = be16(frame);
    int16_t api_version = be16(frame + 2);
    const kafka_api_desc_t *api = kafka_api_get(api_key);
    if (api == NULL || api->request == NULL) {
        kgw_debug("connection %" PRIu64 " (%s): unknown api key %d", c->id, c->peer, api_key);
        free(frame);
        kgw_conn_close(c, "unknown api key");
        return;
    }
    kgw_request_t *req = kgw_request_create(c, frame, len);
    if (req == NULL) {
        free(frame);
        kgw_conn_close(c, "out of memory");
        return;
    }
    req->api = api;
    req->api_key = api_key;
    req->api_version = api_version;
    req->correlation_id = be32(frame + 4);
    kafka_request_header_init(&req->header);

    int16_t lo, hi;
    bool served = kgw_handler_versions(api_key, &lo, &hi);
    if (!served || api_version < lo || api_version > hi) {
        if (api_key == KAFKA_API_API_VERSIONS) {
            /* Kafka answers in v0, which every client can read, with the
             * ranges it serves; the body is not parsed. */
            req->api_version = 0;
            kafka_api_versions_response_t *r = kgw_request_response(req);
            if (r == NULL || kgw_api_versions_fill(req, r) < 0) {
                kgw_request_fail_connection(req, "out of memory");
                return;
            }
            r->error_code = KAFKA_ERROR_UNSUPPORTED_VERSION;
            kgw_request_respond(req);
            return;
        }
        kgw_debug("connection %" PRIu64 " (%s): %s v%d is not served", c->id, c->peer, api->name,
                  api_version);
        kgw_request_fail_connection(req, "unsupported api version");
        return;
    }

    kafka_err_t err;
    kafka_err_clear(&err);
    kafka_reader_t r = kafka_reader_make(frame, len, &err);
    int16_t hv = kafka_request_header_version(api_key, api_version);
    if (kafka_request_header_decode(&r, hv, &req->arena, &req->header) < 0) {
        decode_failed(req, "header", &err);
        return;
    }
    void *body = kafka_arena_alloc(&req->arena, api->request->struct_size);
    if (body == NULL) {
        kgw_request_fail_connection(req, "out of memory");
        return;
    }
    api->request->init(body);
    if (api->request->decode(&r, api_version, &req->arena, body) < 0) {
        decode_failed(req, "request", &err);
        return;
    }
    req->body = body;
    kgw_handler_find(api_key)->handle(req);
}
