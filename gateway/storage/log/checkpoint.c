/* Small files of a partition directory replaced atomically (write, fsync,
 * rename, fsync directory): the log start offset moved by DeleteRecords,
 * the cleaner's first dirty offset, and compaction's swap plan. */
#include "log_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECKPOINT "log-start-offset.checkpoint"
#define CLEAN_CHECKPOINT "cleaner-offset.checkpoint"

int kgw_file_replace(int dir_fd, const char *name, const void *data, size_t len) {
    char tmp[128];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", name) >= sizeof tmp)
        return -ENAMETOOLONG;
    int fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int rc = kgw_pwrite_full(fd, data, len, 0);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    close(fd);
    if (rc == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
        rc = -errno;
    if (rc == 0 && fsync(dir_fd) < 0)
        rc = -errno;
    return rc;
}

int kgw_file_read(int dir_fd, const char *name, char **out, size_t *len) {
    *out = NULL;
    *len = 0;
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : -errno;
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
    } else if (st.st_size > (1 << 26)) {
        rc = KGW_LOG_ECORRUPT; /* none of these files grows anywhere near this */
    } else if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = -ENOMEM;
    } else if ((rc = kgw_pread_full(fd, buf, (size_t)st.st_size, 0)) == 0) {
        buf[st.st_size] = '\0';
        *out = buf;
        *len = (size_t)st.st_size;
        buf = NULL;
    }
    free(buf);
    close(fd);
    return rc;
}

/* One decimal offset and a newline; 0 when the file does not exist. */
static int offset_read(int dir_fd, const char *name, int64_t *v) {
    *v = 0;
    char *buf;
    size_t len;
    int rc = kgw_file_read(dir_fd, name, &buf, &len);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    char *end;
    errno = 0;
    long long n = strtoll(buf, &end, 10);
    bool ok = errno == 0 && end != buf && *end == '\n' && n >= 0;
    free(buf);
    if (!ok)
        return KGW_LOG_ECORRUPT;
    *v = n;
    return 0;
}

static int offset_write(int dir_fd, const char *name, int64_t v) {
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%" PRId64 "\n", v);
    return kgw_file_replace(dir_fd, name, buf, (size_t)len);
}

int kgw_checkpoint_read(int dir_fd, int64_t *log_start) {
    return offset_read(dir_fd, CHECKPOINT, log_start);
}

int kgw_checkpoint_write(int dir_fd, int64_t log_start) {
    return offset_write(dir_fd, CHECKPOINT, log_start);
}

int kgw_clean_checkpoint_read(int dir_fd, int64_t *offset) {
    return offset_read(dir_fd, CLEAN_CHECKPOINT, offset);
}

int kgw_clean_checkpoint_write(int dir_fd, int64_t offset) {
    return offset_write(dir_fd, CLEAN_CHECKPOINT, offset);
}
