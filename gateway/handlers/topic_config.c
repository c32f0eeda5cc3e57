#include "topic_config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define I32_MAX INT64_C(2147483647)
#define I32_MIN (-INT64_C(2147483647) - 1)
#define I64_MAX INT64_MAX
#define I64_MIN INT64_MIN

static const char *const cleanup_policies[] = {"compact", "delete", NULL};
static const char *const compression_types[] = {"uncompressed", "zstd",     "lz4", "snappy",
                                                "gzip",         "producer", NULL};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};

/* Kafka 3.9's LogConfig: names, types, lower bounds and static defaults,
 * with the broker setting each default comes from. Sorted by name, as
 * Kafka lists them. */
static const kgw_topic_config_def_t catalogue[] = {
    {"cleanup.policy", KGW_CONFIG_TYPE_LIST, "log.cleanup.policy", "delete", 0, 0,
     cleanup_policies},
    {"compression.type", KGW_CONFIG_TYPE_STRING, "compression.type", "producer", 0, 0,
     compression_types},
    {"delete.retention.ms", KGW_CONFIG_TYPE_LONG, "log.cleaner.delete.retention.ms", "86400000", 0,
     I64_MAX, NULL},
    {"file.delete.delay.ms", KGW_CONFIG_TYPE_LONG, "log.segment.delete.delay.ms", "60000", 0,
     I64_MAX, NULL},
    {"flush.messages", KGW_CONFIG_TYPE_LONG, "log.flush.interval.messages", "9223372036854775807",
     1, I64_MAX, NULL},
    {"flush.ms", KGW_CONFIG_TYPE_LONG, "log.flush.interval.ms", "9223372036854775807", 0, I64_MAX,
     NULL},
    {"index.interval.bytes", KGW_CONFIG_TYPE_INT, "log.index.interval.bytes", "4096", 0, I32_MAX,
     NULL},
    {"max.compaction.lag.ms", KGW_CONFIG_TYPE_LONG, "log.cleaner.max.compaction.lag.ms",
     "9223372036854775807", 1, I64_MAX, NULL},
    {"max.message.bytes", KGW_CONFIG_TYPE_INT, "message.max.bytes", "1048588", 0, I32_MAX, NULL},
    {"message.timestamp.type", KGW_CONFIG_TYPE_STRING, "log.message.timestamp.type", "CreateTime",
     0, 0, timestamp_types},
    {"min.cleanable.dirty.ratio", KGW_CONFIG_TYPE_DOUBLE, "log.cleaner.min.cleanable.ratio", "0.5",
     0, 1, NULL},
    {"min.compaction.lag.ms", KGW_CONFIG_TYPE_LONG, "log.cleaner.min.compaction.lag.ms", "0", 0,
     I64_MAX, NULL},
    {"min.insync.replicas", KGW_CONFIG_TYPE_INT, "min.insync.replicas", "1", 1, I32_MAX, NULL},
    {"preallocate", KGW_CONFIG_TYPE_BOOLEAN, "log.preallocate", "false", 0, 0, NULL},
    /* retention.bytes has no lower bound in Kafka: any negative is "unlimited". */
    {"retention.bytes", KGW_CONFIG_TYPE_LONG, "log.retention.bytes", "-1", I64_MIN, I64_MAX, NULL},
    {"retention.ms", KGW_CONFIG_TYPE_LONG, "log.retention.ms", "604800000", -1, I64_MAX, NULL},
    /* 14 is the smallest legacy record (LegacyRecord.RECORD_OVERHEAD_V0). */
    {"segment.bytes", KGW_CONFIG_TYPE_INT, "log.segment.bytes", "1073741824", 14, I32_MAX, NULL},
    {"segment.index.bytes", KGW_CONFIG_TYPE_INT, "log.index.size.max.bytes", "10485760", 4, I32_MAX,
     NULL},
    {"segment.jitter.ms", KGW_CONFIG_TYPE_LONG, "log.roll.jitter.ms", "0", 0, I64_MAX, NULL},
    {"segment.ms", KGW_CONFIG_TYPE_LONG, "log.roll.ms", "604800000", 1, I64_MAX, NULL},
    {"unclean.leader.election.enable", KGW_CONFIG_TYPE_BOOLEAN, "unclean.leader.election.enable",
     "false", 0, 0, NULL},
};

#define CATALOGUE_LEN (sizeof(catalogue) / sizeof(catalogue[0]))

