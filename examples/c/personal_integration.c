/*
 * personal_integration.c - the steps of Dinero's "personal integration" guide, through libdinero.
 *
 *   1. authenticate with client id, client secret and the organization's API key
 *   2. GET /v1/organizations
 *   3. list the contacts, page by page
 *   4. create a contact (Danish text, UTF-8)
 *   5. provoke a validation error: HTTP errors come back as a response, not as a C error
 *
 * The same binary runs against the real Dinero or against the local sandbox; only the
 * environment differs.
 *
 * Build and run against the sandbox, from the repository root:
 *
 *     make demo
 *
 * By hand (from the repository root):
 *
 *     make build                          # the library, its libdinero.so.0 link, the sandbox
 *     cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude \
 *        examples/c/personal_integration.c -o target/personal_integration \
 *        -Ltarget/release -ldinero -Wl,-rpath,"$PWD/target/release"
 *     target/release/dinero-sandbox &     # prints DINERO_* variables: export them
 *     target/personal_integration
 *
 * Environment:
 *     DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID  (required)
 *     DINERO_AUTH_URL, DINERO_API_URL   (optional; unset means the real Dinero)
 *     DINERO_PAGE_SIZE                  (optional; contacts per page, default 2)
 *
 * Exit status: 0 success, 1 library error, 2 bad environment, 3 an unexpected HTTP status
 * (>= 400) in steps 2-4.
 *
 * The client secret, the API key and the access token are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dinero.h"

#define DEFAULT_PAGE_SIZE 2L
#define MAX_PAGES 50

/* ---- small helpers ---------------------------------------------------------------------- */

static void heading(int step, const char *title)
{
    printf("\n== %d. %s ==\n", step, title);
}

/* Prints a failed library call: the static status text and this thread's error detail. */
static void report_error(const char *what, dinero_status status)
{
    fflush(stdout); /* keep the output in order when both streams go to one place */
    fprintf(stderr, "error: %s failed: %s (status %lu): %s\n", what, dinero_status_str(status),
            (unsigned long)status, dinero_last_error());
}

/* The value of a required environment variable, or NULL after saying which one is missing. */
static const char *require_env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "error: environment variable %s is not set "
                        "(start dinero-sandbox and export the DINERO_* variables it prints)\n",
                name);
        return NULL;
    }
    return value;
}

/* An optional environment variable: NULL when unset or empty. */
static const char *optional_env(const char *name)
{
    const char *value = getenv(name);
    return (value != NULL && value[0] != '\0') ? value : NULL;
}

/* The response body as a NUL-terminated string (the library always adds the NUL). */
static const char *body_text(const dinero_response *response, size_t *len_out)
{
    size_t len = 0;
    const uint8_t *body = dinero_response_body(response, &len);
    if (body == NULL) {
        len = 0;
    }
    if (len_out != NULL) {
        *len_out = len;
    }
    return body != NULL ? (const char *)body : "";
}

static void print_body(const dinero_response *response)
{
    size_t len = 0;
    const char *body = body_text(response, &len);
    fwrite(body, 1, len, stdout);
    printf("%s", (len > 0 && body[len - 1] == '\n') ? "" : "\n");
}

/* Sends one request and prints the request line and the HTTP status. Returns the library
   status: DINERO_STATUS_OK whenever an HTTP answer arrived, 4xx and 5xx included. */
static dinero_status send_request(dinero_client *client, const char *method, const char *path,
                                  const char *json_body, dinero_response **response_out)
{
    dinero_status status;

    printf("> %s %s\n", method, path);
    status = dinero_request(client, method, path, json_body, response_out);
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_request", status);
        return status;
    }
    printf("< HTTP %u\n", (unsigned)dinero_response_status(*response_out));
    return status;
}

static size_t count_occurrences(const char *haystack, const char *needle)
{
    size_t count = 0;
    size_t needle_len = strlen(needle);
    const char *p = haystack;
    while ((p = strstr(p, needle)) != NULL) {
        count++;
        p += needle_len;
    }
    return count;
}

/* Reads the number after "key" (a quoted JSON key, e.g. "\"Result\"") at or after `from`.
   Whitespace around the colon is tolerated. Returns 1 and sets *value_out if found. */
static int find_number(const char *from, const char *key, long *value_out)
{
    const char *p = strstr(from, key);
    char *end;
    long value;

    if (p == NULL) {
        return 0;
    }
    p += strlen(key);
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    if (*p != ':') {
        return 0;
    }
    p++;
    errno = 0;
    value = strtol(p, &end, 10); /* strtol skips leading whitespace itself */
    if (end == p || errno != 0) {
        return 0;
    }
    *value_out = value;
    return 1;
}

