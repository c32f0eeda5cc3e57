/* Installing compacted segments so that a crash at any point leaves either
 * the old segments or the new ones.
 *
 * A pass writes each new segment as "<base>.{index,timeindex,log}.cleaned"
 * and syncs them; then it writes the plan ("cleaner-swap": the cleaner
 * checkpoint to set and, per group, the old bases the new segment replaces)
 * atomically. The plan is the commit point. The swap of a group unlinks its
 * later old segments, then renames the new files over the first one's, the
 * log last. After every group, the cleaner checkpoint is written and the plan
 * removed. Opening the log runs the plan again when it is still there (each
 * step is skipped when already done) and otherwise deletes any ".cleaned"
 * file, the remains of a pass that never committed. */
#include "log_internal.h"

#include "kafka/compress.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLAN "cleaner-swap"
#define PLAN_MAGIC "kgw-cleaner-swap 1"

static int putf(kafka_buf_t *b, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return kafka_buf_append(b, tmp, (size_t)n) ? -ENOMEM : 0;
}

int kgw_swap_plan_write(int dir_fd, const kgw_swap_plan_t *plan) {
    kafka_buf_t b = KAFKA_BUF_INIT;
    int rc = putf(&b, "%s\nclean %" PRId64 "\n", PLAN_MAGIC, plan->clean_offset);
    for (size_t g = 0; g < plan->ngroups && rc == 0; g++) {
        rc = putf(&b, "group");
        for (size_t i = 0; i < plan->groups[g].nolds && rc == 0; i++)
            rc = putf(&b, " %" PRId64, plan->groups[g].olds[i]);
        if (rc == 0)
            rc = putf(&b, "\n");
    }
    if (rc == 0)
        rc = putf(&b, "end\n");
    if (rc == 0)
        rc = kgw_file_replace(dir_fd, PLAN, b.ptr, b.len);
    kafka_buf_free(&b);
    return rc;
}

int kgw_swap_plan_remove(int dir_fd) {
    if (unlinkat(dir_fd, PLAN, 0) < 0)
        return errno == ENOENT ? 0 : -errno;
    /* Durably gone before any ".cleaned" file is deleted: a plan whose new
     * files are missing reads as a swap already done. */
    return fsync(dir_fd) < 0 ? -errno : 0;
}

void kgw_swap_plan_free(kgw_swap_plan_t *plan) {
    for (size_t g = 0; g < plan->ngroups; g++)
        free(plan->groups[g].olds);
    free(plan->groups);
    plan->groups = NULL;
    plan->ngroups = 0;
}

static bool read_i64(char **p, int64_t *v) {
    char *end;
    errno = 0;
    long long n = strtoll(*p, &end, 10);
    if (errno != 0 || end == *p || n < 0)
        return false;
    *v = n;
    *p = end;
    return true;
}

/* Strict: the file is written in one piece, so anything else is damage. */
static int plan_parse(char *s, kgw_swap_plan_t *plan) {
    memset(plan, 0, sizeof *plan);
    size_t ml = strlen(PLAN_MAGIC);
    if (strncmp(s, PLAN_MAGIC "\nclean ", ml + 7) != 0)
        return KGW_LOG_ECORRUPT;
    char *p = s + ml + 7;
    if (!read_i64(&p, &plan->clean_offset) || *p++ != '\n')
        return KGW_LOG_ECORRUPT;
    size_t cap = 0;
    while (strncmp(p, "group ", 6) == 0) {
        p += 5;
        if (plan->ngroups == cap) {
            cap = cap ? cap * 2 : 8;
            kgw_swap_group_t *ng = realloc(plan->groups, cap * sizeof *ng);
            if (!ng)
                return -ENOMEM;
            plan->groups = ng;
        }
        kgw_swap_group_t *g = &plan->groups[plan->ngroups++];
        *g = (kgw_swap_group_t){NULL, 0};
        size_t gcap = 0;
        while (*p == ' ') {
            p++;
            int64_t v;
            if (!read_i64(&p, &v) || (g->nolds > 0 && v <= g->olds[g->nolds - 1]))
                return KGW_LOG_ECORRUPT;
            if (g->nolds == gcap) {
                gcap = gcap ? gcap * 2 : 4;
                int64_t *no = realloc(g->olds, gcap * sizeof *no);
                if (!no)
                    return -ENOMEM;
                g->olds = no;
            }
            g->olds[g->nolds++] = v;
        }
        if (g->nolds == 0 || *p++ != '\n')
            return KGW_LOG_ECORRUPT;
    }
    return strcmp(p, "end\n") == 0 ? 0 : KGW_LOG_ECORRUPT;
}

