/* The embedded backend: topics as directories of partition logs
 * (storage/log) under log.dirs, appends on an I/O thread with group commit. */
#ifndef KGW_EMBEDDED_H
#define KGW_EMBEDDED_H

#include <uv.h>

#include "../../config.h"
#include "../backend.h"

/* Opens (recovering) the data directory config->log_dirs. The backend posts
 * its callbacks to loop. 0 or a negative KGW_E* / -errno. */
int kgw_embedded_open(kgw_backend_t **out, uv_loop_t *loop, const kgw_config_t *config);

#endif
