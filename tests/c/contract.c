/*
 * contract.c - the C contract as a C program sees it, run by tests/c_programs.rs against the
 * sandbox (DINERO_* variables) and once more under valgrind.
 *
 * It checks what only C can show: the header's types and macros, NULL handling from C,
 * NUL-terminated bodies, borrowed header strings, owned token strings freed with
 * dinero_string_free, one client shared by several pthreads, and the _async calls (their
 * arguments copied before they return, each outcome delivered once to the done callback).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dinero.h"

static int failures = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n",        \
                    __FILE__, __LINE__, #cond, dinero_last_error());             \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static const char *env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "missing %s\n", name);
        exit(2);
    }
    return value;
}

static dinero_client *authenticate(void)
{
    dinero_options *options = dinero_options_new();
    CHECK(options != NULL);
    CHECK(dinero_options_set(options, "auth_url", env("DINERO_AUTH_URL")) == DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "api_url", env("DINERO_API_URL")) == DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "organization_id", env("DINERO_ORGANIZATION_ID")) ==
          DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "rate_limit_per_minute", "0") == DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "no_such_option", "1") == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(dinero_last_error(), "valid options are") != NULL);

    dinero_client *client = NULL;
    dinero_status status = dinero_authenticate(env("DINERO_CLIENT_ID"), env("DINERO_CLIENT_SECRET"),
                                               env("DINERO_API_KEY"), options, &client);
    dinero_options_free(options); /* the client keeps its own copy */
    CHECK(status == DINERO_STATUS_OK);
    CHECK(client != NULL);
    return client;
}

static void check_null_handling(dinero_client *client)
{
    dinero_client *untouched = (dinero_client *)&failures;
    CHECK(dinero_authenticate(NULL, "s", "k", NULL, &untouched) == DINERO_STATUS_NULL_ARGUMENT);
    CHECK(untouched == (dinero_client *)&failures);
    CHECK(strcmp(dinero_last_error(), "client_id is NULL") == 0);
    /* The documented exception to the lifetime: naming the status (as an error report does in
     * the same printf) leaves the message, and the very pointer, as they were. */
    const char *message = dinero_last_error();
    CHECK(dinero_status_str(DINERO_STATUS_NULL_ARGUMENT) != NULL);
    CHECK(dinero_version() != NULL);
    CHECK(dinero_last_error() == message);
    CHECK(strcmp(message, "client_id is NULL") == 0);

    dinero_response *response = NULL;
    CHECK(dinero_request(client, "GET", NULL, NULL, &response) == DINERO_STATUS_NULL_ARGUMENT);
    CHECK(response == NULL);
    CHECK(dinero_request(client, "GET", "/v1/organizations\r\nX: y", NULL, &response) ==
          DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(dinero_request(client, "GET", "/v1/organizations", NULL, NULL) ==
          DINERO_STATUS_NULL_ARGUMENT);
    CHECK(dinero_response_status(NULL) == 0);
    CHECK(dinero_response_body(NULL, NULL) == NULL);
    CHECK(dinero_response_header(NULL, "content-type") == NULL);
    dinero_response_free(NULL);
    dinero_client_free(NULL);
    dinero_options_free(NULL);
    dinero_string_free(NULL);
    CHECK(strcmp(dinero_status_str(DINERO_STATUS_OK), "ok") == 0);
    CHECK(strcmp(dinero_status_str(DINERO_STATUS_AUTH_REJECTED), "authentication rejected") == 0);
}

static void check_response(dinero_client *client)
{
    dinero_response *response = NULL;
    CHECK(dinero_request(client, "POST", "/v1/{organizationId}/contacts",
                         "{\"Name\":\"B\xc3\xb8rge Lund\",\"CountryKey\":\"DK\",\"IsPerson\":true,\"IsMember\":false,\"UseCvr\":false}",
                         &response) == DINERO_STATUS_OK);
    CHECK(dinero_response_status(response) == 201);
    size_t len = 0;
    const uint8_t *body = dinero_response_body(response, &len);
    CHECK(body != NULL && len > 0);
    CHECK(body[len] == '\0'); /* usable as a C string */
    CHECK(strstr((const char *)body, "\"ContactGuid\"") != NULL);
    const char *type = dinero_response_header(response, "CONTENT-TYPE");
    CHECK(type != NULL && strncmp(type, "application/json", 16) == 0);
    CHECK(dinero_response_header(response, "x-not-there") == NULL);
    dinero_response_free(response);

    response = NULL;
    CHECK(dinero_request(client, "GET", "/v1/{organizationId}/nothing-here", NULL, &response) ==
          DINERO_STATUS_OK);
    CHECK(dinero_response_status(response) == 404); /* an HTTP error is a response, not a status */
    dinero_response_free(response);

    char *token = NULL;
    CHECK(dinero_client_access_token(client, &token) == DINERO_STATUS_OK);
    CHECK(token != NULL && strlen(token) > 20);
    dinero_string_free(token);
}

#define THREADS 8
#define REQUESTS_PER_THREAD 25

static void *worker(void *arg)
{
    dinero_client *client = arg;
    long ok = 0;
    for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
        dinero_response *response = NULL;
        if (dinero_request(client, "GET", "/v1/organizations", NULL, &response) ==
                DINERO_STATUS_OK &&
            dinero_response_status(response) == 200) {
            ok++;
        }
        dinero_response_free(response);
    }
    return (void *)ok;
}

