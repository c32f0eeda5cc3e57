#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errbuf.h"
#include "logging.h"

enum setting_kind {
    SET_INT32,
    SET_INT64,
    SET_INT16,
    SET_BOOL,
    SET_LISTENER,   /* listeners */
    SET_ADVERTISED, /* advertised.listeners */
    SET_LOG_DIRS,
    SET_LOG_LEVEL,
    SET_HOURS,   /* an alias in hours of another int64 ms setting */
    SET_MINUTES, /* an alias in minutes of another int64 ms setting */
    SET_ALIAS,   /* another name of a setting (broker.id for node.id) */
};

typedef struct setting {
    const char *name;
    enum setting_kind kind;
    size_t offset;
    int64_t min, max;
    const char *target; /* SET_HOURS, SET_MINUTES, SET_ALIAS: the setting it sets */
} setting_t;

#define OFF(field) offsetof(kgw_config_t, field)
#define I32MAX INT32_MAX
#define I64MAX INT64_MAX

/* Index in this table = bit in explicit_bits, so keep it under 64 rows. */
static const setting_t settings[] = {
    {"listeners", SET_LISTENER, 0, 0, 0, NULL},
    {"advertised.listeners", SET_ADVERTISED, 0, 0, 0, NULL},
    {"node.id", SET_INT32, OFF(node_id), 0, I32MAX, NULL},
    {"log.dirs", SET_LOG_DIRS, 0, 0, 0, NULL},
    {"num.partitions", SET_INT32, OFF(num_partitions), 1, I32MAX, NULL},
    {"auto.create.topics.enable", SET_BOOL, OFF(auto_create_topics_enable), 0, 0, NULL},
    {"default.replication.factor", SET_INT16, OFF(default_replication_factor), 1, 1, NULL},
    {"message.max.bytes", SET_INT32, OFF(message_max_bytes), 0, I32MAX, NULL},
    {"socket.request.max.bytes", SET_INT32, OFF(socket_request_max_bytes), 1, I32MAX, NULL},
    {"connections.max.idle.ms", SET_INT64, OFF(connections_max_idle_ms), -1, I64MAX, NULL},
    {"log.segment.bytes", SET_INT64, OFF(log_segment_bytes), 14, I32MAX, NULL},
    {"log.roll.ms", SET_INT64, OFF(log_roll_ms), 1, I64MAX, NULL},
    {"log.roll.hours", SET_HOURS, OFF(log_roll_hours), 1, I32MAX, "log.roll.ms"},
    {"log.retention.ms", SET_INT64, OFF(log_retention_ms), -1, I64MAX, NULL},
    {"log.retention.minutes", SET_MINUTES, OFF(log_retention_minutes), -1, I32MAX,
     "log.retention.ms"},
    {"log.retention.hours", SET_HOURS, OFF(log_retention_hours), -1, I32MAX, "log.retention.ms"},
    {"log.retention.bytes", SET_INT64, OFF(log_retention_bytes), -1, I64MAX, NULL},
    {"log.retention.check.interval.ms", SET_INT64, OFF(log_retention_check_interval_ms), 1, I64MAX,
     NULL},
    {"log.flush.interval.messages", SET_INT64, OFF(log_flush_interval_messages), 1, I64MAX, NULL},
    {"log.flush.interval.ms", SET_INT64, OFF(log_flush_interval_ms), 0, I64MAX, NULL},
    {"kgw.acks.all.fsync", SET_BOOL, OFF(acks_all_fsync), 0, 0, NULL},
    {"producer.id.expiration.ms", SET_INT32, OFF(producer_id_expiration_ms), 1, I32MAX, NULL},
    {"log.cleaner.enable", SET_BOOL, OFF(log_cleaner_enable), 0, 0, NULL},
    {"log.cleaner.backoff.ms", SET_INT64, OFF(log_cleaner_backoff_ms), 0, I64MAX, NULL},
    {"log.cleaner.dedupe.buffer.size", SET_INT64, OFF(log_cleaner_dedupe_buffer_size), 1 << 20,
     I64MAX, NULL},
    {"producer.id.expiration.check.interval.ms", SET_INT32,
     OFF(producer_id_expiration_check_interval_ms), 1, I32MAX, NULL},
    {"group.initial.rebalance.delay.ms", SET_INT32, OFF(group_initial_rebalance_delay_ms), 0,
     I32MAX, NULL},
    {"group.min.session.timeout.ms", SET_INT32, OFF(group_min_session_timeout_ms), 0, I32MAX, NULL},
    {"group.max.session.timeout.ms", SET_INT32, OFF(group_max_session_timeout_ms), 0, I32MAX, NULL},
    {"group.max.size", SET_INT32, OFF(group_max_size), 1, I32MAX, NULL},
    {"offsets.retention.minutes", SET_INT32, OFF(offsets_retention_minutes), 1, I32MAX, NULL},
    {"kgw.log.level", SET_LOG_LEVEL, 0, 0, 0, NULL},
    {"broker.id", SET_ALIAS, 0, 0, 0, "node.id"},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])
