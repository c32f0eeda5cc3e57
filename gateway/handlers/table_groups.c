#include "handlers.h"

const kgw_handler_table_t kgw_handlers_groups = {NULL, 0};

int kgw_group_handlers_start(kgw_server_t *s) {
    (void)s;
    return 0;
}

void kgw_group_handlers_stop(kgw_server_t *s) {
    (void)s;
}
