/* The data directory's own files: created on first start, locked against a
 * second server, and meta.properties holding the cluster id (generated once,
 * like Kafka's: 16 random bytes in unpadded base64url, 22 characters). */
#ifndef KGW_DATADIR_H
#define KGW_DATADIR_H

#include <stddef.h>
#include <stdint.h>

typedef struct kgw_datadir {
    int lock_fd;
    char cluster_id[32];
} kgw_datadir_t;

/* Creates dir (and parents) if missing, takes the lock, reads or writes
 * meta.properties. 0, or -1 with a message in err. */
int kgw_datadir_open(kgw_datadir_t *d, const char *dir, int32_t node_id, char *err, size_t errlen);
void kgw_datadir_close(kgw_datadir_t *d);

/* 16 random bytes as 22 base64url characters plus NUL (out has >= 23 bytes). */
int kgw_cluster_id_generate(char *out);

#endif
