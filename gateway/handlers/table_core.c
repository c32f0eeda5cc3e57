#include "api_versions.h"

static const kgw_handler_t core_handlers[] = {
    {KAFKA_API_API_VERSIONS, 0, 4, kgw_handle_api_versions},
};

const kgw_handler_table_t kgw_handlers_core = {
    core_handlers,
    sizeof core_handlers / sizeof core_handlers[0],
};
