/*
 * files.c - the paperwork side of a personal integration, through libdinero:
 *
 *   1. upload a receipt to Dinero's files endpoint (multipart, at most 6 MB)
 *   2. download an invoice as a PDF (Accept: application/octet-stream) and save it to disk
 *
 * Build and run: `make demo` does both against the local sandbox. By hand, from the repository
 * root (after `make build`, with the DINERO_* variables that dinero-sandbox prints exported):
 *
 *     cc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/files.c \
 *        -o target/files -Ltarget/release -ldinero -Wl,-rpath,"$PWD/target/release"
 *     target/files [receipt-file] [invoice.pdf]
 *
 * Without a receipt file it uploads a small generated text receipt. The invoice PDF is saved
 * to the second argument (default: invoice.pdf in the current folder).
 *
 * Exit status: 0 success, 1 library error, 2 bad environment, 3 an unexpected HTTP status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dinero.h"

static const char *require_env(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "error: %s is not set\n", name);
        exit(2);
    }
    return value;
}

static int fail(const char *what, dinero_status status)
{
    fprintf(stderr, "error: %s failed: %s: %s\n", what, dinero_status_str(status),
            dinero_last_error());
    return 1;
}

static dinero_client *open_client(void)
{
    dinero_options *options = dinero_options_new();
    const char *settings[][2] = {
        {"organization_id", require_env("DINERO_ORGANIZATION_ID")},
        {"auth_url", getenv("DINERO_AUTH_URL")},
        {"api_url", getenv("DINERO_API_URL")},
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        if (settings[i][1] != NULL && settings[i][1][0] != '\0') {
            dinero_status status = dinero_options_set(options, settings[i][0], settings[i][1]);
            if (status != DINERO_STATUS_OK) {
                fail("dinero_options_set", status);
                dinero_options_free(options);
                return NULL;
            }
        }
    }
    dinero_client *client = NULL;
    dinero_status status =
        dinero_authenticate(require_env("DINERO_CLIENT_ID"), require_env("DINERO_CLIENT_SECRET"),
                            require_env("DINERO_API_KEY"), options, &client);
    dinero_options_free(options);
    if (status != DINERO_STATUS_OK) {
        fail("dinero_authenticate", status);
        return NULL;
    }
    return client;
}

/* Step 1: a receipt from disk, or a generated one from memory. */
static int upload_receipt(dinero_client *client, const char *path)
{
    dinero_response *response = NULL;
    dinero_status status;
    if (path != NULL) {
        printf("uploading %s\n", path);
        status = dinero_client_upload_file(client, path, NULL, NULL, &response);
    } else {
        static const char receipt[] = "Kvittering\nKaffe og wienerbrød: 87,50 kr\nMoms: 17,50 kr\n";
        printf("uploading a generated receipt (kvittering.txt, %zu bytes)\n", sizeof receipt - 1);
        status = dinero_client_upload_bytes(client, (const uint8_t *)receipt, sizeof receipt - 1,
                                            "kvittering.txt", "text/plain; charset=utf-8",
                                            &response);
    }
    if (status != DINERO_STATUS_OK) {
        return fail("upload", status);
    }
    uint16_t http = dinero_response_status(response);
    printf("< HTTP %u %s\n", http, (const char *)dinero_response_body(response, NULL));
    dinero_response_free(response);
    return http == 201 ? 0 : 3;
}

/* The Guid of the first invoice, read from the list without a JSON library. */
static int first_invoice_guid(dinero_client *client, char *guid, size_t size)
{
    dinero_response *response = NULL;
    dinero_status status =
        dinero_request(client, "GET", "/v1/{organizationId}/invoices?fields=Guid", NULL, &response);
    if (status != DINERO_STATUS_OK) {
        return fail("listing invoices", status);
    }
    const char *body = (const char *)dinero_response_body(response, NULL);
    const char *key = strstr(body, "\"Guid\":\"");
    int rc = 3;
    if (dinero_response_status(response) == 200 && key != NULL) {
        key += strlen("\"Guid\":\"");
        size_t len = strcspn(key, "\"");
        if (len > 0 && len < size) {
            memcpy(guid, key, len);
            guid[len] = '\0';
            rc = 0;
        }
    }
    if (rc != 0) {
        fprintf(stderr, "error: no invoice found\n");
    }
    dinero_response_free(response);
    return rc;
}

/* Step 2: the invoice as a PDF, saved to disk. */
static int download_invoice(dinero_client *client, const char *save_to)
{
    char guid[64];
    int rc = first_invoice_guid(client, guid, sizeof guid);
    if (rc != 0) {
        return rc;
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/{organizationId}/invoices/%s", guid);
    dinero_request_builder *request = NULL;
    dinero_status status = dinero_request_builder_new("GET", path, &request);
    if (status == DINERO_STATUS_OK) {
        status = dinero_request_builder_set_header(request, "Accept", "application/octet-stream");
    }
    dinero_response *response = NULL;
    if (status == DINERO_STATUS_OK) {
        status = dinero_client_send(client, request, &response);
    }
    dinero_request_builder_free(request);
    if (status != DINERO_STATUS_OK) {
        return fail("downloading the invoice", status);
    }
    size_t len = 0;
    const uint8_t *pdf = dinero_response_body(response, &len);
    uint16_t http = dinero_response_status(response);
    printf("< HTTP %u, %zu bytes, starts with %.5s\n", http, len, (const char *)pdf);
    if (http == 200) {
        status = dinero_response_save(response, save_to);
        if (status != DINERO_STATUS_OK) {
            dinero_response_free(response);
            return fail("saving the PDF", status);
        }
        printf("saved to %s\n", save_to);
    }
    dinero_response_free(response);
    return http == 200 ? 0 : 3;
}

int main(int argc, char **argv)
{
    dinero_client *client = open_client();
    if (client == NULL) {
        return 1;
    }
    printf("== 1. Upload a receipt ==\n");
    int rc = upload_receipt(client, argc > 1 && argv[1][0] != '\0' ? argv[1] : NULL);
    if (rc == 0) {
        printf("\n== 2. Download an invoice as PDF ==\n");
        rc = download_invoice(client, argc > 2 ? argv[2] : "invoice.pdf");
    }
    dinero_client_free(client);
    return rc;
}