static void check_threads(dinero_client *client)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, worker, client) == 0);
    }
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        void *ok = NULL;
        pthread_join(threads[i], &ok);
        total += (long)ok;
    }
    CHECK(total == THREADS * REQUESTS_PER_THREAD);
}

/* The outcomes of the _async calls, gathered under a lock. */
#define ASYNC_CALLS 8
static pthread_mutex_t outcomes_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t outcomes_ready = PTHREAD_COND_INITIALIZER;
static int outcomes_done = 0;
static dinero_status outcome_status[ASYNC_CALLS];
static void *outcome_handle[ASYNC_CALLS];
static char outcome_text[ASYNC_CALLS][64];
static char outcome_message[ASYNC_CALLS][256];

static void on_done(void *user_data, dinero_status status, const char *message, void *handle,
                    char *text)
{
    int i = (int)(long)user_data;
    pthread_mutex_lock(&outcomes_lock);
    outcome_status[i] = status;
    outcome_handle[i] = handle;
    snprintf(outcome_text[i], sizeof outcome_text[i], "%s", text != NULL ? text : "");
    snprintf(outcome_message[i], sizeof outcome_message[i], "%s", message != NULL ? message : "");
    outcomes_done++;
    pthread_cond_signal(&outcomes_ready);
    pthread_mutex_unlock(&outcomes_lock);
    dinero_string_free(text); /* the callee owns it */
}

