/* Sparse offset index and time index: in-memory arrays mirrored by
 * append-only files of fixed-size big-endian entries. */
#include "log_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Reads the whole file; 1 when its size is not a multiple of the entry. */
static int slurp(int fd, size_t entry, uint8_t **buf, size_t *n) {
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    *buf = NULL;
    *n = 0;
    if (st.st_size % (off_t)entry != 0)
        return 1;
    if (st.st_size == 0)
        return 0;
    *buf = malloc((size_t)st.st_size);
    if (!*buf)
        return -ENOMEM;
    int rc = kgw_pread_full(fd, *buf, (size_t)st.st_size, 0);
    if (rc < 0) {
        free(*buf);
        *buf = NULL;
        return rc == KGW_LOG_ECORRUPT ? 1 : rc;
    }
    *n = (size_t)st.st_size / entry;
    return 0;
}

int kgw_oindex_load(kgw_oindex_t *ix) {
    uint8_t *buf;
    size_t n;
    ix->n = 0;
    int rc = slurp(ix->fd, KGW_OIDX_ENTRY, &buf, &n);
    if (rc != 0)
        return rc;
    rc = grow((void **)&ix->e, &ix->cap, n, sizeof *ix->e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        kgw_oidx_entry_t e = {kgw_be32(buf + i * 8), kgw_be32(buf + i * 8 + 4)};
        /* Entries must strictly increase in both fields, or the binary
         * search and the scan that follows it are meaningless. */
        if (i > 0 && (e.rel <= ix->e[i - 1].rel || e.pos <= ix->e[i - 1].pos)) {
            rc = 1;
            break;
        }
        ix->e[i] = e;
        ix->n = i + 1;
    }
    free(buf);
    return rc;
}

int kgw_oindex_append(kgw_oindex_t *ix, uint32_t rel, uint32_t pos) {
    int rc = grow((void **)&ix->e, &ix->cap, ix->n + 1, sizeof *ix->e);
    if (rc < 0)
        return rc;
    uint8_t b[KGW_OIDX_ENTRY];
    kgw_put_be32(b, rel);
    kgw_put_be32(b + 4, pos);
    rc = kgw_pwrite_full(ix->fd, b, sizeof b, (off_t)(ix->n * KGW_OIDX_ENTRY));
    if (rc < 0)
        return rc;
    ix->e[ix->n++] = (kgw_oidx_entry_t){rel, pos};
    return 0;
}

int kgw_oindex_truncate(kgw_oindex_t *ix, size_t n) {
    if (n < ix->n)
        ix->n = n;
    if (ftruncate(ix->fd, (off_t)(ix->n * KGW_OIDX_ENTRY)) < 0)
        return -errno;
    return 0;
}

ssize_t kgw_oindex_floor(const kgw_oindex_t *ix, uint32_t target) {
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->e[mid].rel <= target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ssize_t)lo - 1;
}

int kgw_tindex_load(kgw_tindex_t *ix) {
    uint8_t *buf;
    size_t n;
    ix->n = 0;
    int rc = slurp(ix->fd, KGW_TIDX_ENTRY, &buf, &n);
    if (rc != 0)
        return rc;
    rc = grow((void **)&ix->e, &ix->cap, n, sizeof *ix->e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        kgw_tidx_entry_t e = {(int64_t)kgw_be64(buf + i * 12), kgw_be32(buf + i * 12 + 8)};
        if (i > 0 && (e.ts <= ix->e[i - 1].ts || e.rel <= ix->e[i - 1].rel)) {
            rc = 1;
            break;
        }
        ix->e[i] = e;
        ix->n = i + 1;
    }
    free(buf);
    return rc;
}

int kgw_tindex_append(kgw_tindex_t *ix, int64_t ts, uint32_t rel) {
    int rc = grow((void **)&ix->e, &ix->cap, ix->n + 1, sizeof *ix->e);
    if (rc < 0)
        return rc;
    uint8_t b[KGW_TIDX_ENTRY];
    kgw_put_be64(b, (uint64_t)ts);
    kgw_put_be32(b + 8, rel);
    rc = kgw_pwrite_full(ix->fd, b, sizeof b, (off_t)(ix->n * KGW_TIDX_ENTRY));
    if (rc < 0)
        return rc;
    ix->e[ix->n++] = (kgw_tidx_entry_t){ts, rel};
    return 0;
}

int kgw_tindex_truncate(kgw_tindex_t *ix, size_t n) {
    if (n < ix->n)
        ix->n = n;
    if (ftruncate(ix->fd, (off_t)(ix->n * KGW_TIDX_ENTRY)) < 0)
        return -errno;
    return 0;
}

ssize_t kgw_tindex_below(const kgw_tindex_t *ix, int64_t target) {
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->e[mid].ts < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ssize_t)lo - 1;
}
