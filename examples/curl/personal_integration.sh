#!/usr/bin/env bash
# personal_integration.sh - the raw-HTTP equivalent of examples/c/personal_integration.c,
# kept for comparison: the same steps of Dinero's "personal integration" guide, done with curl
# the way Dinero's docs show them.
#
#   1. exchange client id, client secret and the organization's API key for an access token
#   2. GET /v1/organizations
#   3. GET the first page of contacts
#   4. POST a contact (Danish text, UTF-8)
#   5. POST a contact without a Name: Dinero's validation error (400, code 42)
#
# What this script does NOT do, and the library does: no token caching (one token per run, never
# refreshed before its hour is up), no re-authentication on 401, no retries on 429/5xx or network
# errors, no pacing under the 100-requests-per-minute limit, no paging. Also, the Basic
# credentials and the bearer token sit on curl's command line, visible in `ps` while it runs.
#
# Run it against the local sandbox: start target/release/dinero-sandbox, export the DINERO_*
# variables it prints, then
#     bash examples/curl/personal_integration.sh
# Against the real Dinero, set only the four required variables.
#
# Environment:
#     DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID  (required)
#     DINERO_AUTH_URL  (default https://authz.dinero.dk/dineroapi/oauth/token)
#     DINERO_API_URL   (default https://api.dinero.dk)
#     DINERO_PAGE_SIZE (default 2)
#
# Exit status: 0 success, 1 token request or curl failed, 2 bad environment, 3 an unexpected
# HTTP status (>= 400) in steps 2-4. Needs bash, curl, GNU base64 and python3.
# Never run it with `set -x`: that would print the secrets and the token.

set -euo pipefail

missing=0
for name in DINERO_CLIENT_ID DINERO_CLIENT_SECRET DINERO_API_KEY DINERO_ORGANIZATION_ID; do
    if [ -z "${!name:-}" ]; then
        echo "error: environment variable $name is not set" \
             "(start dinero-sandbox and export the DINERO_* variables it prints)" >&2
        missing=1
    fi
done
if [ "$missing" -ne 0 ]; then
    exit 2
fi

DINERO_AUTH_URL=${DINERO_AUTH_URL:-https://authz.dinero.dk/dineroapi/oauth/token}
DINERO_API_URL=${DINERO_API_URL:-https://api.dinero.dk}
DINERO_API_URL=${DINERO_API_URL%/}
PAGE_SIZE=${DINERO_PAGE_SIZE:-2}
ORG=$DINERO_ORGANIZATION_ID

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
body_file=$workdir/body

heading() {
    printf '\n== %s ==\n' "$1"
}

# api METHOD PATH [JSON] -- prints the request line, the HTTP status and the body;
# leaves the status in $http_status.
http_status=0
api() {
    local method=$1 path=$2 json=${3:-}
    local args=(-sS -g -X "$method" -o "$body_file" -w '%{http_code}'
                -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json')
    if [ -n "$json" ]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$json")
    fi
    printf '> %s %s\n' "$method" "$path"
    if ! http_status=$(curl "${args[@]}" "$DINERO_API_URL$path"); then
        echo "error: curl failed for $method $path" >&2
        exit 1
    fi
    printf '< HTTP %s\n' "$http_status"
    cat "$body_file"
    echo
}

unexpected=0
check() {
    if [ "$http_status" -ge 400 ]; then
        unexpected=1
    fi
}

heading "1. Authenticate (API key -> access token)"
echo "auth_url: $DINERO_AUTH_URL"
echo "api_url:  $DINERO_API_URL"
# The token request, as in Dinero's docs (plus -sS and the output capture).
if ! token_status=$(curl -sS -o "$body_file" -w '%{http_code}' \
        -X POST "$DINERO_AUTH_URL" \
        -H "Authorization: Basic $(printf '%s:%s' "$DINERO_CLIENT_ID" "$DINERO_CLIENT_SECRET" | base64 -w0)" \
        -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-urlencode grant_type=password \
        --data-urlencode 'scope=read write' \
        --data-urlencode "username=$DINERO_API_KEY" \
        --data-urlencode "password=$DINERO_API_KEY"); then
    echo "error: curl failed for the token request" >&2
    exit 1
fi
if [ "$token_status" != 200 ]; then
    # Dinero's token errors carry no secrets: {"message":"{ \"error\": \"invalid_grant\" }"}
    echo "error: token request answered HTTP $token_status: $(cat "$body_file")" >&2
    exit 1
fi
if ! TOKEN=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' \
        < "$body_file" 2>/dev/null) || [ -z "$TOKEN" ]; then
    echo "error: no access_token in the token response" >&2
    exit 1
fi
rm -f "$body_file"
echo "access token: ${#TOKEN} characters (not shown)"

heading "2. The organizations this token reaches"
api GET /v1/organizations
check

heading "3. Contacts, first page"
api GET "/v1/$ORG/contacts?page=0&pageSize=$PAGE_SIZE&fields=ContactGuid,Name"
check

heading "4. Create a contact"
api POST "/v1/$ORG/contacts" \
    '{"Name":"Børge Lund","CountryKey":"DK","IsPerson":true,"IsMember":false,"UseCvr":false,"Street":"Støvringparken 10, st. th","ZipCode":"9530","City":"Støvring"}'
check

heading "5. Dinero's error handling: a contact without a Name"
api POST "/v1/$ORG/contacts" '{"CountryKey":"DK","IsPerson":true}'
echo "(Dinero answers 400 with code 42)"

if [ "$unexpected" -ne 0 ]; then
    echo "error: an HTTP status >= 400 in steps 2-4 (see above)" >&2
    exit 3
fi
echo
echo "done"
