/*
 * kafka-mock: a Kafka-protocol broker for tests, backed by librdkafka's
 * mock cluster. Usage: kafka-mock [brokers]   (default 1)
 *
 * Prints "BOOTSTRAP host:port,..." once, then reads commands on stdin,
 * answering each with "OK" or "ERR <reason>":
 *   down <id> | up <id> | topic <name> <partitions> [replication]
 *   error <apiKey> <count> <errorCode> | rtt <id> <ms> | quit
 * EOF on stdin or SIGTERM/SIGINT destroys the cluster and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void reply(rd_kafka_resp_err_t err) {
        if (err)
                printf("ERR %s\n", rd_kafka_err2str(err));
        else
                printf("OK\n");
        fflush(stdout);
}

static void handle(rd_kafka_mock_cluster_t *mc, int brokers, char *line) {
        char cmd[32], name[256];
        long a, b, c;
        int n;

        if (sscanf(line, "%31s", cmd) != 1) {
                printf("ERR empty command\n");
        } else if (!strcmp(cmd, "down") && sscanf(line, "%*s %ld", &a) == 1) {
                reply(rd_kafka_mock_broker_set_down(mc, (int32_t)a));
        } else if (!strcmp(cmd, "up") && sscanf(line, "%*s %ld", &a) == 1) {
                reply(rd_kafka_mock_broker_set_up(mc, (int32_t)a));
        } else if (!strcmp(cmd, "topic") &&
                   (n = sscanf(line, "%*s %255s %ld %ld", name, &a, &b)) >= 2) {
                /* Replication defaults to 1 so topics work on any cluster size. */
                if (n < 3)
                        b = 1;
                if (a < 1 || b < 1 || b > brokers)
                        printf("ERR bad partitions/replication\n");
                else
                        reply(rd_kafka_mock_topic_create(mc, name, (int)a,
                                                         (int)b));
        } else if (!strcmp(cmd, "error") &&
                   sscanf(line, "%*s %ld %ld %ld", &a, &b, &c) == 3) {
                /* The array variant avoids building a va_list of `count` codes. */
                rd_kafka_resp_err_t *errs;
                long i;
                if (b < 1 || b > 100000) {
                        printf("ERR bad count\n");
                } else if (!(errs = calloc((size_t)b, sizeof(*errs)))) {
                        printf("ERR out of memory\n");
                } else {
                        for (i = 0; i < b; i++)
                                errs[i] = (rd_kafka_resp_err_t)c;
                        rd_kafka_mock_push_request_errors_array(
                            mc, (int16_t)a, (size_t)b, errs);
                        free(errs);
                        printf("OK\n");
                }
        } else if (!strcmp(cmd, "clear") && sscanf(line, "%*s %ld", &a) == 1) {
                rd_kafka_mock_clear_request_errors(mc, (int16_t)a);
                printf("OK\n");
        } else if (!strcmp(cmd, "rtt") &&
                   sscanf(line, "%*s %ld %ld", &a, &b) == 2) {
                reply(rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b));
        } else {
                printf("ERR unknown or malformed command\n");
        }
        fflush(stdout);
}

int main(int argc, char **argv) {
        int brokers = argc > 1 ? atoi(argv[1]) : 1;
        char errstr[512], line[1024];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mc;
        struct sigaction sa;

        if (brokers < 1) {
                fprintf(stderr, "kafka-mock: broker count must be >= 1\n");
                return 2;
        }

        /* No SA_RESTART: a signal must interrupt the blocking fgets(). */
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        /* The cluster only needs a handle for bookkeeping; it never connects.
         * Log level 3 hides the "no bootstrap.servers" warning. */
        conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "kafka-mock: rd_kafka_new: %s\n", errstr);
                return 1;
        }

        mc = rd_kafka_mock_cluster_new(rk, brokers);
        if (!mc) {
                fprintf(stderr, "kafka-mock: failed to create mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);

        while (!stop_requested) {
                char cmd[8] = "";
                errno = 0;
                if (!fgets(line, sizeof(line), stdin)) {
                        if (errno == EINTR && !stop_requested) {
                                clearerr(stdin);
                                continue;
                        }
                        break; /* EOF, read error or signal */
                }
                if (sscanf(line, "%7s", cmd) == 1 && !strcmp(cmd, "quit")) {
                        printf("OK\n");
                        fflush(stdout);
                        break;
                }
                handle(mc, brokers, line);
        }

        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
