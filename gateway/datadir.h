/* The data directories' own files: each dir of log.dirs is created on first
 * start, locked against a second server, and holds meta.properties with the
 * cluster id (generated once, like Kafka's: 16 random bytes in unpadded
 * base64url, 22 characters), the same in every dir. */
#ifndef KGW_DATADIR_H
#define KGW_DATADIR_H

#include <stddef.h>
#include <stdint.h>

#include "log_dirs.h"

typedef struct kgw_datadir {
    kgw_log_dirs_t dirs;
    int *lock_fds; /* one per dir, -1 when not taken */
    char cluster_id[32];
} kgw_datadir_t;

/* Opens every dir of the comma-separated list dirs (log.dirs): creates it
 * (and parents) if missing, takes its lock, reads meta.properties and writes
 * it where missing. Dirs whose cluster.id differ, or a stored node.id other
 * than node_id, are an error. 0, or -1 with a message in err. */
int kgw_datadir_open(kgw_datadir_t *d, const char *dirs, int32_t node_id, char *err, size_t errlen);
void kgw_datadir_close(kgw_datadir_t *d);

/* 16 random bytes as 22 base64url characters plus NUL (out has >= 23 bytes). */
int kgw_cluster_id_generate(char *out);

#endif
