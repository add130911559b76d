/* The limit: the tightest client there can be for plain HTTP/1.1 on loopback. One keep-alive
 * socket, the request bytes built once, write() it, read() until the head is complete, parse
 * Content-Length, read the rest of the body. No pool, no allocation per request, no header
 * parsing beyond Content-Length. Nothing real should ever be written this way (no timeouts, no
 * chunked bodies, no reconnects, no TLS); it measures what the sandbox and the kernel cost.
 *
 *   keepalive_limit loop N   N GETs after 100 warm-up ones; prints {"us_per_req":..}
 *   keepalive_limit cold     token + one GET; prints "ok" at the first answer
 *
 * The token request is also raw HTTP (Basic credentials, form body) on its own connection.
 * Settings: the DINERO_* variables dinero-sandbox writes and BENCH_URL (http://host:port/path).
 * Never prints a secret or the token.
 */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (1 << 20)
static char buf[BUF_SIZE];

struct url { char host[256]; int port; const char *path; };

static struct url parse_url(const char *text) {
    struct url u = {{0}, 80, "/"};
    if (strncmp(text, "http://", 7) != 0) { fprintf(stderr, "http:// URLs only\n"); exit(2); }
    const char *host = text + 7;
    const char *slash = strchr(host, '/');
    const char *colon = strchr(host, ':');
    const char *host_end = slash ? slash : host + strlen(host);
    if (colon && colon < host_end) { u.port = atoi(colon + 1); host_end = colon; }
    snprintf(u.host, sizeof u.host, "%.*s", (int)(host_end - host), host);
    u.path = slash ? slash : "/";
    return u;
}

static int connect_to(const struct url *u) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)u->port);
    if (inet_pton(AF_INET, strcmp(u->host, "localhost") == 0 ? "127.0.0.1" : u->host,
                  &addr.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void write_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n <= 0) { perror("write"); exit(1); }
        data += n;
        len -= (size_t)n;
    }
}

/* Reads one response into buf; returns its status, sets *body and *body_len. */
static int read_response(int fd, const char **body, size_t *body_len) {
    size_t have = 0;
    char *head_end = NULL;
    while (head_end == NULL) {
        ssize_t n = read(fd, buf + have, BUF_SIZE - 1 - have);
        if (n <= 0) { fprintf(stderr, "connection closed\n"); exit(1); }
        have += (size_t)n;
        buf[have] = '\0';
        head_end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(head_end + 4 - buf);
    size_t content_length = 0;
    for (char *line = strstr(buf, "\r\n"); line && line < head_end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "content-length:", 15) == 0) {
            content_length = strtoul(line + 17, NULL, 10);
            break;
        }
    }
    if (head_len + content_length >= BUF_SIZE) { fprintf(stderr, "answer too large\n"); exit(1); }
    while (have < head_len + content_length) {
        ssize_t n = read(fd, buf + have, head_len + content_length - have);
        if (n <= 0) { fprintf(stderr, "connection closed\n"); exit(1); }
        have += (size_t)n;
    }
    buf[have] = '\0';
    *body = buf + head_len;
    *body_len = content_length;
    return atoi(buf + 9); /* "HTTP/1.1 200" */
}

static void base64(const char *in, size_t len, char *out) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len) v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < len) v |= (unsigned char)in[i + 2];
        out[o++] = a[(v >> 18) & 63];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = i + 1 < len ? a[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? a[v & 63] : '=';
    }
    out[o] = '\0';
}

static void percent_encode(const char *in, char *out) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    *out = '\0';
}

static char *fetch_token(void) {
    struct url auth = parse_url(need_env("DINERO_AUTH_URL"));
    const char *id = need_env("DINERO_CLIENT_ID"), *secret = need_env("DINERO_CLIENT_SECRET");
    const char *key = need_env("DINERO_API_KEY");
    size_t cred_len = strlen(id) + strlen(secret) + 2;
    char *cred = malloc(cred_len), *basic = malloc(cred_len * 2 + 8);
    char *key_enc = malloc(strlen(key) * 3 + 1);
    snprintf(cred, cred_len, "%s:%s", id, secret);
    base64(cred, strlen(cred), basic);
    percent_encode(key, key_enc);
    size_t form_len = strlen(key_enc) * 2 + 80, req_len = form_len + strlen(basic) + 512;
    char *form = malloc(form_len), *req = malloc(req_len);
    int flen = snprintf(form, form_len,
                        "grant_type=password&scope=read%%20write&username=%s&password=%s",
                        key_enc, key_enc);
    int rlen = snprintf(req, req_len,
                        "POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Basic %s\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\n"
                        "Content-Length: %d\r\nAccept: application/json\r\n"
                        "Connection: close\r\n\r\n%s",
                        auth.path, auth.host, auth.port, basic, flen, form);
    int fd = connect_to(&auth);
    write_all(fd, req, (size_t)rlen);
    const char *body;
    size_t body_len;
    int status = read_response(fd, &body, &body_len);
    close(fd);
    memset(cred, 0, strlen(cred)); memset(basic, 0, strlen(basic));
    memset(key_enc, 0, strlen(key_enc)); memset(form, 0, form_len); memset(req, 0, req_len);
    free(cred); free(basic); free(key_enc); free(form); free(req);
    const char *field = status == 200 ? strstr(body, "\"access_token\"") : NULL;
    const char *start = field ? strchr(field + 14, '"') : NULL;
    const char *end = start ? strchr(start + 1, '"') : NULL;
    if (end == NULL) { fprintf(stderr, "token request failed: HTTP %d\n", status); exit(1); }
    char *token = strndup(start + 1, (size_t)(end - start - 1));
    memset(buf, 0, BUF_SIZE);
    return token;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: keepalive_limit loop N | cold\n"); return 2; }
    struct url api = parse_url(need_env("BENCH_URL"));
    char *token = fetch_token();
    size_t req_cap = strlen(token) + strlen(api.path) + 512;
    char *req = malloc(req_cap);
    size_t req_len = (size_t)snprintf(req, req_cap,
                                      "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
                                      "Authorization: Bearer %s\r\nAccept: application/json\r\n\r\n",
                                      api.path, api.host, api.port, token);
    memset(token, 0, strlen(token));
    free(token);
    int fd = connect_to(&api);
    const char *body;
    size_t body_len;
    int rc = 0;
    if (strcmp(argv[1], "cold") == 0) {
        write_all(fd, req, req_len);
        int status = read_response(fd, &body, &body_len);
        printf(status == 200 ? "ok\n" : "failed\n");
        fflush(stdout);
        rc = status == 200 ? 0 : 1;
    } else if (strcmp(argv[1], "loop") == 0 && argc == 3) {
        long n = parse_count(argv[2]);
        double t0 = 0;
        for (long i = -100; i < n; i++) {
            if (i == 0) t0 = now_s();
            write_all(fd, req, req_len);
            int status = read_response(fd, &body, &body_len);
            if (status != 200 || body_len == 0) {
                fprintf(stderr, "unexpected answer %d\n", status);
                return 1;
            }
        }
        double elapsed = now_s() - t0;
        printf("{\"us_per_req\":%.3f,\"n\":%ld}\n", elapsed * 1e6 / (double)(n ? n : 1), n);
    } else {
        fprintf(stderr, "usage: keepalive_limit loop N | cold\n");
        rc = 2;
    }
    close(fd);
    memset(req, 0, req_cap);
    free(req);
    return rc;
}
