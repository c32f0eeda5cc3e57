#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"

int kgw_cluster_id_generate(char *out) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t b[18] = {0};
    size_t got = 0;
    while (got < 16) {
        ssize_t r = getrandom(b + got, 16 - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        got += (size_t)r;
    }
    /* 16 bytes = 5 full groups of 3 plus one byte: 20 + 2 characters. */
    size_t o = 0;
    for (size_t i = 0; i < 18; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        if (o < 22)
            out[o++] = alphabet[v >> 6 & 63];
        if (o < 22)
            out[o++] = alphabet[v & 63];
    }
    out[22] = '\0';
    return 0;
}

static int write_meta(const char *dir, const char *cluster_id, int32_t node_id, char *err,
                      size_t errlen) {
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof tmp, "%s/meta.properties.tmp", dir);
    snprintf(path, sizeof path, "%s/meta.properties", dir);
    char body[256];
    int n = snprintf(body, sizeof body, "#\n#kgw\nversion=1\ncluster.id=%s\nnode.id=%" PRId32 "\n",
                     cluster_id, node_id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        kgw_errbuf_set(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    /* Written, synced and renamed so a crash never leaves a half file. */
    if (write(fd, body, (size_t)n) != n || fsync(fd) < 0) {
        kgw_errbuf_set(err, errlen, "%s: %s", tmp, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        kgw_errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static bool valid_cluster_id(const char *s) {
    if (strlen(s) != 22)
        return false;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

static int read_meta(const char *dir, int32_t node_id, char *cluster_id, char *err, size_t errlen) {
    char path[4200];
    snprintf(path, sizeof path, "%s/meta.properties", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errno == ENOENT)
            return 1;
        kgw_errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    char found[512] = "";
    long stored_node = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "cluster.id=", 11) == 0)
            snprintf(found, sizeof found, "%s", line + 11);
        else if (strncmp(line, "node.id=", 8) == 0)
            stored_node = strtol(line + 8, NULL, 10);
    }
    fclose(f);
    if (!valid_cluster_id(found)) {
        kgw_errbuf_set(err, errlen, "%s: missing or malformed cluster.id", path);
        return -1;
    }
    if (stored_node >= 0 && stored_node != node_id) {
        kgw_errbuf_set(err, errlen, "%s: stored node.id %ld does not match node.id %" PRId32, path,
                       stored_node, node_id);
        return -1;
    }
    memcpy(cluster_id, found, 23);
    return 0;
}

static int lock_dir(const char *dir, int *fd, char *err, size_t errlen) {
    char lock[4200];
    snprintf(lock, sizeof lock, "%s/.kgw-meta.lock", dir);
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0) {
        kgw_errbuf_set(err, errlen, "%s: %s", lock, strerror(errno));
        return -1;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
        kgw_errbuf_set(err, errlen, "log.dirs %s is in use by another kgw process", dir);
        return -1;
    }
    return 0;
}

/* Reads every dir's meta.properties: all that have one must name the same
 * cluster (as Kafka refuses dirs of different clusters); have[i] says which
 * do. Returns 1 when none has one yet. */
static int read_metas(kgw_datadir_t *d, int32_t node_id, bool *have, char *err, size_t errlen) {
    size_t first = d->dirs.n;
    for (size_t i = 0; i < d->dirs.n; i++) {
        char id[32];
        int rc = read_meta(d->dirs.v[i], node_id, id, err, errlen);
        if (rc < 0)
            return -1;
        have[i] = rc == 0;
        if (!have[i])
            continue;
        if (first == d->dirs.n) {
            first = i;
            memcpy(d->cluster_id, id, sizeof d->cluster_id);
        } else if (strcmp(id, d->cluster_id) != 0) {
            kgw_errbuf_set(
                err, errlen,
                "log.dirs %s: meta.properties has cluster.id %s, but %s has cluster.id %s",
                d->dirs.v[i], id, d->dirs.v[first], d->cluster_id);
            return -1;
        }
    }
    return first == d->dirs.n ? 1 : 0;
}

int kgw_datadir_open(kgw_datadir_t *d, const char *dirs, int32_t node_id, char *err,
                     size_t errlen) {
    memset(d, 0, sizeof *d);
    if (kgw_log_dirs_open(&d->dirs, dirs, err, errlen) < 0)
        return -1;
    bool *have = calloc(d->dirs.n, sizeof *have);
    d->lock_fds = malloc(d->dirs.n * sizeof *d->lock_fds);
    for (size_t i = 0; d->lock_fds && i < d->dirs.n; i++)
        d->lock_fds[i] = -1;
    if (!have || !d->lock_fds) {
        kgw_errbuf_set(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < d->dirs.n; i++) {
        if (lock_dir(d->dirs.v[i], &d->lock_fds[i], err, errlen) < 0)
            goto fail;
    }
    int rc = read_metas(d, node_id, have, err, errlen);
    if (rc < 0)
        goto fail;
    if (rc == 1 && kgw_cluster_id_generate(d->cluster_id) < 0) {
        kgw_errbuf_set(err, errlen, "cannot get random bytes for the cluster id");
        goto fail;
    }
    /* A dir added to the list (or a fresh start) gets the cluster's id. */
    for (size_t i = 0; i < d->dirs.n; i++) {
        if (!have[i] && write_meta(d->dirs.v[i], d->cluster_id, node_id, err, errlen) < 0)
            goto fail;
    }
    free(have);
    return 0;
fail:
    free(have);
    kgw_datadir_close(d);
    return -1;
}

void kgw_datadir_close(kgw_datadir_t *d) {
    for (size_t i = 0; d->lock_fds && i < d->dirs.n; i++) {
        if (d->lock_fds[i] >= 0)
            close(d->lock_fds[i]);
    }
    free(d->lock_fds);
    d->lock_fds = NULL;
    kgw_log_dirs_free(&d->dirs);
}
