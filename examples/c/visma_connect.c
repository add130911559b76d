/*
 * visma_connect.c - a public integration's sign-in (Visma Connect) and its later runs,
 * through libdinero.
 *
 *   1. make the authorize URL (state and PKCE verifier made by the library) and print it
 *   2. read what the browser brought back to the redirect URI (the form body, or the URL)
 *      from standard input, and sign in with it; the refresh token goes to a private file
 *   3. list the organizations the user's token reaches
 *   4. list the contacts of each, choosing the organization per request
 *   5. a later run: a client from the stored refresh token
 *
 * A web application does steps 1 and 2 in two requests: it keeps the authorization text in
 * the user's session, sends the browser to its URL, and hands the POSTed form body to
 * dinero_connect_authenticate_code when the browser comes back.
 *
 * Build and run against the sandbox, from the repository root: `make demo`. By hand, as
 * personal_integration.c, then paste into this program what the sandbox's consent page posts.
 *
 * Environment:
 *     DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET      (required)
 *     DINERO_REFRESH_TOKEN_FILE   (required: where the refresh token is kept, mode 0600)
 *     DINERO_CONNECT_URL, DINERO_API_URL   (optional; unset means the real services)
 *     DINERO_REDIRECT_URI         (optional; default http://127.0.0.1:8765/callback)
 *
 * Exit status: 0 success, 1 library error, 2 bad environment or input, 3 an HTTP error.
 * The client secret, the code, the verifier and the tokens are never printed.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dinero.h"

static void report_error(const char *what, dinero_status status)
{
    fflush(stdout);
    fprintf(stderr, "error: %s failed: %s (status %lu): %s\n", what, dinero_status_str(status),
            (unsigned long)status, dinero_last_error());
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return (value != NULL && value[0] != '\0') ? value : fallback;
}

/* Called with every new refresh token, before the library relies on it: written to a private
   file, replacing the old one through a rename so that a crash never leaves half a token. */
static void keep_refresh_token(void *user_data, const char *refresh_token)
{
    const char *path = (const char *)user_data;
    char temporary[4096];
    int fd;
    size_t len = strlen(refresh_token);

    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, refresh_token, len) != (ssize_t)len || fsync(fd) != 0 ||
        close(fd) != 0 || rename(temporary, path) != 0) {
        fprintf(stderr, "error: cannot keep the refresh token in %s\n", path);
        return;
    }
    printf("(a new refresh token is kept in %s)\n", path);
}

/* The options every client of this program uses: the services' addresses and the callback. */
static dinero_options *make_options(const char *token_file)
{
    dinero_options *options = dinero_options_new();
    const char *connect_url = env_or("DINERO_CONNECT_URL", NULL);
    const char *api_url = env_or("DINERO_API_URL", NULL);

    if (options == NULL) {
        return NULL;
    }
    if ((connect_url != NULL && dinero_options_set(options, "connect_url", connect_url) != 0) ||
        (api_url != NULL && dinero_options_set(options, "api_url", api_url) != 0) ||
        dinero_options_set_refresh_token_callback(options, keep_refresh_token,
                                                  (void *)token_file) != 0) {
        report_error("dinero_options_set", DINERO_STATUS_INVALID_ARGUMENT);
        dinero_options_free(options);
        return NULL;
    }
    return options;
}

/* Step 4: one organization's contacts, the organization chosen for this request only. */
static int list_contacts(dinero_client *client, const char *organization_id)
{
    char spec[128];
    dinero_response *response = NULL;
    dinero_status status;
    size_t len = 0;
    const uint8_t *body;

    snprintf(spec, sizeof spec,
             "{\"organization_id\": %s, \"params\": {\"fields\": \"Name\", \"pageSize\": 5}}",
             organization_id);
    status = dinero_client_call(client, "GET", "/v1/{organizationId}/contacts", spec, NULL, 0,
                                &response);
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_client_call", status);
        return 1;
    }
    body = dinero_response_body(response, &len);
    printf("organization %s: HTTP %u, %.*s\n", organization_id,
           (unsigned)dinero_response_status(response), (int)(len > 160 ? 160 : len),
           body != NULL ? (const char *)body : "");
    status = dinero_response_is_ok(response) ? 0 : 3;
    dinero_response_free(response);
    return (int)status;
}

