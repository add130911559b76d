/*
 * thread_exit.c - a thread that ends with a client still in its keeping, freed by a pthread key
 * destructor (the usual way C code ties a per-thread resource to its thread). By then the
 * thread's own storage, the library's included, is being torn down; a call into libdinero from
 * there must still return a status, never abort the process. Run by tests/c_programs.rs against
 * the sandbox (DINERO_* variables).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dinero.h"

static pthread_key_t client_key;
static int failures = 0;
static int destructor_ran = 0;

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                     \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static const char *env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL) {
        fprintf(stderr, "%s is not set\n", name);
        exit(2);
    }
    return value;
}

/* Runs as the thread ends: a failing call, the last error, a close and a free. */
static void release_client(void *client)
{
    uint32_t level = 0;
    destructor_ran = 1;
    CHECK(dinero_log_level_parse(NULL, &level) == DINERO_STATUS_NULL_ARGUMENT);
    CHECK(dinero_last_error() != NULL);
    CHECK(dinero_client_close(client) == DINERO_STATUS_OK);
    dinero_client_free(client);
}

static void *worker(void *unused)
{
    (void)unused;
    dinero_options *options = dinero_options_new();
    CHECK(dinero_options_set(options, "auth_url", env("DINERO_AUTH_URL")) == DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "api_url", env("DINERO_API_URL")) == DINERO_STATUS_OK);
    CHECK(dinero_options_set(options, "organization_id", env("DINERO_ORGANIZATION_ID")) ==
          DINERO_STATUS_OK);
    dinero_client *client = NULL;
    CHECK(dinero_authenticate(env("DINERO_CLIENT_ID"), env("DINERO_CLIENT_SECRET"),
                              env("DINERO_API_KEY"), options, &client) == DINERO_STATUS_OK);
    dinero_options_free(options);
    if (client == NULL) {
        return NULL;
    }
    dinero_response *response = NULL;
    CHECK(dinero_request(client, "GET", "/v1/organizations", NULL, &response) == DINERO_STATUS_OK);
    dinero_response_free(response);
    /* A failed call first: this thread's last error is set, so its storage is in use. */
    uint32_t level = 0;
    CHECK(dinero_log_level_parse("bogus", &level) == DINERO_STATUS_INVALID_ARGUMENT);
    CHECK(strlen(dinero_last_error()) > 0);
    pthread_setspecific(client_key, client);
    return NULL;
}

int main(void)
{
    pthread_t thread;
    CHECK(pthread_key_create(&client_key, release_client) == 0);
    CHECK(pthread_create(&thread, NULL, worker, NULL) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(destructor_ran);
    if (failures != 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("the client was released at thread exit\n");
    return 0;
}
