/* One segment: a .log file of batches plus its two sparse indexes. */
#include "log_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kgw_pread_full(int fd, void *buf, size_t len, off_t pos) {
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = pread(fd, p, len, pos);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return KGW_LOG_ECORRUPT; /* file shorter than its metadata says */
        p += r;
        len -= (size_t)r;
        pos += r;
    }
    return 0;
}

int kgw_pwrite_full(int fd, const void *buf, size_t len, off_t pos) {
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = pwrite(fd, p, len, pos);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += r;
        len -= (size_t)r;
        pos += r;
    }
    return 0;
}

const char *const kgw_segment_exts[KGW_SEGMENT_FILES] = {".index", ".timeindex", ".log"};

void kgw_segment_file_name(char *out, size_t cap, int64_t base, size_t file, const char *suffix) {
    snprintf(out, cap, "%020" PRId64 "%s%s", base, kgw_segment_exts[file], suffix);
}

int kgw_dir_scan(int dir_fd, DIR **out) {
    /* A descriptor of its own: closedir closes it, and reading starts at
     * the first entry whoever read the directory before. */
    int fd = dup(dir_fd);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    rewinddir(d);
    *out = d;
    return 0;
}

static int open_file(int dir_fd, int64_t base, size_t file, const char *suffix, bool create) {
    char name[KGW_SEGMENT_NAME_MAX];
    kgw_segment_file_name(name, sizeof name, base, file, suffix);
    int flags = O_RDWR | O_CLOEXEC | O_CREAT | (create ? O_TRUNC : 0);
    int fd = openat(dir_fd, name, flags, 0644);
    return fd < 0 ? -errno : fd;
}

int kgw_segment_open(kgw_segment_t *s, int dir_fd, int64_t base, bool create) {
    return kgw_segment_open_as(s, dir_fd, base, "", create);
}

int kgw_segment_open_as(kgw_segment_t *s, int dir_fd, int64_t base, const char *suffix,
                        bool create) {
    memset(s, 0, sizeof *s);
    s->base = base;
    s->log_fd = s->oidx.fd = s->tidx.fd = -1;
    s->next_offset = base;
    s->max_ts = -1;
    s->first_ts = -1;
    int fd = open_file(dir_fd, base, KGW_SEGMENT_LOG, suffix, create);
    if (fd < 0)
        return fd;
    s->log_fd = fd;
    fd = open_file(dir_fd, base, KGW_SEGMENT_INDEX, suffix, create);
    if (fd < 0)
        goto fail;
    s->oidx.fd = fd;
    fd = open_file(dir_fd, base, KGW_SEGMENT_TIMEINDEX, suffix, create);
    if (fd < 0)
        goto fail;
    s->tidx.fd = fd;
    struct stat st;
    if (fstat(s->log_fd, &st) < 0) {
        fd = -errno;
        goto fail;
    }
    s->size = st.st_size;
    /* Bytes already in the file at open count as flushed: an earlier run
     * either synced them or recovery has just accepted them. */
    s->flushed_size = s->size;
    return 0;
fail:
    kgw_segment_close(s);
    return fd;
}

void kgw_segment_close(kgw_segment_t *s) {
    if (s->log_fd >= 0)
        close(s->log_fd);
    if (s->oidx.fd >= 0)
        close(s->oidx.fd);
    if (s->tidx.fd >= 0)
        close(s->tidx.fd);
    s->log_fd = s->oidx.fd = s->tidx.fd = -1;
    free(s->oidx.e);
    free(s->tidx.e);
    s->oidx.e = NULL;
    s->tidx.e = NULL;
    s->oidx.n = s->oidx.cap = s->tidx.n = s->tidx.cap = 0;
}

int kgw_segment_remove(kgw_segment_t *s, int dir_fd) {
    kgw_segment_close(s);
    return kgw_segment_unlink(dir_fd, s->base, "");
}

int kgw_segment_unlink(int dir_fd, int64_t base, const char *suffix) {
    int rc = 0;
    /* The log first: an index left without its log is ignored, while a log
     * left without its index is recovered and reindexed. */
    for (size_t i = KGW_SEGMENT_FILES; i-- > 0;) {
        char name[KGW_SEGMENT_NAME_MAX];
        kgw_segment_file_name(name, sizeof name, base, i, suffix);
        if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT && rc == 0)
            rc = -errno;
    }
    return rc;
}