/* Steps 3 and 4: the organizations, then each one's contacts. */
static int organizations_and_contacts(dinero_client *client)
{
    dinero_response *response = NULL;
    dinero_status status = dinero_client_organizations(client, &response);
    const char *body;
    const char *p;
    int failed = 0;

    if (status != DINERO_STATUS_OK) {
        report_error("dinero_client_organizations", status);
        return 1;
    }
    body = (const char *)dinero_response_body(response, NULL);
    printf("\n== 3. organizations ==\n%s\n\n== 4. contacts of each ==\n", body);
    /* The ids, from the bare array [{"Id":123,...},...]: a real program uses its JSON parser. */
    for (p = strstr(body, "\"Id\""); p != NULL && !failed; p = strstr(p + 4, "\"Id\"")) {
        char id[24];
        size_t n = 0;
        const char *digit = strchr(p, ':');
        if (digit == NULL) {
            break;
        }
        for (digit++; *digit == ' '; digit++) {
        }
        while (digit[n] >= '0' && digit[n] <= '9' && n + 1 < sizeof id) {
            id[n] = digit[n];
            n++;
        }
        id[n] = '\0';
        failed = n == 0 ? 3 : list_contacts(client, id);
    }
    dinero_response_free(response);
    return failed;
}

int main(void)
{
    const char *client_id = env_or("DINERO_CONNECT_CLIENT_ID", NULL);
    const char *client_secret = env_or("DINERO_CONNECT_CLIENT_SECRET", NULL);
    const char *token_file = env_or("DINERO_REFRESH_TOKEN_FILE", NULL);
    const char *redirect_uri = env_or("DINERO_REDIRECT_URI", "http://127.0.0.1:8765/callback");
    dinero_options *options;
    char *authorization = NULL;
    char callback[8192];
    char stored[4096];
    dinero_client *client = NULL;
    dinero_status status;
    int result;
    FILE *file;
    size_t len;

    if (client_id == NULL || client_secret == NULL || token_file == NULL) {
        fprintf(stderr, "error: set DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET and "
                        "DINERO_REFRESH_TOKEN_FILE (dinero-sandbox prints the first two)\n");
        return 2;
    }
    options = make_options(token_file);
    if (options == NULL) {
        return 1;
    }

    printf("== 1. sign in ==\n");
    status = dinero_connect_authorize_url(client_id, redirect_uri, options, &authorization);
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_connect_authorize_url", status);
        dinero_options_free(options);
        return 1;
    }
    /* The URL is the text's first field; a web application keeps the whole text in the
       session and redirects the browser to the URL. */
    printf("Open this address in a browser:\n");
    {
        const char *url = strstr(authorization, "\"url\":\"") + 7;
        printf("%.*s\n", (int)(strchr(url, '"') - url), url);
    }
    printf("Then paste here what the browser brought back to %s:\n", redirect_uri);
    fflush(stdout);

    printf("\n== 2. the browser's answer ==\n");
    if (fgets(callback, sizeof callback, stdin) == NULL) {
        fprintf(stderr, "error: no answer on standard input\n");
        dinero_string_free(authorization);
        dinero_options_free(options);
        return 2;
    }
    callback[strcspn(callback, "\r\n")] = '\0';
    status = dinero_connect_authenticate_code(client_id, client_secret, authorization, callback,
                                              options, &client);
    dinero_string_free(authorization); /* wiped: it held the verifier */
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_connect_authenticate_code", status);
        dinero_options_free(options);
        return status == DINERO_STATUS_AUTH_REJECTED ? 2 : 1;
    }
    printf("signed in\n");
    result = organizations_and_contacts(client);
    dinero_client_free(client);
    client = NULL;

    printf("\n== 5. a later run, from the stored refresh token ==\n");
    file = result == 0 ? fopen(token_file, "r") : NULL;
    len = file != NULL ? fread(stored, 1, sizeof stored - 1, file) : 0;
    if (file != NULL) {
        fclose(file);
    }
    stored[len] = '\0';
    if (result == 0 && len > 0) {
        status = dinero_connect_authenticate(client_id, client_secret, stored, options, &client);
        memset(stored, 0, sizeof stored);
        if (status == DINERO_STATUS_LOGIN_REQUIRED) {
            fprintf(stderr, "the user must sign in again: %s\n", dinero_last_error());
            result = 3;
        } else if (status != DINERO_STATUS_OK) {
            report_error("dinero_connect_authenticate", status);
            result = 1;
        } else {
            printf("a client from the stored refresh token is ready\n");
            dinero_client_free(client);
        }
    } else if (result == 0) {
        fprintf(stderr, "error: no refresh token was kept in %s\n", token_file);
        result = 1;
    }
    dinero_options_free(options);
    return result;
}
