/* log.dirs as a list, as Kafka reads it: comma-separated directories, each
 * created if missing and named by its canonical absolute path, so one
 * directory listed twice (also as "d" and "./d") is caught. Shared by the
 * data-directory check at start-up and the embedded backend. */
#ifndef KGW_LOG_DIRS_H
#define KGW_LOG_DIRS_H

#include <stddef.h>

typedef struct kgw_log_dirs {
    char **v; /* canonical absolute paths, in the order listed */
    size_t n;
} kgw_log_dirs_t;

/* Splits list (entries trimmed; an empty entry is an error), creates every
 * directory and its parents, and resolves each to its canonical path. A
 * directory named twice is an error. 0, or -1 with a message in err. */
int kgw_log_dirs_open(kgw_log_dirs_t *d, const char *list, char *err, size_t errlen);
void kgw_log_dirs_free(kgw_log_dirs_t *d);

#endif
