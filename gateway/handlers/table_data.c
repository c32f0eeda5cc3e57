#include "handlers.h"

const kgw_handler_table_t kgw_handlers_data = {NULL, 0};

int kgw_data_handlers_start(kgw_server_t *s) {
    (void)s;
    return 0;
}

void kgw_data_handlers_stop(kgw_server_t *s) {
    (void)s;
}

void kgw_data_handlers_on_data(void *server, const char *topic, int32_t partition,
                               int64_t high_watermark) {
    (void)server, (void)topic, (void)partition, (void)high_watermark;
}
