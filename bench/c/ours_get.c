/* The benchmark's C client on libdinero: dinero_authenticate once, then dinero_request GETs.
 *
 *   ours_get loop N            N GETs after 100 warm-up ones; prints {"us_per_req":..}
 *   ours_get cold              authenticate + one GET; prints "ok" at the first answer
 *   ours_get memory N          N GETs; prints VmRSS after warm-up and VmHWM at the end (kB)
 *   ours_get threads T N MS    T threads share one client, N GETs each, MS ms apart
 *                              (the token figure); prints elapsed seconds and failures
 *   ours_get burst T N         T threads share N GETs as fast as the client lets them (the
 *                              rate-limit figure); pacing from BENCH_RATE_LIMIT and
 *                              BENCH_RATE_WINDOW_MS
 *
 * Settings: DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID,
 * DINERO_AUTH_URL, DINERO_API_URL (as dinero-sandbox writes them) and BENCH_PATH (the
 * request path, may hold {organizationId}). Never prints a secret or the token.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "dinero.h"

static const char *path;

static dinero_client *connect_client(const char *rate_limit, const char *rate_window_ms) {
    dinero_options *options = dinero_options_new();
    const char *settings[][2] = {
        {"organization_id", need_env("DINERO_ORGANIZATION_ID")},
        {"auth_url", need_env("DINERO_AUTH_URL")},
        {"api_url", need_env("DINERO_API_URL")},
        {"rate_limit_per_minute", rate_limit},
        {"rate_limit_window_ms", rate_window_ms},
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        if (dinero_options_set(options, settings[i][0], settings[i][1]) != DINERO_STATUS_OK) {
            fprintf(stderr, "option %s: %s\n", settings[i][0], dinero_last_error());
            exit(1);
        }
    }
    dinero_client *client = NULL;
    dinero_status status = dinero_authenticate(need_env("DINERO_CLIENT_ID"),
                                               need_env("DINERO_CLIENT_SECRET"),
                                               need_env("DINERO_API_KEY"), options, &client);
    dinero_options_free(options);
    if (status != DINERO_STATUS_OK) {
        fprintf(stderr, "authenticate: %s: %s\n", dinero_status_str(status), dinero_last_error());
        exit(1);
    }
    return client;
}

/* One GET; returns the HTTP status (0 when no answer came). The body is touched, as a
   caller would read it. */
static unsigned get_once(dinero_client *client) {
    dinero_response *response = NULL;
    dinero_status status = dinero_request(client, "GET", path, NULL, &response);
    if (status != DINERO_STATUS_OK) {
        fprintf(stderr, "request: %s: %s\n", dinero_status_str(status), dinero_last_error());
        return 0;
    }
    size_t len = 0;
    const uint8_t *body = dinero_response_body(response, &len);
    unsigned code = dinero_response_status(response);
    if (len == 0 || body[0] == '\0') code = 0;
    dinero_response_free(response);
    return code;
}

static void run_or_die(dinero_client *client, long n) {
    for (long i = 0; i < n; i++) {
        unsigned code = get_once(client);
        if (code != 200) {
            fprintf(stderr, "unexpected answer %u\n", code);
            exit(1);
        }
    }
}

struct worker {
    dinero_client *client;
    long n;
    long sleep_ms;
    atomic_long *shared_left; /* burst: requests still to send, shared by all threads */
    long failures;
    long non200;
};

static void *work(void *arg) {
    struct worker *w = arg;
    for (long i = 0;; i++) {
        if (w->shared_left != NULL) {
            if (atomic_fetch_sub(w->shared_left, 1) <= 0) break;
        } else if (i >= w->n) {
            break;
        }
        unsigned code = get_once(w->client);
        if (code == 0) w->failures++;
        else if (code != 200) w->non200++;
        if (w->sleep_ms > 0) usleep((useconds_t)(w->sleep_ms * 1000));
    }
    return NULL;
}

static void run_threads(dinero_client *client, long threads, long n, long sleep_ms,
                        atomic_long *shared_left, double started) {
    pthread_t ids[64];
    struct worker workers[64];
    if (threads < 1 || threads > 64) { fprintf(stderr, "threads: 1 to 64\n"); exit(2); }
    for (long t = 0; t < threads; t++) {
        workers[t] = (struct worker){client, n, sleep_ms, shared_left, 0, 0};
        pthread_create(&ids[t], NULL, work, &workers[t]);
    }
    long failures = 0, non200 = 0;
    for (long t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        failures += workers[t].failures;
        non200 += workers[t].non200;
    }
    printf("{\"elapsed_s\":%.6f,\"failures\":%ld,\"non200\":%ld}\n", now_s() - started,
           failures, non200);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ours_get loop N | cold | memory N | threads T N MS | burst T N\n");
        return 2;
    }
    path = need_env("BENCH_PATH");
    const char *mode = argv[1];
    if (strcmp(mode, "cold") == 0) {
        dinero_client *client = connect_client("0", "60000");
        unsigned code = get_once(client);
        printf(code == 200 ? "ok\n" : "failed\n");
        fflush(stdout);
        dinero_client_free(client);
        return code == 200 ? 0 : 1;
    }
    if (strcmp(mode, "loop") == 0 && argc == 3) {
        long n = parse_count(argv[2]);
        dinero_client *client = connect_client("0", "60000");
        run_or_die(client, 100);
        double t0 = now_s();
        run_or_die(client, n);
        double elapsed = now_s() - t0;
        printf("{\"us_per_req\":%.3f,\"n\":%ld}\n", elapsed * 1e6 / (double)(n ? n : 1), n);
        dinero_client_free(client);
        return 0;
    }
    if (strcmp(mode, "memory") == 0 && argc == 3) {
        long n = parse_count(argv[2]);
        dinero_client *client = connect_client("0", "60000");
        run_or_die(client, 1000);
        long before = proc_status_kb("VmRSS");
        run_or_die(client, n);
        long peak = proc_status_kb("VmHWM");
        printf("{\"rss_after_warmup_kb\":%ld,\"peak_kb\":%ld,\"n\":%ld}\n", before, peak, n);
        dinero_client_free(client);
        return 0;
    }
    if (strcmp(mode, "threads") == 0 && argc == 5) {
        double started = now_s();
        dinero_client *client = connect_client("0", "60000");
        run_threads(client, parse_count(argv[2]), parse_count(argv[3]), parse_count(argv[4]),
                    NULL, started);
        dinero_client_free(client);
        return 0;
    }
    if (strcmp(mode, "burst") == 0 && argc == 4) {
        dinero_client *client = connect_client(need_env("BENCH_RATE_LIMIT"),
                                               need_env("BENCH_RATE_WINDOW_MS"));
        atomic_long left = parse_count(argv[3]);
        double started = now_s();
        run_threads(client, parse_count(argv[2]), 0, 0, &left, started);
        dinero_client_free(client);
        return 0;
    }
    fprintf(stderr, "usage: ours_get loop N | cold | memory N | threads T N MS | burst T N\n");
    return 2;
}
