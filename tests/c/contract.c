/*
 * contract.c - the C contract as a C program sees it, run by tests/c_programs.rs against the
 * sandbox (DINERO_* variables) and once more under valgrind.
 *
 * It checks what only C can show: the header's types and macros, NULL handling from C,
 * NUL-terminated bodies, borrowed header strings, owned token strings freed with
 * dinero_string_free, and one client shared by several pthreads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    dinero_client_free(client);
    if (failures > 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("contract: all checks passed\n");
    return 0;
}
