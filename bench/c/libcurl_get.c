/* The benchmark's libcurl peer: what a careful C programmer writes without libdinero. One easy
 * handle for everything (so its connection is reused): the token request (Basic credentials,
 * form body, access_token picked out of the JSON), then GETs with the same Bearer and Accept
 * headers libdinero sends, the body collected into a growing buffer.
 *
 *   libcurl_get loop N     N GETs after 100 warm-up ones; prints {"us_per_req":..}
 *   libcurl_get cold       token + one GET; prints "ok" at the first answer
 *
 * Settings: the DINERO_* variables dinero-sandbox writes and BENCH_URL (the full GET URL).
 * Never prints a secret or the token.
 */
#include "common.h"

#include <curl/curl.h>

struct buffer {
    char *data;
    size_t len, cap;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct buffer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) return 0;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static char *fetch_token(CURL *curl, struct buffer *body) {
    char *key = curl_easy_escape(curl, need_env("DINERO_API_KEY"), 0);
    size_t form_len = strlen(key) * 2 + 80;
    char *form = malloc(form_len);
    snprintf(form, form_len, "grant_type=password&scope=read%%20write&username=%s&password=%s",
             key, key);
    curl_free(key);
    curl_easy_setopt(curl, CURLOPT_URL, need_env("DINERO_AUTH_URL"));
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, need_env("DINERO_CLIENT_ID"));
    curl_easy_setopt(curl, CURLOPT_PASSWORD, need_env("DINERO_CLIENT_SECRET"));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    body->len = 0;
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    /* The form holds the API key: wipe it. */
    memset(form, 0, form_len);
    free(form);
    curl_easy_setopt(curl, CURLOPT_USERNAME, NULL);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, NULL);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (rc != CURLE_OK || code != 200 || body->data == NULL) {
        fprintf(stderr, "token request failed: %s, HTTP %ld\n", curl_easy_strerror(rc), code);
        exit(1);
    }
    const char *field = strstr(body->data, "\"access_token\"");
    const char *start = field ? strchr(field + 14, '"') : NULL;
    const char *end = start ? strchr(start + 1, '"') : NULL;
    if (end == NULL) {
        fprintf(stderr, "no access_token in the token answer\n");
        exit(1);
    }
    return strndup(start + 1, (size_t)(end - start - 1));
}

static long get_once(CURL *curl, struct buffer *body) {
    body->len = 0;
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        fprintf(stderr, "GET failed: %s\n", curl_easy_strerror(rc));
        return 0;
    }
    return body->len > 0 ? code : 0;
}

static void run_or_die(CURL *curl, struct buffer *body, long n) {
    for (long i = 0; i < n; i++) {
        long code = get_once(curl, body);
        if (code != 200) {
            fprintf(stderr, "unexpected answer %ld\n", code);
            exit(1);
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: libcurl_get loop N | cold\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    struct buffer body = {0};
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);

    char *token = fetch_token(curl, &body);
    size_t header_len = strlen(token) + 32;
    char *authorization = malloc(header_len);
    snprintf(authorization, header_len, "Authorization: Bearer %s", token);
    memset(token, 0, strlen(token));
    free(token);
    struct curl_slist *headers = curl_slist_append(NULL, authorization);
    headers = curl_slist_append(headers, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_URL, need_env("BENCH_URL"));

    int rc = 0;
    if (strcmp(argv[1], "cold") == 0) {
        long code = get_once(curl, &body);
        printf(code == 200 ? "ok\n" : "failed\n");
        fflush(stdout);
        rc = code == 200 ? 0 : 1;
    } else if (strcmp(argv[1], "loop") == 0 && argc == 3) {
        long n = parse_count(argv[2]);
        run_or_die(curl, &body, 100);
        double t0 = now_s();
        run_or_die(curl, &body, n);
        double elapsed = now_s() - t0;
        printf("{\"us_per_req\":%.3f,\"n\":%ld}\n", elapsed * 1e6 / (double)(n ? n : 1), n);
    } else if (strcmp(argv[1], "memory") == 0 && argc == 3) {
        long n = parse_count(argv[2]);
        run_or_die(curl, &body, 1000);
        long before = proc_status_kb("VmRSS");
        run_or_die(curl, &body, n);
        long peak = proc_status_kb("VmHWM");
        printf("{\"rss_after_warmup_kb\":%ld,\"peak_kb\":%ld,\"n\":%ld}\n", before, peak, n);
    } else {
        fprintf(stderr, "usage: libcurl_get loop N | cold | memory N\n");
        rc = 2;
    }
    curl_slist_free_all(headers);
    memset(authorization, 0, strlen(authorization));
    free(authorization);
    free(body.data);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return rc;
}
