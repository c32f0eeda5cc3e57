/* The topic table (loop thread): create, delete, grow, look up, configs,
 * and where partitions go among the log dirs.
 * Metadata is written before the partition directories exist and removed
 * before they are, so after a crash a topic either has its metadata or is
 * gone; leftover directories are cleared when a topic is created. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

bool emb_topic_name_valid(const char *name) {
    if (!name)
        return false;
    size_t n = strlen(name);
    if (n == 0 || n > 249 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool is_internal(const char *name) {
    return strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
}

/* Index of the first topic >= name. */
static size_t lower_bound(emb_t *be, const char *name) {
    size_t lo = 0, hi = be->ntopics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(be->topics[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

emb_topic_t *emb_topic_find(emb_t *be, const char *name) {
    if (!name)
        return NULL;
    size_t i = lower_bound(be, name);
    return i < be->ntopics && strcmp(be->topics[i]->name, name) == 0 ? be->topics[i] : NULL;
}

emb_part_t *emb_part_find(emb_t *be, const char *topic, int32_t partition) {
    emb_topic_t *t = emb_topic_find(be, topic);
    if (!t || partition < 0 || partition >= t->nparts)
        return NULL;
    return t->parts[partition];
}

static int insert_topic(emb_t *be, emb_topic_t *t) {
    if (be->ntopics == be->captopics) {
        size_t ncap = be->captopics ? be->captopics * 2 : 16;
        emb_topic_t **p = realloc(be->topics, ncap * sizeof *p);
        if (!p)
            return KGW_ENOMEM;
        be->topics = p;
        be->captopics = ncap;
    }
    size_t i = lower_bound(be, t->name);
    memmove(&be->topics[i + 1], &be->topics[i], (be->ntopics - i) * sizeof *be->topics);
    be->topics[i] = t;
    be->ntopics++;
    return 0;
}

static void free_cfgs(emb_topic_t *t) {
    for (size_t i = 0; i < t->ncfgs; i++) {
        free(t->cfgs[i].key);
        free(t->cfgs[i].value);
    }
    free(t->cfgs);
    t->cfgs = NULL;
    t->ncfgs = 0;
}

/* Closes and releases the partitions (their directories stay). */
static void topic_free(emb_topic_t *t) {
    for (int32_t i = 0; t->parts && i < t->nparts; i++) {
        if (!t->parts[i])
            continue;
        emb_part_close(t->parts[i]);
        emb_part_unref(t->parts[i]);
    }
    free(t->parts);
    free_cfgs(t);
    free(t);
}

void emb_topics_free(emb_t *be) {
    for (size_t i = 0; i < be->ntopics; i++)
        topic_free(be->topics[i]);
    free(be->topics);
    be->topics = NULL;
    be->ntopics = be->captopics = 0;
}

static bool uuid_acceptable(const kafka_uuid_t *u) {
    /* Kafka never hands out the zero id, the metadata topic's id
     * (0...01), or one whose base64 text starts with '-'. */
    bool zero_head = true;
    for (int i = 0; i < 15; i++)
        zero_head &= u->b[i] == 0;
    return !(zero_head && u->b[15] <= 1) && (u->b[0] >> 2) != 62;
}

static int random_uuid(kafka_uuid_t *u) {
    do {
        size_t got = 0;
        while (got < sizeof u->b) {
            ssize_t n = getrandom(u->b + got, sizeof u->b - got, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return KGW_EIO;
            }
            got += (size_t)n;
        }
        u->b[6] = (uint8_t)((u->b[6] & 0x0f) | 0x40); /* version 4, as Java's UUID */
        u->b[8] = (uint8_t)((u->b[8] & 0x3f) | 0x80);
    } while (!uuid_acceptable(u));
    return 0;
}

static int set_cfg(emb_topic_t *t, const char *key, const char *value) {
    for (size_t i = 0; i < t->ncfgs; i++) {
        if (strcmp(t->cfgs[i].key, key) != 0)
            continue;
        if (!value) {
            free(t->cfgs[i].key);
            free(t->cfgs[i].value);
            memmove(&t->cfgs[i], &t->cfgs[i + 1], (t->ncfgs - i - 1) * sizeof *t->cfgs);
            t->ncfgs--;
            return 0;
        }
        char *v = strdup(value);
        if (!v)
            return KGW_ENOMEM;
        free(t->cfgs[i].value);
        t->cfgs[i].value = v;
        return 0;
    }
    if (!value)
        return 0;
    emb_cfg_t *p = realloc(t->cfgs, (t->ncfgs + 1) * sizeof *p);
    if (!p)
        return KGW_ENOMEM;
    t->cfgs = p;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return KGW_ENOMEM;
    }
    t->cfgs[t->ncfgs].key = k;
    t->cfgs[t->ncfgs].value = v;
    t->ncfgs++;
    return 0;
}

static bool parse_i64(const char *s, int64_t min, int64_t *out) {
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min)
        return false;
    *out = v;
    return true;
}

/* Rejects values the partition logs could not use. */
static int check_cfg(const char *key, const char *value) {
    int64_t v;
    if (!value)
        return 0;
    if (strcmp(key, "retention.ms") == 0 || strcmp(key, "retention.bytes") == 0)
        return parse_i64(value, -1, &v) ? 0 : KGW_EINVAL;
    if (strcmp(key, "segment.bytes") == 0)
        return parse_i64(value, 14, &v) && v <= INT32_MAX ? 0 : KGW_EINVAL;
    if (strcmp(key, "segment.ms") == 0)
        return parse_i64(value, 1, &v) ? 0 : KGW_EINVAL;
    if (strcmp(key, "max.message.bytes") == 0)
        return parse_i64(value, 0, &v) && v <= INT32_MAX ? 0 : KGW_EINVAL;
    if (strcmp(key, "message.timestamp.type") == 0)
        return strcmp(value, "CreateTime") == 0 || strcmp(value, "LogAppendTime") == 0 ? 0
                                                                                       : KGW_EINVAL;
    return 0;
}

/* Open partitions per log dir, over the topics in the table. */
static size_t *dir_loads(emb_t *be) {
    size_t *load = calloc(be->dirs.n, sizeof *load);
    for (size_t i = 0; load && i < be->ntopics; i++) {
        const emb_topic_t *t = be->topics[i];
        for (int32_t k = 0; k < t->nparts; k++) {
            if (t->parts[k])
                load[t->parts[k]->dir_idx]++;
        }
    }
    return load;
}

/* As Kafka's LogManager: the dir with the fewest partitions, the earlier
 * one on a tie. */
static size_t least_loaded(const size_t *load, size_t n) {
    size_t best = 0;
    for (size_t i = 1; i < n; i++) {
        if (load[i] < load[best])
            best = i;
    }
    return best;
}

/* Opens the partitions of [from, to) not open yet, each in the least loaded
 * dir at that moment. A topic being created is not in the table yet; its
 * partitions count as they are placed. */
static int open_new_parts(emb_t *be, emb_topic_t *t, int32_t from, int32_t to) {
    size_t *load = dir_loads(be);
    if (!load)
        return KGW_ENOMEM;
    int rc = 0;
    for (int32_t i = from; rc == 0 && i < to; i++) {
        if (t->parts[i])
            continue;
        size_t d = least_loaded(load, be->dirs.n);
        if ((rc = emb_part_open(be, t, i, d, &t->parts[i])) == 0)
            load[d]++;
    }
    free(load);
    return rc;
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A directory left by a delete that crashed before removing it must not
 * give a new topic of the same name old data, in whichever dir it is. */
static void clear_stale_dirs(emb_t *be, const char *topic, int32_t from, int32_t to) {
    for (size_t d = 0; d < be->dirs.n; d++) {
        for (int32_t i = from; i < to; i++) {
            char *dir = emb_part_path(be->dirs.v[d], topic, i);
            if (dir && access(dir, F_OK) == 0)
                emb_remove_tree(dir);
            free(dir);
        }
    }
}

static void fill_info(const emb_topic_t *t, kgw_topic_info_t *out) {
    if (!out)
        return;
    snprintf(out->name, sizeof out->name, "%s", t->name);
    out->id = t->id;
    out->partitions = t->nparts;
    out->internal = t->internal;
}

int emb_create_topic(kgw_backend_t *b, const char *name, int32_t partitions,
                     const kgw_config_entry_t *configs, size_t nconfigs, kgw_topic_info_t *out) {
    emb_t *be = (emb_t *)b;
    if (be->shutting_down)
        return KGW_EIO;
    if (!emb_topic_name_valid(name))
        return KGW_EINVAL;
    if (partitions == -1)
        partitions = be->cfg.num_partitions > 0 ? be->cfg.num_partitions : 1;
    if (partitions < 1 || partitions > 1000000)
        return KGW_EINVAL;
    if (emb_topic_find(be, name))
        return KGW_EEXISTS;
    emb_topic_t *t = calloc(1, sizeof *t);
    if (!t)
        return KGW_ENOMEM;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->internal = is_internal(name);
    int rc = random_uuid(&t->id);
    for (size_t i = 0; rc == 0 && i < nconfigs; i++) {
        if ((rc = check_cfg(configs[i].key, configs[i].value)) == 0)
            rc = set_cfg(t, configs[i].key, configs[i].value);
    }
    if (rc == 0 && !(t->parts = calloc((size_t)partitions, sizeof *t->parts)))
        rc = KGW_ENOMEM;
    if (rc < 0) {
        topic_free(t);
        return rc;
    }
    clear_stale_dirs(be, name, 0, partitions);
    t->nparts = partitions;
    if ((rc = emb_meta_write_topic(be, t)) < 0 || (rc = open_new_parts(be, t, 0, partitions)) < 0 ||
        (rc = insert_topic(be, t)) < 0) {
        emb_meta_remove_topic(be, name);
        topic_free(t);
        clear_stale_dirs(be, name, 0, partitions);
        return rc == KGW_ENOMEM ? rc : KGW_EIO;
    }
    fill_info(t, out);
    return 0;
}

/* Renames a deleted partition's directory within its log dir (Kafka's
 * "<topic>-<p>.<id>-delete", topic cut to keep the name within 255 bytes)
 * so the name is free at once and an interrupted removal is finished at
 * the next open; the I/O thread removes it. */
static void remove_part_dir(emb_t *be, const emb_part_t *p, const char *idhex) {
    char suffix[64], newname[4608];
    snprintf(suffix, sizeof suffix, "-%d.%s%s", (int)p->index, idhex, EMB_DELETE_SUFFIX);
    int keep = (int)strlen(p->topic);
    if (keep > 255 - (int)strlen(suffix))
        keep = 255 - (int)strlen(suffix);
    snprintf(newname, sizeof newname, "%s/%.*s%s", be->dirs.v[p->dir_idx], keep, p->topic, suffix);
    emb_job_t *job = calloc(1, sizeof *job);
    bool renamed = rename(p->dir, newname) == 0;
    if (renamed && job && !be->shutting_down) {
        job->kind = EMB_JOB_REMOVE_DIR;
        job->path = strdup(newname);
        emb_io_post(be, job);
    } else {
        free(job);
        emb_remove_tree(renamed ? newname : p->dir);
    }
}

int emb_delete_topic(kgw_backend_t *b, const char *name) {
    emb_t *be = (emb_t *)b;
    emb_topic_t *t = emb_topic_find(be, name);
    if (!t)
        return KGW_ENOTFOUND;
    if (emb_meta_remove_topic(be, name) < 0)
        return KGW_EIO;
    size_t i = lower_bound(be, name);
    memmove(&be->topics[i], &be->topics[i + 1], (be->ntopics - i - 1) * sizeof *be->topics);
    be->ntopics--;
    kafka_uuid_t id;
    if (random_uuid(&id) < 0)
        memset(&id, 0, sizeof id);
    char idhex[33];
    for (int k = 0; k < 16; k++)
        snprintf(idhex + 2 * k, 3, "%02x", id.b[k]);
    bool *touched = calloc(be->dirs.n, sizeof *touched);
    for (int32_t p = 0; p < t->nparts; p++) {
        emb_part_close(t->parts[p]);
        remove_part_dir(be, t->parts[p], idhex);
        if (touched)
            touched[t->parts[p]->dir_idx] = true;
    }
    for (size_t d = 0; d < be->dirs.n; d++) {
        if (!touched || touched[d])
            emb_fsync_dir(be->dirs.v[d]);
    }
    free(touched);
    topic_free(t);
    return 0;
}

int emb_create_partitions(kgw_backend_t *b, const char *name, int32_t total) {
    emb_t *be = (emb_t *)b;
    emb_topic_t *t = emb_topic_find(be, name);
    if (!t)
        return KGW_ENOTFOUND;
    if (total <= t->nparts || total > 1000000)
        return KGW_EINVAL;
    emb_part_t **p = realloc(t->parts, (size_t)total * sizeof *p);
    if (!p)
        return KGW_ENOMEM;
    t->parts = p;
    int32_t old = t->nparts;
    memset(&t->parts[old], 0, (size_t)(total - old) * sizeof *p);
    clear_stale_dirs(be, name, old, total);
    t->nparts = total;
    int rc = emb_meta_write_topic(be, t);
    if (rc == 0)
        rc = open_new_parts(be, t, old, total);
    if (rc < 0) {
        for (int32_t i = old; i < total; i++) {
            if (t->parts[i]) {
                emb_part_close(t->parts[i]);
                emb_part_unref(t->parts[i]);
                t->parts[i] = NULL;
            }
        }
        t->nparts = old;
        emb_meta_write_topic(be, t);
        clear_stale_dirs(be, name, old, total);
        return rc == KGW_ENOMEM ? rc : KGW_EIO;
    }
    return 0;
}

int emb_get_topic(kgw_backend_t *b, const char *name, kgw_topic_info_t *out) {
    emb_topic_t *t = emb_topic_find((emb_t *)b, name);
    if (!t)
        return KGW_ENOTFOUND;
    fill_info(t, out);
    return 0;
}

int emb_get_topic_by_id(kgw_backend_t *b, kafka_uuid_t id, kgw_topic_info_t *out) {
    emb_t *be = (emb_t *)b;
    for (size_t i = 0; i < be->ntopics; i++) {
        if (memcmp(be->topics[i]->id.b, id.b, sizeof id.b) == 0) {
            fill_info(be->topics[i], out);
            return 0;
        }
    }
    return KGW_ENOTFOUND;
}

int emb_list_topics(kgw_backend_t *b, int (*fn)(void *arg, const kgw_topic_info_t *t), void *arg) {
    emb_t *be = (emb_t *)b;
    for (size_t i = 0; i < be->ntopics; i++) {
        kgw_topic_info_t info;
        fill_info(be->topics[i], &info);
        if (fn(arg, &info) != 0)
            break;
    }
    return 0;
}

int emb_set_topic_config(kgw_backend_t *b, const char *topic, const char *key, const char *value) {
    emb_t *be = (emb_t *)b;
    emb_topic_t *t = emb_topic_find(be, topic);
    if (!t)
        return KGW_ENOTFOUND;
    if (!key || !*key)
        return KGW_EINVAL;
    int rc = check_cfg(key, value);
    if (rc < 0)
        return rc;
    /* Applied only once durable, so a failed write changes nothing. */
    emb_topic_t copy = *t;
    copy.cfgs = NULL;
    copy.ncfgs = 0;
    for (size_t i = 0; rc == 0 && i < t->ncfgs; i++)
        rc = set_cfg(&copy, t->cfgs[i].key, t->cfgs[i].value);
    if (rc == 0)
        rc = set_cfg(&copy, key, value);
    if (rc == 0)
        rc = emb_meta_write_topic(be, &copy);
    if (rc < 0) {
        free_cfgs(&copy);
        return rc;
    }
    free_cfgs(t);
    t->cfgs = copy.cfgs;
    t->ncfgs = copy.ncfgs;
    for (int32_t i = 0; i < t->nparts; i++)
        emb_part_apply_configs(be, t, t->parts[i]);
    return 0;
}

int emb_list_topic_configs(kgw_backend_t *b, const char *topic,
                           int (*fn)(void *arg, const kgw_config_entry_t *e), void *arg) {
    emb_topic_t *t = emb_topic_find((emb_t *)b, topic);
    if (!t)
        return KGW_ENOTFOUND;
    for (size_t i = 0; i < t->ncfgs; i++) {
        kgw_config_entry_t e = {t->cfgs[i].key, t->cfgs[i].value};
        if (fn(arg, &e) != 0)
            break;
    }
    return 0;
}

/* Reads every topic's metadata into the table, no partition open yet. */
static int read_topics(emb_t *be, char *err, size_t errlen) {
    char dir[4352];
    snprintf(dir, sizeof dir, "%s/%s", emb_meta_dir(be), EMB_TOPICS_DIR);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return KGW_EIO;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
            continue;
        char path[4608];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        emb_topic_t *t = calloc(1, sizeof *t);
        if (!t) {
            rc = KGW_ENOMEM;
            break;
        }
        if ((rc = emb_meta_read_topic(path, t)) < 0) {
            snprintf(err, errlen, "%s: unreadable topic metadata", path);
            free_cfgs(t);
            free(t);
            break;
        }
        t->internal = is_internal(t->name);
        if (emb_topic_find(be, t->name) ||
            !(t->parts = calloc((size_t)t->nparts, sizeof *t->parts))) {
            rc = t->parts ? KGW_EIO : KGW_ENOMEM;
            topic_free(t);
            break;
        }
        if ((rc = insert_topic(be, t)) < 0) {
            topic_free(t);
            break;
        }
    }
    closedir(d);
    return rc;
}

/* Which dir holds partition `index` of topic: 1 with *where set, 0 if none
 * does, or an error if two do (which copy is current cannot be told). */
static int locate(emb_t *be, const char *topic, int32_t index, size_t *where, char *err,
                  size_t errlen) {
    int found = 0;
    for (size_t d = 0; d < be->dirs.n; d++) {
        char *path = emb_part_path(be->dirs.v[d], topic, index);
        if (!path)
            return KGW_ENOMEM;
        bool here = is_dir(path);
        free(path);
        if (here && found) {
            snprintf(err, errlen, "partition %s-%d is in two log dirs: %s/%s-%d and %s/%s-%d",
                     topic, (int)index, be->dirs.v[*where], topic, (int)index, be->dirs.v[d], topic,
                     (int)index);
            return KGW_EINVAL;
        }
        if (here) {
            found = 1;
            *where = d;
        }
    }
    return found;
}

/* Opens the partitions that have a directory, where it is. */
static int open_existing_parts(emb_t *be, emb_topic_t *t, char *err, size_t errlen) {
    for (int32_t i = 0; i < t->nparts; i++) {
        size_t d = 0;
        int rc = locate(be, t->name, i, &d, err, errlen);
        if (rc == 1 && (rc = emb_part_open(be, t, i, d, &t->parts[i])) < 0)
            snprintf(err, errlen, "%s/%s-%d: cannot open the partition log", be->dirs.v[d], t->name,
                     (int)i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int emb_topics_load(emb_t *be, char *err, size_t errlen) {
    int rc = read_topics(be, err, errlen);
    for (size_t i = 0; rc == 0 && i < be->ntopics; i++)
        rc = open_existing_parts(be, be->topics[i], err, errlen);
    /* Placed only once every existing partition counts for the loads. */
    for (size_t i = 0; rc == 0 && i < be->ntopics; i++)
        rc = open_new_parts(be, be->topics[i], 0, be->topics[i]->nparts);
    return rc;
}
