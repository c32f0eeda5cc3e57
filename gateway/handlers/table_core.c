#include "handlers.h"

const kgw_handler_table_t kgw_handlers_core = {NULL, 0};