static int exists(int dir_fd, int64_t base, size_t file, const char *suffix) {
    char name[KGW_SEGMENT_NAME_MAX];
    kgw_segment_file_name(name, sizeof name, base, file, suffix);
    if (faccessat(dir_fd, name, F_OK, 0) == 0)
        return 1;
    return errno == ENOENT ? 0 : -errno;
}

static int rename_in(int dir_fd, int64_t base, size_t file) {
    char from[KGW_SEGMENT_NAME_MAX], to[KGW_SEGMENT_NAME_MAX];
    kgw_segment_file_name(from, sizeof from, base, file, KGW_CLEANED_SUFFIX);
    kgw_segment_file_name(to, sizeof to, base, file, "");
    if (renameat(dir_fd, from, dir_fd, to) == 0)
        return 0;
    return errno == ENOENT ? 0 : -errno; /* renamed by an earlier run */
}

int kgw_swap_group_apply(int dir_fd, const kgw_swap_group_t *g, kgw_compact_hook_t hook,
                         void *arg) {
    int64_t base = g->olds[0];
    int have_old = exists(dir_fd, base, KGW_SEGMENT_LOG, "");
    int have_new = exists(dir_fd, base, KGW_SEGMENT_LOG, KGW_CLEANED_SUFFIX);
    if (have_old < 0)
        return have_old;
    if (have_new < 0)
        return have_new;
    if (!have_old) {
        /* Retention removed the group's first segment: before the swap, the
         * new files are dropped and the later old segments, still live,
         * stay; after it, there is nothing left to do. */
        if (!have_new)
            return 0;
        int rc = kgw_segment_unlink(dir_fd, base, KGW_CLEANED_SUFFIX);
        return rc < 0 ? rc : 1;
    }
    for (size_t i = 1; i < g->nolds; i++) {
        int rc = kgw_segment_unlink(dir_fd, g->olds[i], "");
        if (rc < 0)
            return rc;
    }
    if (hook && hook(KGW_COMPACT_AT_OLDS_REMOVED, arg))
        return -EINTR;
    for (size_t f = 0; f < KGW_SEGMENT_FILES; f++) {
        if (f == KGW_SEGMENT_LOG && hook && hook(KGW_COMPACT_AT_INDEX_SWAPPED, arg))
            return -EINTR;
        int rc = rename_in(dir_fd, base, f);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static bool stray(const char *name) {
    size_t n = strlen(name), sl = strlen(KGW_CLEANED_SUFFIX);
    return (n > sl && strcmp(name + n - sl, KGW_CLEANED_SUFFIX) == 0) ||
           strcmp(name, PLAN ".tmp") == 0 || strcmp(name, "cleaner-offset.checkpoint.tmp") == 0;
}

/* Files of passes that never committed. */
static int remove_strays(int dir_fd) {
    DIR *d;
    int rc = kgw_dir_scan(dir_fd, &d);
    if (rc < 0)
        return rc;
    bool removed = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!stray(de->d_name))
            continue;
        if (unlinkat(dir_fd, de->d_name, 0) < 0 && errno != ENOENT && rc == 0)
            rc = -errno;
        removed = true;
    }
    closedir(d);
    if (rc == 0 && removed && fsync(dir_fd) < 0)
        rc = -errno;
    return rc;
}

int kgw_swap_recover(int dir_fd, int64_t *clean_offset) {
    char *text;
    size_t len;
    int rc = kgw_file_read(dir_fd, PLAN, &text, &len);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        kgw_swap_plan_t plan;
        rc = plan_parse(text, &plan);
        free(text);
        bool all_in = true;
        for (size_t g = 0; g < plan.ngroups && rc == 0; g++) {
            rc = kgw_swap_group_apply(dir_fd, &plan.groups[g], NULL, NULL);
            if (rc == 1) {
                all_in = false;
                rc = 0;
            }
        }
        if (rc == 0 && fsync(dir_fd) < 0)
            rc = -errno;
        /* Without every group in, part of the range is still dirty. */
        if (rc == 0 && all_in)
            rc = kgw_clean_checkpoint_write(dir_fd, plan.clean_offset);
        if (rc == 0)
            rc = kgw_swap_plan_remove(dir_fd);
        kgw_swap_plan_free(&plan);
        if (rc < 0)
            return rc;
    }
    if ((rc = remove_strays(dir_fd)) < 0)
        return rc;
    return kgw_clean_checkpoint_read(dir_fd, clean_offset);
}
