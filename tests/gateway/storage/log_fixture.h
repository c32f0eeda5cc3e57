/* What the log test programs share: a temporary partition directory and
 * (re)opening a log on it. Include after cmocka.h. */
#ifndef KGW_LOG_FIXTURE_H
#define KGW_LOG_FIXTURE_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"

static inline int lf_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* dir (at least 64 bytes) becomes a new /tmp/kgw-<name>-XXXXXX. */
static inline bool lf_make_dir(char *dir, const char *name) {
    snprintf(dir, 64, "/tmp/kgw-%s-XXXXXX", name);
    return mkdtemp(dir) != NULL;
}

static inline void lf_remove_dir(const char *dir) {
    nftw(dir, lf_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Close the log if *open, then open it again; fails the test on error. */
static inline void lf_reopen(kgw_log_t *log, bool *open, const char *dir,
                             const kgw_log_config_t *cfg) {
    if (*open)
        kgw_log_close(log);
    *open = false;
    int rc = kgw_log_open(log, dir, cfg);
    if (rc != 0)
        fail_msg("kgw_log_open: %s", kgw_log_strerror(rc));
    *open = true;
}

#endif
