#include "admin_handlers.h"
#include "kafka/api.h"

static const kgw_handler_t admin_handlers[] = {
    {KAFKA_API_METADATA, 0, 12, kgw_handle_metadata},
    {KAFKA_API_CREATE_TOPICS, 0, 7, kgw_handle_create_topics},
    {KAFKA_API_DELETE_TOPICS, 0, 6, kgw_handle_delete_topics},
    {KAFKA_API_DELETE_RECORDS, 0, 2, kgw_handle_delete_records},
    {KAFKA_API_DESCRIBE_CONFIGS, 0, 4, kgw_handle_describe_configs},
    {KAFKA_API_ALTER_CONFIGS, 0, 2, kgw_handle_alter_configs},
    {KAFKA_API_DESCRIBE_LOG_DIRS, 0, 4, kgw_handle_describe_log_dirs},
    {KAFKA_API_CREATE_PARTITIONS, 0, 3, kgw_handle_create_partitions},
    {KAFKA_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, kgw_handle_incremental_alter_configs},
    {KAFKA_API_DESCRIBE_CLUSTER, 0, 1, kgw_handle_describe_cluster},
};

const kgw_handler_table_t kgw_handlers_admin = {
    admin_handlers,
    sizeof(admin_handlers) / sizeof(admin_handlers[0]),
};
