/* A single-broker librdkafka mock cluster, the reference point for kgw_bench.
 *
 * usage: mock_cluster [topic[:partitions]]...
 *
 * Prints the bootstrap servers on one line on stdout, then runs until SIGTERM/SIGINT or until
 * stdin reaches end of file (so a parent that dies does not leave it behind). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

int main(int argc, char **argv) {
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the mock cluster; keep it quiet and away from any real broker. */
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "mock_cluster: %s\n", errstr);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "mock_cluster: rd_kafka_new: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
    if (!mc) {
        fprintf(stderr, "mock_cluster: rd_kafka_mock_cluster_new failed\n");
        rd_kafka_destroy(rk);
        return 1;
    }

    for (int i = 1; i < argc; i++) {
        char name[256];
        int partitions = 1;
        const char *colon = strrchr(argv[i], ':');
        size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
        if (len == 0 || len >= sizeof(name)) {
            fprintf(stderr, "mock_cluster: bad topic '%s'\n", argv[i]);
            return 2;
        }
        memcpy(name, argv[i], len);
        name[len] = '\0';
        if (colon) {
            partitions = atoi(colon + 1);
            if (partitions <= 0) {
                fprintf(stderr, "mock_cluster: bad partition count in '%s'\n", argv[i]);
                return 2;
            }
        }
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, 1);
        if (err) {
            fprintf(stderr, "mock_cluster: topic %s: %s\n", name, rd_kafka_err2str(err));
            return 1;
        }
    }

    /* No SA_RESTART: the blocking read below must return EINTR so the flag is seen. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    char buf[256];
    while (!stop_requested) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            break;
    }

    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
