/* Entry points of the data handlers, listed in table_data.c. */
#ifndef KGW_DATA_HANDLERS_H
#define KGW_DATA_HANDLERS_H

#include "handlers.h"

void kgw_handle_produce(kgw_request_t *req);
void kgw_handle_fetch(kgw_request_t *req);
void kgw_handle_list_offsets(kgw_request_t *req);
void kgw_handle_offset_for_leader_epoch(kgw_request_t *req);
void kgw_handle_init_producer_id(kgw_request_t *req);
void kgw_handle_describe_producers(kgw_request_t *req);

#endif