/* Prints the value of every "Name" string in a JSON text, as-is (escapes not decoded). */
static void print_names(const char *json)
{
    static const char key[] = "\"Name\"";
    const char *p = json;

    while ((p = strstr(p, key)) != NULL) {
        const char *start;
        p += sizeof key - 1;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ':') {
            p++;
        }
        if (*p != '"') {
            continue; /* null or not a string */
        }
        start = ++p;
        while (*p != '\0' && *p != '"') {
            p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
        }
        printf("   - %.*s\n", (int)(p - start), start);
    }
}

/* DINERO_PAGE_SIZE, or the default; -1 if it is set but not a number in 1..1000. */
static long page_size_from_env(void)
{
    const char *text = optional_env("DINERO_PAGE_SIZE");
    char *end;
    long value;

    if (text == NULL) {
        return DEFAULT_PAGE_SIZE;
    }
    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 1000) {
        fprintf(stderr, "error: DINERO_PAGE_SIZE must be a number from 1 to 1000, got \"%s\"\n",
                text);
        return -1;
    }
    return value;
}

/* ---- the steps ---------------------------------------------------------------------------- */

/* Step 1 (after dinero_authenticate): show that a token exists, by its length only. */
static dinero_status show_token_length(dinero_client *client)
{
    char *token = NULL;
    dinero_status status = dinero_client_access_token(client, &token);
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_client_access_token", status);
        return status;
    }
    printf("access token: %lu characters (not shown)\n", (unsigned long)strlen(token));
    dinero_string_free(token);
    return DINERO_STATUS_OK;
}

/* Step 2. Sets *unexpected_out when the HTTP status is >= 400. */
static dinero_status list_organizations(dinero_client *client, int *unexpected_out)
{
    dinero_response *response = NULL;
    const char *content_type;
    dinero_status status = send_request(client, "GET", "/v1/organizations", NULL, &response);
    if (status != DINERO_STATUS_OK) {
        return status;
    }
    content_type = dinero_response_header(response, "Content-Type");
    printf("Content-Type: %s\n", content_type != NULL ? content_type : "(none)");
    print_body(response);
    if (dinero_response_status(response) >= 400) {
        *unexpected_out = 1;
    }
    dinero_response_free(response);
    return DINERO_STATUS_OK;
}

/* Step 3. Dinero has no "next" link: page until Pagination.Result is reached or a page is
   empty (short, if Result is missing), with a hard cap on the number of pages. */
static dinero_status list_contacts(dinero_client *client, long page_size, int *unexpected_out)
{
    int page;

    for (page = 0; page < MAX_PAGES; page++) {
        char path[160];
        dinero_response *response = NULL;
        const char *body;
        const char *pagination;
        size_t count;
        long total = -1;
        int done;
        dinero_status status;

        /* {organizationId} is filled in by the library from the "organization_id" option. */
        snprintf(path, sizeof path,
                 "/v1/{organizationId}/contacts?page=%d&pageSize=%ld&fields=ContactGuid,Name",
                 page, page_size);
        status = send_request(client, "GET", path, NULL, &response);
        if (status != DINERO_STATUS_OK) {
            return status;
        }
        if (dinero_response_status(response) >= 400) {
            print_body(response);
            *unexpected_out = 1;
            dinero_response_free(response);
            return DINERO_STATUS_OK;
        }

        body = body_text(response, NULL);
        count = count_occurrences(body, "\"ContactGuid\"");
        pagination = strstr(body, "\"Pagination\"");
        if (pagination == NULL || !find_number(pagination, "\"Result\"", &total)) {
            total = -1;
        }
        if (total >= 0) {
            printf("page %d: %lu contact(s) of %ld\n", page, (unsigned long)count, total);
        } else {
            printf("page %d: %lu contact(s) (no Pagination.Result)\n", page, (unsigned long)count);
        }
        print_names(body);
        dinero_response_free(response);

        if (total >= 0) {
            done = count == 0 || (long)(page + 1) * page_size >= total;
        } else {
            done = (long)count < page_size;
        }
        if (done) {
            return DINERO_STATUS_OK;
        }
    }
    printf("stopped after %d pages (the example's cap)\n", MAX_PAGES);
    return DINERO_STATUS_OK;
}

/* Step 4 (and 5): POST a contact; prints status and body; returns the HTTP status in
   *http_status_out (0 on a library error). */