_Static_assert(sizeof settings / sizeof settings[0] <= 64, "explicit_bits has 64 bits");

/* Kafka settings found in stock server.properties files that mean nothing
 * for a single-node server without replication or a separate controller.
 * They are accepted (with a warning) so such files load unchanged. */
static const char *const ignored_kafka_settings[] = {
    "process.roles",
    "controller.quorum.voters",
    "controller.quorum.bootstrap.servers",
    "controller.listener.names",
    "listener.security.protocol.map",
    "inter.broker.listener.name",
    "num.network.threads",
    "num.io.threads",
    "socket.send.buffer.bytes",
    "socket.receive.buffer.bytes",
    "num.recovery.threads.per.data.dir",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "zookeeper.connect",
    "zookeeper.connection.timeout.ms",
};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kgw_config_init(kgw_config_t *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->listener_host, sizeof c->listener_host, "127.0.0.1");
    c->listener_port = 9092;
    snprintf(c->advertised_host, sizeof c->advertised_host, "127.0.0.1");
    c->advertised_port = 9092;
    c->node_id = 1;
    snprintf(c->log_dirs, sizeof c->log_dirs, "./data");
    c->num_partitions = 1;
    c->auto_create_topics_enable = true;
    c->default_replication_factor = 1;
    c->message_max_bytes = 1048588;
    c->socket_request_max_bytes = 104857600;
    c->connections_max_idle_ms = 600000;
    c->log_segment_bytes = 1073741824;
    c->log_roll_ms = 168LL * 3600 * 1000;
    c->log_roll_hours = 168;
    c->log_retention_ms = 168LL * 3600 * 1000;
    c->log_retention_hours = 168;
    c->log_retention_bytes = -1;
    c->log_retention_check_interval_ms = 300000;
    c->log_flush_interval_messages = INT64_MAX;
    c->log_flush_interval_ms = INT64_MAX;
    c->acks_all_fsync = true;
    c->producer_id_expiration_ms = 86400000;
    c->producer_id_expiration_check_interval_ms = 600000;
    c->log_cleaner_enable = true;
    c->log_cleaner_backoff_ms = 15000;
    c->log_cleaner_dedupe_buffer_size = 134217728;
    c->group_initial_rebalance_delay_ms = 3000;
    c->group_min_session_timeout_ms = 6000;
    c->group_max_session_timeout_ms = 1800000;
    c->group_max_size = INT32_MAX;
    c->offsets_retention_minutes = 10080;
    c->log_level = KGW_LEVEL_INFO;
}

static const setting_t *find_setting(const char *name, unsigned *index) {
    for (unsigned i = 0; i < NSETTINGS; i++) {
        if (strcmp(settings[i].name, name) == 0) {
            *index = i;
            return &settings[i];
        }
    }
    return NULL;
}

static bool is_explicit(const kgw_config_t *c, const char *name) {
    unsigned i;
    return find_setting(name, &i) != NULL && (c->explicit_bits >> i & 1u);
}

/* Java's Long.parseLong after trimming: optional sign, decimal digits only. */
static bool parse_int64(const char *s, int64_t *out) {
    if (*s == '\0')
        return false;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '\0')
        return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* host:port or [ipv6]:port after "PLAINTEXT://"; an empty host binds every
 * interface, as in Kafka. */
