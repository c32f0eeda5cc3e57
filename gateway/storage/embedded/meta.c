/* Files of the embedded backend outside the partition logs: one JSON file
 * per topic under __kgw_topics, the producer id reservation (both in the
 * first log dir), and directory helpers. Every file is replaced atomically (temporary file, fsync,
 * rename, fsync of the directory) so a crash leaves the old or the new version. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

int emb_fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

int emb_write_file_atomic(const char *dir, const char *name, const void *data, size_t len) {
    char tmp[4352], dst[4352];
    /* A fixed temporary name: the loop thread is the only writer, and a
     * topic name of 249 characters plus a suffix would pass NAME_MAX. */
    if (snprintf(tmp, sizeof tmp, "%s/.tmp", dir) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst)
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    const uint8_t *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int rc = -errno;
            close(fd);
            unlink(tmp);
            return rc;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) < 0) {
        int rc = -errno;
        close(fd);
        unlink(tmp);
        return rc;
    }
    close(fd);
    if (rename(tmp, dst) < 0) {
        int rc = -errno;
        unlink(tmp);
        return rc;
    }
    return emb_fsync_dir(dir);
}

int emb_mkdirs(const char *path) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        buf[i] = c;
    }
    return 0;
}

static int remove_at(int dfd, const char *name);

static int remove_contents(int fd) {
    DIR *d = fdopendir(fd);
    if (!d) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int r = remove_at(dirfd(d), de->d_name);
        if (r < 0 && rc == 0)
            rc = r;
    }
    closedir(d);
    return rc;
}

static int remove_at(int dfd, const char *name) {
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -errno;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = remove_contents(fd);
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && rc == 0)
        rc = -errno;
    return rc;
}

int emb_remove_tree(const char *path) {
    return remove_at(AT_FDCWD, path);
}

static void remove_deleted_in(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name), sn = strlen(EMB_DELETE_SUFFIX);
        if (n > sn && strcmp(de->d_name + n - sn, EMB_DELETE_SUFFIX) == 0)
            remove_at(dirfd(d), de->d_name);
    }
    closedir(d);
}

/* Directories renamed for deletion by a delete that did not finish. */
void emb_remove_deleted_dirs(emb_t *be) {
    for (size_t i = 0; i < be->dirs.n; i++)
        remove_deleted_in(be->dirs.v[i]);
}

static void uuid_hex(const kafka_uuid_t *id, char out[33]) {
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", id->b[i]);
}

static int uuid_parse_hex(const char *s, kafka_uuid_t *id) {
    if (!s || strlen(s) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        id->b[i] = (uint8_t)v;
    }
    return 0;
}

static char *topic_file_name(const char *topic) {
    size_t n = strlen(topic) + sizeof ".json";
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s.json", topic);
    return s;
}

int emb_meta_write_topic(emb_t *be, const emb_topic_t *t) {
    char idhex[33];
    uuid_hex(&t->id, idhex);
    json_t *cfgs = json_array();
    for (size_t i = 0; cfgs && i < t->ncfgs; i++)
        json_array_append_new(cfgs, json_pack("[ss]", t->cfgs[i].key, t->cfgs[i].value));
    json_t *o = json_pack("{s:i,s:s,s:s,s:I,s:o}", "version", 1, "name", t->name, "id", idhex,
                          "partitions", (json_int_t)t->nparts, "configs", cfgs);
    if (!o)
        return KGW_ENOMEM;
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char dir[4352];
    snprintf(dir, sizeof dir, "%s/%s", emb_meta_dir(be), EMB_TOPICS_DIR);
    char *name = topic_file_name(t->name);
    int rc = text && name ? emb_write_file_atomic(dir, name, text, strlen(text)) : KGW_ENOMEM;
    free(text);
    free(name);
    return rc < 0 && rc != KGW_ENOMEM ? KGW_EIO : rc;
}

int emb_meta_remove_topic(emb_t *be, const char *topic) {
    char dir[4352], path[4608];
    snprintf(dir, sizeof dir, "%s/%s", emb_meta_dir(be), EMB_TOPICS_DIR);
    snprintf(path, sizeof path, "%s/%s.json", dir, topic);
    if (unlink(path) < 0 && errno != ENOENT)
        return KGW_EIO;
    return emb_fsync_dir(dir) < 0 ? KGW_EIO : 0;
}

int emb_meta_read_topic(const char *path, emb_topic_t *t) {
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    if (!o)
        return KGW_EIO;
    const char *name = NULL, *idhex = NULL;
    json_int_t parts = 0;
    json_t *cfgs = NULL;
    int rc = KGW_EIO;
    if (json_unpack(o, "{s:s,s:s,s:I,s:o}", "name", &name, "id", &idhex, "partitions", &parts,
                    "configs", &cfgs) != 0 ||
        !emb_topic_name_valid(name) || uuid_parse_hex(idhex, &t->id) < 0 || parts < 1 ||
        parts > INT32_MAX || !json_is_array(cfgs))
        goto out;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->nparts = (int32_t)parts;
    size_t n = json_array_size(cfgs);
    t->cfgs = n ? calloc(n, sizeof *t->cfgs) : NULL;
    if (n && !t->cfgs) {
        rc = KGW_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *k, *v;
        if (json_unpack(json_array_get(cfgs, i), "[ss]", &k, &v) != 0)
            goto out;
        t->cfgs[i].key = strdup(k);
        t->cfgs[i].value = strdup(v);
        t->ncfgs = i + 1;
        if (!t->cfgs[i].key || !t->cfgs[i].value) {
            rc = KGW_ENOMEM;
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

/* The file holds the first id not yet reserved; ids below it may have been
 * handed out, so a restart continues from it and never reuses one. */
int emb_pid_load(emb_t *be) {
    char path[4352];
    snprintf(path, sizeof path, "%s/%s", emb_meta_dir(be), EMB_PRODUCER_IDS_FILE);
    FILE *f = fopen(path, "r");
    int64_t next = 0;
    if (f) {
        if (fscanf(f, "next_block=%" SCNd64, &next) != 1 || next < 0) {
            fclose(f);
            return KGW_EIO;
        }
        fclose(f);
    } else if (errno != ENOENT) {
        return KGW_EIO;
    }
    be->next_pid = next;
    be->pid_limit = next;
    return 0;
}

int emb_allocate_producer_id(kgw_backend_t *b, int64_t *producer_id) {
    emb_t *be = (emb_t *)b;
    if (be->next_pid >= be->pid_limit) {
        char text[64];
        int64_t limit = be->pid_limit + EMB_PRODUCER_ID_BLOCK;
        int n = snprintf(text, sizeof text, "next_block=%" PRId64 "\n", limit);
        if (emb_write_file_atomic(emb_meta_dir(be), EMB_PRODUCER_IDS_FILE, text, (size_t)n) < 0)
            return KGW_EIO;
        be->pid_limit = limit;
    }
    *producer_id = be->next_pid++;
    return 0;
}