static dinero_status create_contact(dinero_client *client, const char *json_body,
                                    unsigned *http_status_out)
{
    dinero_response *response = NULL;
    dinero_status status;

    *http_status_out = 0;
    printf("body: %s\n", json_body);
    status = send_request(client, "POST", "/v1/{organizationId}/contacts", json_body, &response);
    if (status != DINERO_STATUS_OK) {
        return status;
    }
    *http_status_out = dinero_response_status(response);
    print_body(response);
    dinero_response_free(response);
    return DINERO_STATUS_OK;
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(void)
{
    /* {"Name":"Børge Lund",...,"Street":"Støvringparken 10, st. th",...,"City":"Støvring"},
       spelled with UTF-8 escapes so the bytes do not depend on the compiler's source charset. */
    static const char new_contact[] =
        "{\"Name\":\"B\xc3\xb8rge Lund\",\"CountryKey\":\"DK\",\"IsPerson\":true,"
        "\"IsMember\":false,\"UseCvr\":false,"
        "\"Street\":\"St\xc3\xb8vringparken 10, st. th\",\"ZipCode\":\"9530\","
        "\"City\":\"St\xc3\xb8vring\"}";
    static const char nameless_contact[] = "{\"CountryKey\":\"DK\",\"IsPerson\":true}";

    const char *client_id = require_env("DINERO_CLIENT_ID");
    const char *client_secret = require_env("DINERO_CLIENT_SECRET");
    const char *api_key = require_env("DINERO_API_KEY");
    const char *organization_id = require_env("DINERO_ORGANIZATION_ID");
    const char *auth_url = optional_env("DINERO_AUTH_URL");
    const char *api_url = optional_env("DINERO_API_URL");
    long page_size = page_size_from_env();

    dinero_options *options = NULL;
    dinero_client *client = NULL;
    dinero_status status;
    unsigned http_status = 0;
    int unexpected = 0;
    int exit_code = 1;

    if (client_id == NULL || client_secret == NULL || api_key == NULL ||
        organization_id == NULL || page_size < 0) {
        return 2;
    }

    /* Options: only what differs from the defaults (which are the real Dinero). */
    options = dinero_options_new();
    if (options == NULL) {
        fprintf(stderr, "error: dinero_options_new returned NULL: %s\n", dinero_last_error());
        return 1;
    }
    status = dinero_options_set(options, "organization_id", organization_id);
    if (status == DINERO_STATUS_OK && auth_url != NULL) {
        status = dinero_options_set(options, "auth_url", auth_url);
    }
    if (status == DINERO_STATUS_OK && api_url != NULL) {
        status = dinero_options_set(options, "api_url", api_url);
    }
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_options_set", status);
        goto cleanup;
    }

    heading(1, "Authenticate (API key -> access token)");
    printf("libdinero %s\n", dinero_version());
    printf("auth_url: %s\n", auth_url != NULL ? auth_url : "(library default: the real Dinero)");
    printf("api_url:  %s\n", api_url != NULL ? api_url : "(library default: the real Dinero)");
    status = dinero_authenticate(client_id, client_secret, api_key, options, &client);
    if (status != DINERO_STATUS_OK) {
        report_error("dinero_authenticate", status);
        goto cleanup;
    }
    /* The client copied what it needs: the options can go now. */
    dinero_options_free(options);
    options = NULL;
    if (show_token_length(client) != DINERO_STATUS_OK) {
        goto cleanup;
    }

    heading(2, "The organizations this token reaches");
    if (list_organizations(client, &unexpected) != DINERO_STATUS_OK) {
        goto cleanup;
    }

    heading(3, "Contacts, page by page");
    if (list_contacts(client, page_size, &unexpected) != DINERO_STATUS_OK) {
        goto cleanup;
    }

    heading(4, "Create a contact");
    if (create_contact(client, new_contact, &http_status) != DINERO_STATUS_OK) {
        goto cleanup;
    }
    if (http_status >= 400) {
        unexpected = 1;
    }

    heading(5, "Dinero's error handling: a contact without a Name");
    if (create_contact(client, nameless_contact, &http_status) != DINERO_STATUS_OK) {
        goto cleanup;
    }
    printf("HTTP %u is an ordinary response, not a C error (Dinero answers 400, code 42)%s\n",
           http_status, http_status == 400 ? "" : " -- unexpected status");

    if (unexpected) {
        fflush(stdout);
        fprintf(stderr, "error: an HTTP status >= 400 in steps 2-4 (see above)\n");
        exit_code = 3;
    } else {
        printf("\ndone\n");
        exit_code = 0;
    }

cleanup:
    dinero_client_free(client);
    dinero_options_free(options);
    return exit_code;
}
