/* What the group handlers (gateway/handlers/<api>.c) share: the server's
 * coordinator, copies between request views and C strings, the handlers'
 * entry points. Everything runs on the loop thread. */
#ifndef KGW_GROUPS_GLUE_H
#define KGW_GROUPS_GLUE_H

#include "coordinator.h"
#include "handlers/handlers.h"

/* The server's group_state (table_groups.c owns it). */
typedef struct kgw_groups_state kgw_groups_state_t;
kgw_coord_t *kgw_groups_state_coord(kgw_groups_state_t *s);

/* The coordinator, or NULL once it has stopped. */
kgw_coord_t *kgw_groups_coord(kgw_request_t *req);

/* A NUL-terminated copy in the request's arena; NULL for a null string. */
char *kgw_groups_cstr(kgw_request_t *req, kafka_str_t s);
/* Copies into the request's arena (the response outlives the coordinator's
 * pointers); NULL gives a null string / null bytes. */
kafka_str_t kgw_groups_str(kgw_request_t *req, const char *s);
kafka_bytes_t kgw_groups_bytes(kgw_request_t *req, const uint8_t *p, int32_t len);
/* n zeroed elements in the request's arena (NULL when n is 0 or it is full). */
void *kgw_groups_array(kgw_request_t *req, size_t n, size_t size);
/* Kafka's client host ("/127.0.0.1"). */
const char *kgw_groups_client_host(kgw_request_t *req);
const char *kgw_groups_client_id(kgw_request_t *req);

void kgw_handle_find_coordinator(kgw_request_t *req);
void kgw_handle_join_group(kgw_request_t *req);
void kgw_handle_sync_group(kgw_request_t *req);
void kgw_handle_heartbeat(kgw_request_t *req);
void kgw_handle_leave_group(kgw_request_t *req);
void kgw_handle_offset_commit(kgw_request_t *req);
void kgw_handle_offset_fetch(kgw_request_t *req);
void kgw_handle_offset_delete(kgw_request_t *req);
void kgw_handle_describe_groups(kgw_request_t *req);
void kgw_handle_list_groups(kgw_request_t *req);
void kgw_handle_delete_groups(kgw_request_t *req);

#endif
