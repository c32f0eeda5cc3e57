/* ApiVersions: the handler, and the api-range list it shares with the
 * dispatcher's answer to an ApiVersions request of an unknown version. */
#ifndef KGW_HANDLERS_API_VERSIONS_H
#define KGW_HANDLERS_API_VERSIONS_H

#include "kafka/msg/api_versions_response.h"

#include "handlers.h"

void kgw_handle_api_versions(kgw_request_t *req);
/* Fills resp->api_keys with every served api and its advertised range
 * (allocated in req's arena). 0 or -1 when the arena is exhausted. */
int kgw_api_versions_fill(kgw_request_t *req, kafka_api_versions_response_t *resp);

#endif