size_t kgw_topic_config_count(void) {
    return CATALOGUE_LEN;
}

const kgw_topic_config_def_t *kgw_topic_config_at(size_t i) {
    return i < CATALOGUE_LEN ? &catalogue[i] : NULL;
}

const kgw_topic_config_def_t *kgw_topic_config_find(const char *name) {
    for (size_t i = 0; i < CATALOGUE_LEN; i++)
        if (strcmp(catalogue[i].name, name) == 0)
            return &catalogue[i];
    return NULL;
}

const kgw_topic_config_def_t *kgw_topic_config_by_synonym(const char *broker_name) {
    for (size_t i = 0; i < CATALOGUE_LEN; i++)
        if (strcmp(catalogue[i].broker_synonym, broker_name) == 0)
            return &catalogue[i];
    return NULL;
}

/* The value without leading and trailing blanks, as Kafka's ConfigDef
 * parses it. */
static int trimmed(const char *v, char *out, size_t outlen) {
    while (*v && isspace((unsigned char)*v))
        v++;
    size_t n = strlen(v);
    while (n > 0 && isspace((unsigned char)v[n - 1]))
        n--;
    if (n >= outlen)
        return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static bool in_allowed(const char *const *allowed, const char *v) {
    for (; *allowed; allowed++)
        if (strcmp(*allowed, v) == 0)
            return true;
    return false;
}

static void allowed_text(const char *const *allowed, char *out, size_t outlen) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; allowed[i] && used < outlen; i++) {
        int n = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", allowed[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static int invalid(const char *name, const char *value, const char *why, char *err, size_t errlen) {
    snprintf(err, errlen, "Invalid value %s for configuration %s: %s", value, name, why);
    return -1;
}

static int parse_int64(const char *s, int64_t *out) {
    if (*s == '\0')
        return -1;
    /* Java's parseLong takes an optional sign and decimal digits only. */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '\0')
        return -1;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* Items of a list value, trimmed and joined with ","; -1 on an empty item
 * or an item outside allowed. */