int kgw_segment_note_batch(kgw_segment_t *s, int64_t pos, const kgw_batch_hdr_t *h,
                           int32_t interval) {
    uint32_t rel = (uint32_t)(h->base_offset - s->base);
    if (s->max_ts < h->max_timestamp)
        s->max_ts = h->max_timestamp;
    if (s->first_ts < 0 && s->next_offset == s->base)
        s->first_ts = h->max_timestamp;
    bool already = s->oidx.n > 0 && s->oidx.e[s->oidx.n - 1].pos == (uint32_t)pos;
    if (!already && (s->oidx.n == 0 || s->since_index >= interval)) {
        int rc = kgw_oindex_append(&s->oidx, rel, (uint32_t)pos);
        if (rc < 0)
            return rc;
        /* The time entry holds the maximum timestamp of every batch up to
         * and including this one, so a lookup may start here whenever that
         * maximum is below its target. */
        if (s->max_ts >= 0 && (s->tidx.n == 0 || s->tidx.e[s->tidx.n - 1].ts < s->max_ts)) {
            rc = kgw_tindex_append(&s->tidx, s->max_ts, rel);
            if (rc < 0)
                return rc;
        }
        s->since_index = 0;
    }
    s->since_index += (int64_t)h->total;
    s->next_offset = h->base_offset + h->last_offset_delta + 1;
    if (s->size < pos + (int64_t)h->total)
        s->size = pos + (int64_t)h->total;
    return 0;
}

int kgw_segment_write(kgw_segment_t *s, const uint8_t *batch, size_t len, int64_t base,
                      int32_t epoch) {
    uint8_t head[17];
    memcpy(head, batch, sizeof head);
    kgw_put_be64(head, (uint64_t)base);
    kgw_put_be32(head + 12, (uint32_t)epoch);
    int rc = kgw_pwrite_full(s->log_fd, head, sizeof head, (off_t)s->size);
    if (rc == 0)
        rc = kgw_pwrite_full(s->log_fd, batch + sizeof head, len - sizeof head,
                             (off_t)s->size + (off_t)sizeof head);
    if (rc < 0) {
        /* Leave no partial batch behind for the next append to follow. */
        if (ftruncate(s->log_fd, (off_t)s->size) < 0)
            return -errno;
    }
    return rc;
}

static int scan_from(kgw_segment_t *s, int64_t pos, int32_t max_batch, bool by_time, int64_t key,
                     int64_t min_offset, int64_t *out_pos, kgw_batch_hdr_t *h) {
    uint8_t hb[KGW_LOG_BATCH_HEADER_SIZE];
    while (pos + KGW_LOG_BATCH_HEADER_SIZE <= s->size) {
        int rc = kgw_pread_full(s->log_fd, hb, sizeof hb, (off_t)pos);
        if (rc < 0)
            return rc;
        rc = kgw_batch_parse(hb, sizeof hb, max_batch, h);
        if (rc < 0)
            return KGW_LOG_ECORRUPT;
        int64_t last = h->base_offset + h->last_offset_delta;
        bool hit = by_time ? h->max_timestamp >= key && last >= min_offset : last >= key;
        if (hit) {
            *out_pos = pos;
            return 0;
        }
        pos += (int64_t)h->total;
    }
    return 1;
}

int kgw_segment_find(kgw_segment_t *s, int64_t offset, int32_t max_batch, int64_t *pos,
                     kgw_batch_hdr_t *h) {
    int64_t start = 0;
    if (offset > s->base) {
        int64_t rel = offset - s->base;
        ssize_t i = kgw_oindex_floor(&s->oidx, rel > UINT32_MAX ? UINT32_MAX : (uint32_t)rel);
        if (i >= 0)
            start = s->oidx.e[i].pos;
    }
    return scan_from(s, start, max_batch, false, offset, offset, pos, h);
}

int kgw_segment_find_time(kgw_segment_t *s, int64_t ts, int64_t min_offset, int32_t max_batch,
                          int64_t *pos, kgw_batch_hdr_t *h) {
    if (s->max_ts < ts)
        return 1;
    int64_t start = 0;
    ssize_t t = kgw_tindex_below(&s->tidx, ts);
    if (t >= 0) {
        ssize_t i = kgw_oindex_floor(&s->oidx, s->tidx.e[t].rel);
        if (i >= 0)
            start = s->oidx.e[i].pos;
    }
    return scan_from(s, start, max_batch, true, ts, min_offset, pos, h);
}
