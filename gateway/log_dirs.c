#include "log_dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errbuf.h"

static int mkdir_p(const char *dir) {
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return -ENAMETOOLONG;
    memcpy(path, dir, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -errno;
    struct stat st;
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The entry starting at *s, trimmed, as a new string; *s moves past it. */
static char *next_entry(const char **s) {
    const char *p = *s;
    size_t n = strcspn(p, ",");
    *s = p[n] == ',' ? p + n + 1 : p + n;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return strndup(p, n);
}

static int add(kgw_log_dirs_t *d, char *path) {
    char **v = realloc(d->v, (d->n + 1) * sizeof *v);
    if (!v)
        return -1;
    d->v = v;
    d->v[d->n++] = path;
    return 0;
}

/* Creates one listed directory and adds its canonical path. */
static int open_one(kgw_log_dirs_t *d, const char *entry, char *err, size_t errlen) {
    int rc = mkdir_p(entry);
    if (rc < 0) {
        kgw_errbuf_set(err, errlen, "log.dirs %s: %s", entry, strerror(-rc));
        return -1;
    }
    char *canon = realpath(entry, NULL);
    if (!canon) {
        kgw_errbuf_set(err, errlen, "log.dirs %s: %s", entry, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->v[i], canon) == 0) {
            /* Kafka refuses duplicates too: two logs would share one dir. */
            kgw_errbuf_set(err, errlen, "log.dirs lists %s more than once", canon);
            free(canon);
            return -1;
        }
    }
    if (add(d, canon) < 0) {
        free(canon);
        kgw_errbuf_set(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int kgw_log_dirs_open(kgw_log_dirs_t *d, const char *list, char *err, size_t errlen) {
    d->v = NULL;
    d->n = 0;
    const char *s = list;
    do {
        char *entry = next_entry(&s);
        if (!entry) {
            kgw_errbuf_set(err, errlen, "out of memory");
            goto fail;
        }
        if (entry[0] == '\0') {
            kgw_errbuf_set(err, errlen, "log.dirs '%s': empty entry", list);
            free(entry);
            goto fail;
        }
        int rc = open_one(d, entry, err, errlen);
        free(entry);
        if (rc < 0)
            goto fail;
    } while (*s || s[-1] == ',');
    return 0;
fail:
    kgw_log_dirs_free(d);
    return -1;
}

void kgw_log_dirs_free(kgw_log_dirs_t *d) {
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}