static int canonical_list(const kgw_topic_config_def_t *def, const char *value, char *canon,
                          size_t canonlen, char *err, size_t errlen) {
    size_t used = 0;
    const char *p = value;
    canon[0] = '\0';
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[256];
        char raw[256];
        if (len >= sizeof(raw))
            return invalid(def->name, value, "list item too long", err, errlen);
        memcpy(raw, p, len);
        raw[len] = '\0';
        if (trimmed(raw, item, sizeof(item)) < 0 || item[0] == '\0')
            return invalid(def->name, value, "empty list item", err, errlen);
        if (def->allowed && !in_allowed(def->allowed, item)) {
            char list[256];
            char why[320];
            allowed_text(def->allowed, list, sizeof(list));
            snprintf(why, sizeof(why), "String must be one of: %s", list);
            return invalid(def->name, value, why, err, errlen);
        }
        int n = snprintf(canon + used, canonlen - used, "%s%s", used ? "," : "", item);
        if (n < 0 || (size_t)n >= canonlen - used)
            return invalid(def->name, value, "value too long", err, errlen);
        used += (size_t)n;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int kgw_topic_config_validate(const char *name, const char *value, char *canon, size_t canonlen,
                              char *err, size_t errlen) {
    const kgw_topic_config_def_t *def = kgw_topic_config_find(name);
    if (!def) {
        snprintf(err, errlen, "Unknown topic config name: %s", name);
        return -1;
    }
    if (!value) {
        snprintf(err, errlen, "Null value not supported for topic config: %s", name);
        return -1;
    }
    char v[1024];
    if (trimmed(value, v, sizeof(v)) < 0)
        return invalid(name, "(too long)", "value too long", err, errlen);

    switch (def->type) {
    case KGW_CONFIG_TYPE_LIST:
        return canonical_list(def, v, canon, canonlen, err, errlen);
    case KGW_CONFIG_TYPE_BOOLEAN:
        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
            return invalid(name, value, "Expected value to be either true or false", err, errlen);
        snprintf(canon, canonlen, "%s", strcasecmp(v, "true") == 0 ? "true" : "false");
        return 0;
    case KGW_CONFIG_TYPE_INT:
    case KGW_CONFIG_TYPE_LONG: {
        int64_t n;
        bool is_int = def->type == KGW_CONFIG_TYPE_INT;
        if (parse_int64(v, &n) < 0 || (is_int && (n < I32_MIN || n > I32_MAX)))
            return invalid(name, value,
                           is_int ? "Not a number of type INT" : "Not a number of type LONG", err,
                           errlen);
        if (n < def->min || n > def->max) {
            char why[96];
            if (def->max == (is_int ? I32_MAX : I64_MAX))
                snprintf(why, sizeof(why), "Value must be at least %lld", (long long)def->min);
            else
                snprintf(why, sizeof(why), "Value must be no more than %lld", (long long)def->max);
            return invalid(name, value, why, err, errlen);
        }
        break;
    }
    case KGW_CONFIG_TYPE_DOUBLE: {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (v[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(d))
            return invalid(name, value, "Not a number of type DOUBLE", err, errlen);
        if (d < (double)def->min || d > (double)def->max) {
            char why[96];
            snprintf(why, sizeof(why), "Value must be between %lld and %lld", (long long)def->min,
                     (long long)def->max);
            return invalid(name, value, why, err, errlen);
        }
        break;
    }
    default: /* STRING */
        if (def->allowed && !in_allowed(def->allowed, v)) {
            char list[256];
            char why[320];
            allowed_text(def->allowed, list, sizeof(list));
            snprintf(why, sizeof(why), "String must be one of: %s", list);
            return invalid(name, value, why, err, errlen);
        }
        break;
    }
    if (strlen(v) >= canonlen)
        return invalid(name, value, "value too long", err, errlen);
    strcpy(canon, v);
    return 0;
}

void kgw_topic_config_default_for(const kgw_topic_config_def_t *def, kgw_broker_lookup_fn lookup,
                                  void *arg, kgw_topic_config_default_t *out) {
    kgw_broker_setting_t b;
    out->synonym_name = def->broker_synonym;
    /* A broker value that is not valid for the topic config (e.g. a broker
     * setting kgw spells differently) must not leak: fall back to Kafka's. */
    char canon[64], err[8];
    if (lookup && lookup(arg, def->broker_synonym, &b) && b.value &&
        kgw_topic_config_validate(def->name, b.value, canon, sizeof(canon), err, sizeof(err)) ==
            0) {
        out->value = b.value;
        /* Kafka reports a topic default that a server.properties line set as
         * STATIC_BROKER_CONFIG, and Kafka's built-in one as DEFAULT_CONFIG. */
        out->source = b.is_default ? KGW_CONFIG_SOURCE_DEFAULT : KGW_CONFIG_SOURCE_STATIC_BROKER;
        return;
    }
    out->value = def->default_value;
    out->source = KGW_CONFIG_SOURCE_DEFAULT;
}

static bool list_has(const char *list, const char *item) {
    size_t n = strlen(item);
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

/* Calls fn for each trimmed, non-empty item of a comma-separated list. */
static int for_each_item(const char *list, int (*fn)(void *arg, const char *item), void *arg) {
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char raw[256], item[256];
        if (len >= sizeof(raw))
            return -1;
        memcpy(raw, p, len);
        raw[len] = '\0';
        if (trimmed(raw, item, sizeof(item)) == 0 && item[0] && fn(arg, item) < 0)
            return -1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

typedef struct list_builder {
    char *out;
    size_t outlen;
    size_t used;
    const char *exclude; /* subtract: items to drop */
} list_builder_t;

static int builder_add(void *arg, const char *item) {
    list_builder_t *b = arg;
    if (b->exclude && list_has(b->exclude, item))
        return 0;
    if (b->used && list_has(b->out, item))
        return 0;
    int n = snprintf(b->out + b->used, b->outlen - b->used, "%s%s", b->used ? "," : "", item);
    if (n < 0 || (size_t)n >= b->outlen - b->used)
        return -1;
    b->used += (size_t)n;
    return 0;
}

int kgw_topic_config_list_edit(const char *current, const char *items, bool append, char *out,
                               size_t outlen) {
    if (outlen == 0)
        return -1;
    out[0] = '\0';
    char excl[1024];
    list_builder_t b = {out, outlen, 0, NULL};
    if (!append) {
        /* Normalise the items to remove so list_has sees trimmed names. */
        list_builder_t e = {excl, sizeof(excl), 0, NULL};
        excl[0] = '\0';
        if (for_each_item(items, builder_add, &e) < 0)
            return -1;
        b.exclude = excl;
    }
    if (current && for_each_item(current, builder_add, &b) < 0)
        return -1;
    if (append && for_each_item(items, builder_add, &b) < 0)
        return -1;
    return 0;
}
