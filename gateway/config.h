/* kgw's configuration: Kafka's setting names where Kafka has the setting,
 * from a server.properties-style file and --override key=value. */
#ifndef KGW_CONFIG_H
#define KGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kgw_config {
    /* listeners: PLAINTEXT://host:port (one listener) */
    char listener_host[256];
    int listener_port;
    char advertised_host[256]; /* advertised.listeners; defaults to the listener */
    int advertised_port;
    int32_t node_id;
    char log_dirs[4096];
    int32_t num_partitions;
    bool auto_create_topics_enable;
    int16_t default_replication_factor; /* only 1 is accepted */
    int32_t message_max_bytes;
    int32_t socket_request_max_bytes;
    /* Connections with nothing in flight for longer are closed; < 0: never. */
    int64_t connections_max_idle_ms;
    int64_t log_segment_bytes;
    int64_t log_roll_ms;
    int32_t log_roll_hours; /* as given; log_roll_ms holds the effect */
    int64_t log_retention_ms;
    int32_t log_retention_minutes, log_retention_hours; /* as given */
    int64_t log_retention_bytes;
    int64_t log_retention_check_interval_ms;
    int64_t log_flush_interval_messages;
    int64_t log_flush_interval_ms;
    /* kgw's own: fsync before acknowledging acks=all (true), or acknowledge
     * once written to the page cache as Kafka does (false). */
    bool acks_all_fsync;
    /* Idempotent-producer state with no write for this long is forgotten. */
    int32_t producer_id_expiration_ms;
    int32_t producer_id_expiration_check_interval_ms;
    /* Compaction of cleanup.policy=compact topics. */
    bool log_cleaner_enable;
    int64_t log_cleaner_backoff_ms;
    int64_t log_cleaner_dedupe_buffer_size;
    /* group coordinator */
    int32_t group_initial_rebalance_delay_ms;
    int32_t group_min_session_timeout_ms;
    int32_t group_max_session_timeout_ms;
    int32_t group_max_size;
    int32_t offsets_retention_minutes;
    /* logging: error, warn, info, debug */
    int log_level;
    /* Private to config.c: which settings were given explicitly (a file or
     * --override), for DescribeConfigs sources and for advertised.listeners
     * following listeners unless set itself. */
    uint64_t explicit_bits;
} kgw_config_t;

/* One name a setting's value may come from, in Kafka's precedence order
 * (log.retention.ms, then .minutes, then .hours). */
typedef struct kgw_config_synonym {
    const char *name;
    char value[32];
    bool is_default;
} kgw_config_synonym_t;

/* What DescribeConfigs reports for a broker setting. */
typedef struct kgw_config_view {
    const char *name;
    char value[4096];
    /* Kafka's null: not set, and no default of its own. The ms forms still
     * carry the value in force in `value`, for topic defaults. */
    bool null_value;
    bool is_default; /* source DEFAULT_CONFIG, else STATIC_BROKER_CONFIG */
    bool sensitive;
    /* Only for the settings that have other names (the time units of
     * log.retention and log.roll); 0 means the setting is its own. */
    kgw_config_synonym_t synonyms[3];
    int nsynonyms;
} kgw_config_view_t;

void kgw_config_init(kgw_config_t *c);
/* Sets one setting by its name. On an unknown name or a malformed value
 * returns -1 and writes a message naming the setting into err. */
int kgw_config_set(kgw_config_t *c, const char *key, const char *value, char *err, size_t errlen);
/* Reads key=value lines (# and ! comments, blank lines, Java-properties
 * style whitespace around '=' or ':'). */
int kgw_config_load_file(kgw_config_t *c, const char *path, char *err, size_t errlen);
/* Calls fn for every broker setting with its current value; stops early if
 * fn returns non-zero. */
int kgw_config_describe(const kgw_config_t *c, int (*fn)(void *arg, const kgw_config_view_t *v),
                        void *arg);

#endif