static int parse_listener(const char *key, const char *value, char *host, size_t hostlen, int *port,
                          char *err, size_t errlen) {
    if (strchr(value, ',') != NULL) {
        kgw_errbuf_set(err, errlen, "%s: only one listener is supported, got '%s'", key, value);
        return -1;
    }
    static const char prefix[] = "PLAINTEXT://";
    if (strncasecmp(value, prefix, sizeof prefix - 1) != 0) {
        kgw_errbuf_set(err, errlen,
                       "%s: expected PLAINTEXT://host:port (only PLAINTEXT is supported), "
                       "got '%s'",
                       key, value);
        return -1;
    }
    const char *h = value + sizeof prefix - 1;
    const char *colon;
    size_t hlen;
    if (*h == '[') {
        const char *close = strchr(h, ']');
        if (close == NULL || close[1] != ':') {
            kgw_errbuf_set(err, errlen, "%s: malformed IPv6 address in '%s'", key, value);
            return -1;
        }
        hlen = (size_t)(close - h - 1);
        h++;
        colon = close + 1;
    } else {
        colon = strrchr(h, ':');
        if (colon == NULL) {
            kgw_errbuf_set(err, errlen, "%s: missing port in '%s'", key, value);
            return -1;
        }
        hlen = (size_t)(colon - h);
    }
    int64_t p;
    if (!parse_int64(colon + 1, &p) || p < 0 || p > 65535) {
        kgw_errbuf_set(err, errlen, "%s: bad port in '%s'", key, value);
        return -1;
    }
    if (hlen >= hostlen) {
        kgw_errbuf_set(err, errlen, "%s: host name too long in '%s'", key, value);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return 0;
}

/* What clients are told when the listener binds every interface. */
static void advertise_listener(kgw_config_t *c) {
    const char *h = c->listener_host;
    if (h[0] == '\0' || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0)
        h = "127.0.0.1";
    snprintf(c->advertised_host, sizeof c->advertised_host, "%s", h);
    c->advertised_port = c->listener_port;
}

static int set_one(kgw_config_t *c, const setting_t *s, const char *key, const char *value,
                   char *err, size_t errlen) {
    int64_t v;
    switch (s->kind) {
    case SET_INT16:
    case SET_INT32:
    case SET_INT64:
    case SET_HOURS:
    case SET_MINUTES:
        if (!parse_int64(value, &v)) {
            kgw_errbuf_set(err, errlen, "%s: expected an integer, got '%s'", key, value);
            return -1;
        }
        if (v < s->min || v > s->max) {
            kgw_errbuf_set(err, errlen,
                           "%s: value %" PRId64 " out of range [%" PRId64 ", %" PRId64 "]", key, v,
                           s->min, s->max);
            return -1;
        }
        if (s->kind == SET_INT16)
            *(int16_t *)((char *)c + s->offset) = (int16_t)v;
        else if (s->kind == SET_INT32)
            *(int32_t *)((char *)c + s->offset) = (int32_t)v;
        else if (s->kind == SET_INT64)
            *(int64_t *)((char *)c + s->offset) = v;
        else {
            *(int32_t *)((char *)c + s->offset) = (int32_t)v;
            /* Kafka's precedence: ms over minutes over hours, whatever the order given. */
            unsigned ti;
            const setting_t *t = find_setting(s->target, &ti);
            if (is_explicit(c, s->target))
                return 0;
            if (s->kind == SET_HOURS && strcmp(s->target, "log.retention.ms") == 0 &&
                is_explicit(c, "log.retention.minutes"))
                return 0;
            int64_t unit = s->kind == SET_HOURS ? 3600000 : 60000;
            *(int64_t *)((char *)c + t->offset) = v < 0 ? -1 : v * unit;
        }
        return 0;
    case SET_BOOL:
        if (strcasecmp(value, "true") == 0)
            *(bool *)((char *)c + s->offset) = true;
        else if (strcasecmp(value, "false") == 0)
            *(bool *)((char *)c + s->offset) = false;
        else {
            kgw_errbuf_set(err, errlen, "%s: expected true or false, got '%s'", key, value);
            return -1;
        }
        return 0;
    case SET_LISTENER:
        if (parse_listener(key, value, c->listener_host, sizeof c->listener_host, &c->listener_port,
                           err, errlen) < 0)
            return -1;
        if (!is_explicit(c, "advertised.listeners"))
            advertise_listener(c);
        return 0;
    case SET_ADVERTISED: {
        char host[256];
        int port;
        if (parse_listener(key, value, host, sizeof host, &port, err, errlen) < 0)
            return -1;
        if (host[0] == '\0' || port == 0) {
            kgw_errbuf_set(err, errlen, "%s: needs a host and a non-zero port, got '%s'", key,
                           value);
            return -1;
        }
        snprintf(c->advertised_host, sizeof c->advertised_host, "%s", host);
        c->advertised_port = port;
        return 0;
    }
    case SET_LOG_DIRS:
        if (value[0] == '\0') {
            kgw_errbuf_set(err, errlen, "%s: empty", key);
            return -1;
        }
        if (strlen(value) >= sizeof c->log_dirs) {
            kgw_errbuf_set(err, errlen, "%s: path too long", key);
            return -1;
        }
        snprintf(c->log_dirs, sizeof c->log_dirs, "%s", value);
        return 0;
    case SET_LOG_LEVEL:
        for (int i = 0; i < 4; i++) {
            if (strcasecmp(value, level_names[i]) == 0) {
                c->log_level = i;
                return 0;
            }
        }
        kgw_errbuf_set(err, errlen, "%s: expected error, warn, info or debug, got '%s'", key,
                       value);
        return -1;
    case SET_ALIAS:
        break;
    }
    return -1;
}

static void trim(char **start, char **end) {
    while (*start < *end && isspace((unsigned char)**start))
        (*start)++;
    while (*end > *start && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

int kgw_config_set(kgw_config_t *c, const char *key_in, const char *value_in, char *err,
                   size_t errlen) {
    char key[256], value[4096];
    char *ks = (char *)key_in, *ke = ks + strlen(key_in);
    trim(&ks, &ke);
    if ((size_t)(ke - ks) >= sizeof key) {
        kgw_errbuf_set(err, errlen, "setting name too long");
        return -1;
    }
    memcpy(key, ks, (size_t)(ke - ks));
    key[ke - ks] = '\0';
    char *vs = (char *)value_in, *ve = vs + strlen(value_in);
    trim(&vs, &ve);
    if ((size_t)(ve - vs) >= sizeof value) {
        kgw_errbuf_set(err, errlen, "%s: value too long", key);
        return -1;
    }
    memcpy(value, vs, (size_t)(ve - vs));
    value[ve - vs] = '\0';

    unsigned index;
    const setting_t *s = find_setting(key, &index);
    if (s != NULL && s->kind == SET_ALIAS)
        s = find_setting(s->target, &index);
    if (s == NULL) {
        for (size_t i = 0; i < sizeof ignored_kafka_settings / sizeof *ignored_kafka_settings;
             i++) {
            if (strcmp(key, ignored_kafka_settings[i]) == 0) {
                kgw_warn("setting %s does not apply to kgw and is ignored", key);
                return 0;
            }
        }
        kgw_errbuf_set(err, errlen, "unknown setting '%s'", key);
        return -1;
    }
    if (set_one(c, s, key, value, err, errlen) < 0)
        return -1;
    c->explicit_bits |= (uint64_t)1 << index;
    return 0;
}

int kgw_config_load_file(kgw_config_t *c, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        kgw_errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char logical[8192];
    size_t llen = 0;
    char line[8192];
    int lineno = 0, startline = 0, rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *p = line;
        if (llen == 0) {
            while (isspace((unsigned char)*p))
                p++;
            if (*p == '\0' || *p == '#' || *p == '!')
                continue;
            startline = lineno;
        } else {
            while (isspace((unsigned char)*p))
                p++;
        }
        n = strlen(p);
        /* An odd number of trailing backslashes continues the line. */
        size_t bs = 0;
        while (bs < n && p[n - 1 - bs] == '\\')
            bs++;
        bool cont = bs % 2 == 1;
        if (cont)
            n--;
        if (llen + n >= sizeof logical) {
            kgw_errbuf_set(err, errlen, "%s:%d: line too long", path, startline);
            rc = -1;
            break;
        }
        memcpy(logical + llen, p, n);
        llen += n;
        logical[llen] = '\0';
        if (cont)
            continue;

        /* Split at the first unescaped '=', ':' or whitespace. */
        char *k = logical, *sep = logical;
        while (*sep && *sep != '=' && *sep != ':' && !isspace((unsigned char)*sep)) {
            if (*sep == '\\' && sep[1])
                sep++;
            sep++;
        }
        char *kend = sep;
        char *v = sep;
        while (isspace((unsigned char)*v))
            v++;
        if (*v == '=' || *v == ':')
            v++;
        *kend = '\0';
        /* Drop the backslash of escaped characters (\=, \:, \\). */
        for (char *r = k, *w = k;; r++) {
            if (*r == '\\' && r[1])
                r++;
            *w++ = *r;
            if (*r == '\0')
                break;
        }
        char msg[512];
        if (kgw_config_set(c, k, v, msg, sizeof msg) < 0) {
            kgw_errbuf_set(err, errlen, "%s:%d: %s", path, startline, msg);
            rc = -1;
            break;
        }
        llen = 0;
    }
    if (rc == 0 && ferror(f)) {
        kgw_errbuf_set(err, errlen, "%s: read error", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

static void format_listener(char *out, size_t cap, const char *host, int port) {
    if (strchr(host, ':') != NULL)
        snprintf(out, cap, "PLAINTEXT://[%s]:%d", host, port);
    else
        snprintf(out, cap, "PLAINTEXT://%s:%d", host, port);
}

/* Adds setting s to v's synonyms if it was set; an hours form that was not
 * set goes in with its default (Kafka's 168), the others are left out. */
static void add_synonym(const kgw_config_t *c, kgw_config_view_t *v, const setting_t *s) {
    bool set = c->explicit_bits >> (s - settings) & 1u;
    if (!set && s->kind != SET_HOURS)
        return;
    kgw_config_synonym_t *y = &v->synonyms[v->nsynonyms++];
    y->name = s->name;
    y->is_default = !set;
    if (s->kind == SET_INT64)
        snprintf(y->value, sizeof y->value, "%" PRId64,
                 *(const int64_t *)((const char *)c + s->offset));
    else
        snprintf(y->value, sizeof y->value, "%" PRId32,
                 *(const int32_t *)((const char *)c + s->offset));
}

/* The forms of the time setting s belongs to, finest first: the ms setting,
 * then the minutes and hours aliases that target it (NULL where there is
 * none). False when s has no other forms. */
static bool time_forms(const setting_t *s, const setting_t *forms[3]) {
    const char *ms = s->kind == SET_HOURS || s->kind == SET_MINUTES ? s->target : s->name;
    unsigned i;
    forms[0] = find_setting(ms, &i);
    forms[1] = forms[2] = NULL;
    for (unsigned k = 0; k < NSETTINGS; k++) {
        const setting_t *a = &settings[k];
        if ((a->kind == SET_MINUTES || a->kind == SET_HOURS) && strcmp(a->target, ms) == 0)
            forms[a->kind == SET_MINUTES ? 1 : 2] = a;
    }
    return forms[1] != NULL || forms[2] != NULL;
}

/* log.retention.ms / .minutes / .hours and log.roll.ms / .hours as Kafka
 * describes them: each form's own value or null, synonyms down to hours, and
 * the source of the first synonym. Returns false for other settings. */
static bool describe_time_unit(const kgw_config_t *c, const setting_t *s, kgw_config_view_t *v) {
    const setting_t *forms[3];
    if (!time_forms(s, forms))
        return false;
    size_t from = 0;
    while (forms[from] != s)
        from++;
    for (size_t n = from; n < 3; n++) {
        if (forms[n] != NULL)
            add_synonym(c, v, forms[n]);
    }
    bool own = v->nsynonyms > 0 && strcmp(v->synonyms[0].name, s->name) == 0;
    v->null_value = !own;
    if (own)
        snprintf(v->value, sizeof v->value, "%s", v->synonyms[0].value);
    else if (s->kind == SET_INT64) /* the ms form: what is in force, for topic defaults */
        snprintf(v->value, sizeof v->value, "%" PRId64,
                 *(const int64_t *)((const char *)c + s->offset));
    v->is_default = v->nsynonyms == 0 || v->synonyms[0].is_default;
    return true;
}

int kgw_config_describe(const kgw_config_t *c, int (*fn)(void *arg, const kgw_config_view_t *v),
                        void *arg) {
    for (unsigned i = 0; i < NSETTINGS; i++) {
        const setting_t *s = &settings[i];
        if (s->kind == SET_ALIAS)
            continue;
        kgw_config_view_t v;
        memset(&v, 0, sizeof v);
        v.name = s->name;
        v.is_default = !(c->explicit_bits >> i & 1u);
        const char *base = (const char *)c + s->offset;
        if (describe_time_unit(c, s, &v)) {
            int rc = fn(arg, &v);
            if (rc != 0)
                return rc;
            continue;
        }
        switch (s->kind) {
        case SET_INT16:
            snprintf(v.value, sizeof v.value, "%d", *(const int16_t *)base);
            break;
        case SET_INT32:
            snprintf(v.value, sizeof v.value, "%" PRId32, *(const int32_t *)base);
            break;
        case SET_INT64:
            snprintf(v.value, sizeof v.value, "%" PRId64, *(const int64_t *)base);
            break;
        case SET_BOOL:
            snprintf(v.value, sizeof v.value, "%s", *(const bool *)base ? "true" : "false");
            break;
        case SET_LISTENER:
            format_listener(v.value, sizeof v.value, c->listener_host, c->listener_port);
            break;
        case SET_ADVERTISED:
            format_listener(v.value, sizeof v.value, c->advertised_host, c->advertised_port);
            break;
        case SET_LOG_DIRS:
            snprintf(v.value, sizeof v.value, "%s", c->log_dirs);
            break;
        case SET_LOG_LEVEL:
            snprintf(v.value, sizeof v.value, "%s",
                     level_names[c->log_level >= 0 && c->log_level < 4 ? c->log_level : 2]);
            break;
        default:
            continue;
        }
        int rc = fn(arg, &v);
        if (rc != 0)
            return rc;
    }
    return 0;
}
