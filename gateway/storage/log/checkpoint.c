/* The log start offset moved by DeleteRecords, kept in a one-line file
 * replaced atomically (write, fsync, rename, fsync directory). */
#include "log_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHECKPOINT "log-start-offset.checkpoint"
#define CHECKPOINT_TMP CHECKPOINT ".tmp"

int kgw_checkpoint_read(int dir_fd, int64_t *log_start) {
    *log_start = 0;
    int fd = openat(dir_fd, CHECKPOINT, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        return -err;
    buf[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\n' || v < 0)
        return KGW_LOG_ECORRUPT;
    *log_start = v;
    return 0;
}

int kgw_checkpoint_write(int dir_fd, int64_t log_start) {
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%" PRId64 "\n", log_start);
    int fd = openat(dir_fd, CHECKPOINT_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int rc = kgw_pwrite_full(fd, buf, (size_t)len, 0);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    close(fd);
    if (rc == 0 && renameat(dir_fd, CHECKPOINT_TMP, dir_fd, CHECKPOINT) < 0)
        rc = -errno;
    if (rc == 0 && fsync(dir_fd) < 0)
        rc = -errno;
    return rc;
}
