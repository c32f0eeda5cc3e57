/* The admin module's handlers, listed in table_admin.c. */
#ifndef KGW_HANDLERS_ADMIN_HANDLERS_H
#define KGW_HANDLERS_ADMIN_HANDLERS_H

#include "handlers.h"

void kgw_handle_metadata(kgw_request_t *req);
void kgw_handle_create_topics(kgw_request_t *req);
void kgw_handle_delete_topics(kgw_request_t *req);
void kgw_handle_create_partitions(kgw_request_t *req);
void kgw_handle_delete_records(kgw_request_t *req);
void kgw_handle_describe_configs(kgw_request_t *req);
void kgw_handle_alter_configs(kgw_request_t *req);
void kgw_handle_incremental_alter_configs(kgw_request_t *req);
void kgw_handle_describe_cluster(kgw_request_t *req);
void kgw_handle_describe_log_dirs(kgw_request_t *req);

#endif