static void check_async(dinero_client *client)
{
    CHECK(dinero_client_call_async(client, "GET", "/v1/organizations", NULL, NULL, 0, NULL, NULL) ==
          DINERO_STATUS_NULL_ARGUMENT);
    for (int i = 0; i < 6; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/{organizationId}/contacts?pageSize=%d", i + 1);
        CHECK(dinero_client_call_async(client, "GET", path, NULL, NULL, 0, on_done, (void *)(long)i) ==
              DINERO_STATUS_OK);
        memset(path, 'x', sizeof path - 1); /* copied already: this changes nothing sent */
    }
    CHECK(dinero_client_call_async(client, "GET /", "/v1/organizations", NULL, NULL, 0, on_done,
                                   (void *)6L) == DINERO_STATUS_OK);
    CHECK(dinero_client_access_token_async(client, on_done, (void *)7L) == DINERO_STATUS_OK);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60; /* every wait has a deadline, valgrind included */
    pthread_mutex_lock(&outcomes_lock);
    while (outcomes_done < ASYNC_CALLS) {
        if (pthread_cond_timedwait(&outcomes_ready, &outcomes_lock, &deadline) != 0) {
            break;
        }
    }
    int done = outcomes_done;
    pthread_mutex_unlock(&outcomes_lock);
    if (done != ASYNC_CALLS) {
        /* Calls may still run on the client: end here rather than free it under them. */
        fprintf(stderr, "only %d of %d _async calls finished in 60 s\n", done, ASYNC_CALLS);
        exit(1);
    }
    struct timespec settle = {0, 200 * 1000 * 1000};
    nanosleep(&settle, NULL); /* time for a callback that should not come */
    pthread_mutex_lock(&outcomes_lock);
    CHECK(outcomes_done == ASYNC_CALLS); /* each callback exactly once */
    pthread_mutex_unlock(&outcomes_lock);
    for (int i = 0; i < 6; i++) {
        CHECK(outcome_status[i] == DINERO_STATUS_OK);
        dinero_response *response = outcome_handle[i];
        CHECK(dinero_response_status(response) == 200);
        char expected[64];
        snprintf(expected, sizeof expected, "GET /v1/{organizationId}/contacts?pageSize=%d", i + 1);
        CHECK(strcmp(dinero_response_request(response), expected) == 0);
        dinero_response_free(response);
    }
    CHECK(outcome_status[6] == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(outcome_handle[6] == NULL);
    CHECK(strstr(outcome_message[6], "method") != NULL);
    CHECK(outcome_status[7] == DINERO_STATUS_OK);
    CHECK(strlen(outcome_text[7]) > 20); /* the token (its start: the buffer holds 63 bytes) */
}

/* A length no buffer can have (a -1 passed as a size_t): refused, nothing written, no abort. */
static void check_impossible_lengths(dinero_client *client)
{
    const uint8_t byte = 'x';
    dinero_response *response = (dinero_response *)&failures;
    CHECK(dinero_client_call(client, "POST", "/v1/{organizationId}/contacts", NULL, &byte,
                             SIZE_MAX, &response) == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(response == (dinero_response *)&failures);
    CHECK(strstr(dinero_last_error(), "more than any buffer can hold") != NULL);
    CHECK(dinero_client_upload_bytes(client, &byte, SIZE_MAX, "a.pdf", NULL, &response) ==
          DINERO_STATUS_INVALID_ARGUMENT);
    dinero_request_builder *builder = NULL;
    CHECK(dinero_request_builder_new_with("POST", "/v1/{organizationId}/contacts", NULL, &byte,
                                          SIZE_MAX, &builder) == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(builder == NULL);
    CHECK(dinero_request_builder_new("POST", "/v1/{organizationId}/contacts", &builder) ==
          DINERO_STATUS_OK);
    CHECK(dinero_request_builder_set_body(builder, &byte, SIZE_MAX, "text/plain") ==
          DINERO_STATUS_INVALID_ARGUMENT);
    dinero_request_builder_free(builder);
    char *json = NULL;
    CHECK(dinero_error_body_parse(400, &byte, SIZE_MAX, &json) == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(json == NULL);
    CHECK(dinero_client_call_async(client, "POST", "/v1/{organizationId}/contacts", NULL, &byte,
                                   (size_t)PTRDIFF_MAX + 1, on_done, NULL) ==
          DINERO_STATUS_INVALID_ARGUMENT);
}

int main(void)
{
    CHECK(strlen(dinero_version()) > 0);
    CHECK(strcmp(dinero_last_error(), "") == 0);
    dinero_client *client = authenticate();
    if (client == NULL) {
        return 1;
    }
    check_null_handling(client);
    check_response(client);
    check_threads(client);
    check_async(client);
    check_impossible_lengths(client);
    dinero_client_free(client);
    if (failures > 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("contract: all checks passed\n");
    return 0;
}
