/* The data handlers' table and lifecycle: produce, fetch (with its long-poll
 * waiters), offsets and producer ids. */
#include "data_handlers.h"
#include "fetch_wait.h"
#include "kafka/msg/describe_producers_request.h"
#include "kafka/msg/fetch_request.h"
#include "kafka/msg/init_producer_id_request.h"
#include "kafka/msg/list_offsets_request.h"
#include "kafka/msg/offset_for_leader_epoch_request.h"
#include "kafka/msg/produce_request.h"

static const kgw_handler_t data_handlers[] = {
    {KAFKA_PRODUCE_REQUEST_API_KEY, 0, 11, kgw_handle_produce},
    {KAFKA_FETCH_REQUEST_API_KEY, 0, 17, kgw_handle_fetch},
    {KAFKA_LIST_OFFSETS_REQUEST_API_KEY, 0, 9, kgw_handle_list_offsets},
    {KAFKA_OFFSET_FOR_LEADER_EPOCH_REQUEST_API_KEY, 0, 4, kgw_handle_offset_for_leader_epoch},
    {KAFKA_INIT_PRODUCER_ID_REQUEST_API_KEY, 0, 5, kgw_handle_init_producer_id},
    {KAFKA_DESCRIBE_PRODUCERS_REQUEST_API_KEY, 0, 0, kgw_handle_describe_producers},
};

const kgw_handler_table_t kgw_handlers_data = {
    data_handlers,
    sizeof data_handlers / sizeof data_handlers[0],
};

int kgw_data_handlers_start(kgw_server_t *s) {
    s->fetch_state = kgw_fetch_waiters_new(s->loop);
    return s->fetch_state ? 0 : -1;
}

void kgw_data_handlers_stop(kgw_server_t *s) {
    kgw_fetch_waiters_t *w = s->fetch_state;
    /* Cleared first so that a fetch arriving from here on is answered at
     * once instead of parking. */
    s->fetch_state = NULL;
    kgw_fetch_waiters_free(w);
}

void kgw_data_handlers_on_data(void *server, const char *topic, int32_t partition,
                               int64_t high_watermark) {
    kgw_server_t *s = server;
    (void)high_watermark;
    kgw_fetch_wait_notify(s->fetch_state, topic, partition);
}
