/* Request-side helpers for the group handlers. */
#include <string.h>

#include "glue.h"

kgw_coord_t *kgw_groups_coord(kgw_request_t *req) {
    kgw_groups_state_t *s = req->server->group_state;
    return s != NULL ? kgw_groups_state_coord(s) : NULL;
}

char *kgw_groups_cstr(kgw_request_t *req, kafka_str_t s) {
    if (s.len < 0)
        return NULL;
    char *d = kgw_request_alloc(req, (size_t)s.len + 1);
    if (d == NULL)
        return NULL;
    if (s.len > 0)
        memcpy(d, s.ptr, (size_t)s.len);
    d[s.len] = '\0';
    return d;
}

kafka_str_t kgw_groups_str(kgw_request_t *req, const char *s) {
    if (s == NULL)
        return KAFKA_STR_NULL;
    size_t n = strlen(s);
    char *d = kgw_request_alloc(req, n + 1);
    if (d == NULL)
        return (kafka_str_t){"", 0};
    memcpy(d, s, n + 1);
    return (kafka_str_t){d, (int32_t)n};
}

kafka_bytes_t kgw_groups_bytes(kgw_request_t *req, const uint8_t *p, int32_t len) {
    if (p == NULL && len <= 0)
        return (kafka_bytes_t){(const uint8_t *)"", 0};
    uint8_t *d = kgw_request_alloc(req, (size_t)len + 1);
    if (d == NULL)
        return (kafka_bytes_t){(const uint8_t *)"", 0};
    memcpy(d, p, (size_t)len);
    return (kafka_bytes_t){d, len};
}

void *kgw_groups_array(kgw_request_t *req, size_t n, size_t size) {
    if (n == 0)
        return NULL;
    void *p = kgw_request_alloc(req, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

const char *kgw_groups_client_host(kgw_request_t *req) {
    const char *peer = kgw_request_peer(req);
    if (peer == NULL)
        return "";
    const char *colon = strrchr(peer, ':');
    size_t n = colon != NULL ? (size_t)(colon - peer) : strlen(peer);
    char *d = kgw_request_alloc(req, n + 2);
    if (d == NULL)
        return "";
    d[0] = '/';
    memcpy(d + 1, peer, n);
    d[n + 1] = '\0';
    return d;
}

const char *kgw_groups_client_id(kgw_request_t *req) {
    char *s = kgw_groups_cstr(req, req->header.client_id);
    return s != NULL ? s : "";
}
