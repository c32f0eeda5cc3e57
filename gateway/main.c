#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config.h"
#include "datadir.h"
#include "handlers/handlers.h"
#include "logging.h"
#include "server.h"
#include "storage/embedded/embedded.h"

#ifndef KGW_VERSION
#define KGW_VERSION "unknown"
#endif

/* Exit codes: 2 for a usage or configuration error, 1 for a failure to start. */
#define EXIT_USAGE 2

static void usage(FILE *out) {
    fprintf(out, "usage: kgw [server.properties] [--override key=value]...\n"
                 "       kgw --help | --version\n"
                 "\n"
                 "A Kafka-protocol server. Settings use Kafka's names, e.g.\n"
                 "  listeners=PLAINTEXT://127.0.0.1:9092   log.dirs=./data   num.partitions=1\n"
                 "  auto.create.topics.enable=true   log.retention.ms=604800000\n"
                 "  kgw.acks.all.fsync=true (fsync before acknowledging acks=all)\n"
                 "  kgw.log.level=info (error, warn, info, debug)\n"
                 "--override settings apply after the file, in order.\n");
}

static const char *backend_error(int rc) {
    switch (rc) {
    case KGW_ENOTFOUND:
        return "not found";
    case KGW_EEXISTS:
        return "already exists";
    case KGW_EINVAL:
        return "invalid contents";
    case KGW_EIO:
        return "storage I/O error (or the directory is in use)";
    case KGW_ENOMEM:
        return "out of memory";
    default:
        return rc < 0 && rc > -4096 ? strerror(-rc) : "unknown error";
    }
}

static bool stopped;

static void on_stopped(kgw_server_t *s) {
    stopped = true;
    uv_stop(s->loop);
}

int main(int argc, char **argv) {
    const char *file = NULL;
    kgw_config_t config;
    kgw_config_init(&config);
    char err[1024];

    /* Two passes: overrides apply after the file wherever they appear. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("kgw %s\n", KGW_VERSION);
            return 0;
        }
        if (strcmp(a, "--override") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "kgw: --override needs key=value\n");
                return EXIT_USAGE;
            }
            i++;
        } else if (strncmp(a, "--override=", 11) == 0) {
            continue;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "kgw: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "kgw: only one properties file may be given ('%s', '%s')\n", file, a);
            return EXIT_USAGE;
        }
    }
    if (file != NULL && kgw_config_load_file(&config, file, err, sizeof err) < 0) {
        fprintf(stderr, "kgw: configuration error: %s\n", err);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *o;
        if (strcmp(argv[i], "--override") == 0)
            o = argv[++i];
        else if (strncmp(argv[i], "--override=", 11) == 0)
            o = argv[i] + 11;
        else
            continue;
        const char *eq = strchr(o, '=');
        if (eq == NULL) {
            fprintf(stderr, "kgw: --override '%s': expected key=value\n", o);
            return EXIT_USAGE;
        }
        char key[256];
        size_t klen = (size_t)(eq - o);
        if (klen >= sizeof key)
            klen = sizeof key - 1;
        memcpy(key, o, klen);
        key[klen] = '\0';
        if (kgw_config_set(&config, key, eq + 1, err, sizeof err) < 0) {
            fprintf(stderr, "kgw: configuration error: --override %s\n", err);
            return EXIT_USAGE;
        }
    }
    kgw_logging_set_level(config.log_level);

    /* A client that disconnects mid-write must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    /* Fetch responses and appends use buffers of a megabyte or more per
     * request. glibc would map and unmap each one, so every request faulted
     * fresh pages in; keeping freed memory in the heap reuses warm pages. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    /* Every connection and every open segment is a descriptor: allow as many
     * as the hard limit permits. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }

    kgw_datadir_t datadir;
    if (kgw_datadir_open(&datadir, config.log_dirs, config.node_id, err, sizeof err) < 0) {
        kgw_error("%s", err);
        return 1;
    }

    uv_loop_t *loop = uv_default_loop();
    static kgw_server_t server;
    memset(&server, 0, sizeof server);
    snprintf(server.cluster_id, sizeof server.cluster_id, "%s", datadir.cluster_id);
    server.loop = loop;
    server.config = &config;
    server.on_stopped = on_stopped;

    kgw_backend_t *backend = NULL;
    int rc = kgw_embedded_open(&backend, loop, &config, err, sizeof err);
    if (rc < 0) {
        kgw_error("cannot open the embedded log in %s: %s", config.log_dirs,
                  err[0] ? err : backend_error(rc));
        return 1;
    }
    backend->on_data = kgw_data_handlers_on_data;
    backend->on_data_arg = &server;
    server.backend = backend;
    if (kgw_data_handlers_start(&server) < 0) {
        kgw_error("cannot start the data handlers");
        return 1;
    }
    if (kgw_server_start(&server, loop, &config, backend) < 0)
        return 1;
    /* Group state is loaded before the loop runs, so no request sees it half-built. */
    if (kgw_group_handlers_start(&server) < 0) {
        kgw_error("cannot start the group coordinator");
        return 1;
    }

    uv_run(loop, UV_RUN_DEFAULT);
    if (!stopped) {
        kgw_error("event loop ended unexpectedly");
        return 1;
    }
    if (backend != NULL && backend->ops->destroy != NULL)
        backend->ops->destroy(backend);
    kgw_datadir_close(&datadir);
    return 0;
}
