#!/usr/bin/env bash
# The PHP deployment users actually have, end to end: nginx in front of a php-fpm pool of 8
# workers, a page (tests/deployment/php-fpm/page.php) that builds a Dinero\Client per page view
# and makes one API call, loaded with concurrent page views against dinero-sandbox. Every
# worker names one shared file, so the sandbox must count one token request and no 429, and
# every page must answer 200.
#
#   scripts/test-php-fpm.sh                       with shared_state (`make test` runs it with
#                                                 --ffi enable, then --ffi preload)
#   scripts/test-php-fpm.sh --sharing token_cache the same through token_cache, shared_state's
#                                                 older name. With a library from before
#                                                 shared_state (DINERO_LIBRARY=...), this is the
#                                                 "before": one token, but a rate window per
#                                                 page view, and the sandbox answers 429s
#   scripts/test-php-fpm.sh --sharing none        nothing shared (each page view alone): the
#                                                 checks fail, with a token request per page
#                                                 view and 429s
#   --ffi enable   (default) FFI for the pool's code: php_admin_value[ffi.enable] = true
#   --ffi preload  Debian's default ffi.enable=preload, with libdinero's declarations
#                  (ffi.preload) and the Dinero\ classes (opcache.preload) preloaded, as
#                  bindings/php/README.md recommends; every page checks it went through them
#
# Environment: DINERO_LIBRARY (default target/debug/libdinero.so), DINERO_SANDBOX (default
# target/debug/dinero-sandbox), DINERO_FPM_SHARING (shared_state, token_cache or none; --sharing wins),
# DINERO_FPM_PAGES (default 48 page views), DINERO_FPM_CONCURRENCY (default 16 at a time).
#
# Everything runs as the current user (root: php-fpm with -R and `user = root`, nginx with
# `user root`), from a temporary folder that is removed at exit, on ports the OS picks. php-fpm
# (php<version>-fpm, matching the CLI), nginx (nginx-light) and curl are installed from Debian's
# packages when missing; php-cli and composer as scripts/test-php.sh does.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
caller_pwd=$PWD
export DEBIAN_FRONTEND=noninteractive
export COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 COMPOSER_ALLOW_SUPERUSER=1

sharing=${DINERO_FPM_SHARING:-shared_state}
ffi=enable
while [ $# -gt 0 ]; do
  case "$1" in
    --sharing) sharing=${2:?--sharing needs shared_state, token_cache or none}; shift 2 ;;
    --sharing=*) sharing=${1#--sharing=}; shift ;;
    --ffi) ffi=${2:?--ffi needs enable or preload}; shift 2 ;;
    --ffi=*) ffi=${1#--ffi=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$sharing" in
  shared_state | token_cache | none) ;;
  *) echo "error: --sharing must be shared_state, token_cache or none, not $sharing" >&2; exit 2 ;;
esac
case "$ffi" in
  enable) expect_via=cdef ;;
  preload) expect_via=scope ;;
  *) echo "error: --ffi must be enable or preload, not $ffi" >&2; exit 2 ;;
esac

pages=${DINERO_FPM_PAGES:-48}
concurrency=${DINERO_FPM_CONCURRENCY:-16}
workers=8
# Dinero allows 100 requests a minute; scaled down so the run takes seconds, not minutes.
rate_limit=20
rate_window_ms=2000
for n in "$pages" "$concurrency"; do
  [[ "$n" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "error: page counts must be 1..9999, not $n" >&2; exit 2; }
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "installing: $*"
  as_root apt-get update -qq </dev/null
  as_root apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

"$root/scripts/test-php.sh" --deps-only
php_version=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
fpm=$(command -v "php-fpm$php_version" || true)
if [ -z "$fpm" ]; then
  apt_install "php$php_version-fpm"
  fpm=$(command -v "php-fpm$php_version")
fi
if ! "$fpm" -m | grep -x FFI >/dev/null; then
  # FFI is in Debian's php<version>-common, but may have been switched off for the FPM SAPI.
  command -v phpenmod >/dev/null 2>&1 && as_root phpenmod -s fpm ffi
  "$fpm" -m | grep -x FFI >/dev/null || { echo "error: $fpm does not list FFI (php -m)" >&2; exit 1; }
fi
if ! command -v nginx >/dev/null 2>&1; then
  # nginx-light is gone from newer Debian releases, where nginx itself is the small one.
  apt_install nginx-light || apt_install nginx
fi
command -v curl >/dev/null 2>&1 || apt_install curl

absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) if [ -e "$caller_pwd/$1" ]; then printf '%s\n' "$caller_pwd/$1"; else printf '%s\n' "$root/$1"; fi ;;
  esac
}
library=$(absolute "${DINERO_LIBRARY:-target/debug/libdinero.so}")
sandbox_bin=$(absolute "${DINERO_SANDBOX:-target/debug/dinero-sandbox}")
for f in "$library" "$sandbox_bin"; do
  [ -f "$f" ] || { echo "error: $f is missing (build it first: cargo build --workspace)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dinero-php-fpm.XXXXXX")
started=() # "pid name", stopped in reverse order at exit

stop_all() {
  local i pid name deadline
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    read -r pid name <<<"${started[i]}"
    kill -TERM "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "warning: $name (pid $pid) did not stop within 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  started=()
}

cleanup() {
  stop_all
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints a log's last lines, for a failure's diagnosis (none of these logs holds a secret).
show_log() {
  [ -s "$1" ] || return 0
  echo "--- last lines of $(basename "$1") ---" >&2
  tail -n 20 "$1" >&2
}

# wait_until DESCRIPTION SECONDS PID COMMAND...: polls COMMAND until it succeeds; fails when the
# deadline passes or the process PID has exited.
wait_until() {
  local what=$1 seconds=$2 pid=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $what: the process exited" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "error: $what: not ready within $seconds s" >&2
      return 1
    fi
    sleep 0.05
  done
}

# A port the OS picks; nginx cannot bind port 0, so it is bound once here, released, and
# nginx's start is retried on the rare chance that someone else took it in between.
free_port() {
  php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); if ($s === false) exit(1);
          echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1), "\n";'
}

# --- the sandbox -------------------------------------------------------------------------
# Judged over any window of that length, the stricter judge: a pool it never refuses stays
# under Dinero's fixed window wherever that window's edges fall.
"$sandbox_bin" --port 0 --env-file "$tmp/sandbox.env" \
  --rate-limit "$rate_limit" --rate-window-ms "$rate_window_ms" --sliding-rate-window \
  </dev/null >"$tmp/sandbox.log" 2>&1 &
started+=("$! dinero-sandbox")
wait_until "dinero-sandbox" 15 "$!" test -s "$tmp/sandbox.env" || { show_log "$tmp/sandbox.log"; exit 1; }
declare -A sandbox=()
while IFS='=' read -r key value; do
  [ -n "$key" ] && sandbox[$key]=$value
done <"$tmp/sandbox.env"
api_url=${sandbox[DINERO_API_URL]}

# --- the autoloader, as Composer makes it for an application (in the temporary folder) -------
(cd "$root/bindings/php" && COMPOSER_VENDOR_DIR="$tmp/vendor" timeout 120 composer dump-autoload --quiet </dev/null)

# --- php-fpm --------------------------------------------------------------------------------
fpm_flags=()
pool_user=""
if [ "$(id -u)" -eq 0 ]; then
  # php-fpm refuses to run workers as root without -R; CI runs as root.
  fpm_flags+=(--allow-to-run-as-root)
  pool_user=$'user = root\ngroup = root'
fi
if [ "$ffi" = enable ]; then
  ffi_pool_line="php_admin_value[ffi.enable] = true"
else
  # Master-wide settings (php.ini or a conf.d file in a real deployment; -d flags here).
  php "$root/bindings/php/bin/dinero-preload-header" --library "$library" --output "$tmp/dinero.h"
  fpm_flags+=(-d ffi.enable=preload -d "ffi.preload=$tmp/dinero.h"
    -d opcache.enable=1 -d "opcache.preload=$root/bindings/php/preload.php"
    -d "opcache.preload_user=$(id -un)")
  ffi_pool_line="; ffi.enable = preload (the default): only the preloaded code may use FFI"
fi
{
  cat <<EOF
[global]
pid = $tmp/php-fpm.pid
error_log = $tmp/php-fpm.log
daemonize = no

[dinero]
$pool_user
listen = $tmp/php-fpm.sock
listen.mode = 0600
pm = static
pm.max_children = $workers
request_terminate_timeout = 120s
catch_workers_output = yes
decorate_workers_output = no
php_admin_flag[log_errors] = on
php_admin_value[error_log] = $tmp/php-errors.log
$ffi_pool_line
; What every page view's client needs; clear_env stays on, so only these reach the workers.
env[DINERO_LIBRARY] = "$library"
env[DINERO_AUTOLOAD] = "$tmp/vendor/autoload.php"
env[DINERO_SHARING_OPTION] = "$sharing"
env[DINERO_SHARING_PATH] = "$tmp/dinero-shared.state"
env[DINERO_RATE_LIMIT] = $rate_limit
env[DINERO_RATE_WINDOW_MS] = $rate_window_ms
EOF
  for key in DINERO_AUTH_URL DINERO_API_URL DINERO_CLIENT_ID DINERO_CLIENT_SECRET DINERO_API_KEY DINERO_ORGANIZATION_ID; do
    printf 'env[%s] = "%s"\n' "$key" "${sandbox[$key]}"
  done
} >"$tmp/php-fpm.conf"
chmod 600 "$tmp/php-fpm.conf"
"$fpm" --nodaemonize --fpm-config "$tmp/php-fpm.conf" "${fpm_flags[@]}" </dev/null >"$tmp/php-fpm.out" 2>&1 &
fpm_pid=$!
started+=("$fpm_pid php-fpm")
wait_until "php-fpm" 15 "$fpm_pid" test -S "$tmp/php-fpm.sock" || {
  show_log "$tmp/php-fpm.out"
  show_log "$tmp/php-fpm.log"
  exit 1
}

# --- nginx ----------------------------------------------------------------------------------
mkdir -p "$tmp/nginx"
nginx_user=""
[ "$(id -u)" -eq 0 ] && nginx_user="user root root;"
# Every temp path this nginx was built with, inside the temporary folder (the built-in ones
# under /var/lib/nginx are not writable by an ordinary user).
temp_paths=""
nginx_build=$(nginx -V 2>&1)
for kind in client_body fastcgi proxy scgi uwsgi; do
  flag=--http-${kind//_/-}-temp-path
  [ "$kind" = client_body ] && flag=--http-client-body-temp-path
  [[ "$nginx_build" == *"$flag"* ]] && temp_paths+="    ${kind}_temp_path $tmp/nginx/$kind;"$'\n'
done

start_nginx() {
  local port=$1
  cat >"$tmp/nginx.conf" <<EOF
$nginx_user
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log notice;
daemon off;
events { worker_connections 512; }
http {
    access_log $tmp/nginx-access.log;
$temp_paths
    server {
        listen 127.0.0.1:$port;
        location = /healthz { return 204; }
        location = /contacts.php {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $root/tests/deployment/php-fpm/page.php;
            fastcgi_pass unix:$tmp/php-fpm.sock;
            fastcgi_read_timeout 120s;
        }
    }
}
EOF
  : >"$tmp/nginx-error.log"
  nginx -p "$tmp/nginx" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" </dev/null >"$tmp/nginx.out" 2>&1 &
  nginx_pid=$!
  started+=("$nginx_pid nginx")
  wait_until "nginx" 15 "$nginx_pid" answers "http://127.0.0.1:$port/healthz"
}

answers() {
  curl -fs -o /dev/null --max-time 1 "$1"
}

port=""
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  start_nginx "$port" && break
  if ! grep -q "Address already in use" "$tmp/nginx.out" "$tmp/nginx-error.log" || [ "$attempt" -eq 5 ]; then
    show_log "$tmp/nginx.out"
    show_log "$tmp/nginx-error.log"
    exit 1
  fi
  echo "port $port was taken in between; trying another"
  unset 'started[${#started[@]}-1]'
done

echo "php-fpm $php_version ($workers workers, $sharing, ffi $ffi), nginx on 127.0.0.1:$port, sandbox at $api_url" \
  "($rate_limit requests per $rate_window_ms ms)"
echo "loading: $pages page views, $concurrency at a time"

# --- the load -------------------------------------------------------------------------------
mkdir -p "$tmp/pages"
load_start=$(date +%s.%N)
load_rc=0
timeout 300 curl --parallel --parallel-immediate --parallel-max "$concurrency" -sS --max-time 120 \
  -o "$tmp/pages/view-#1.json" -w '%{http_code}\n' \
  "http://127.0.0.1:$port/contacts.php?view=[1-$pages]" >"$tmp/codes.txt" 2>"$tmp/curl.err" || load_rc=$?
wall=$(php -r 'printf("%.1f", microtime(true) - (float) $argv[1]);' "$load_start")
[ "$load_rc" -eq 0 ] || { echo "curl exited with $load_rc:" >&2; head -n 5 "$tmp/curl.err" >&2; }

curl -fsS --max-time 10 "$api_url/_sandbox/stats" >"$tmp/stats.json"
read -r token_requests answered_429 contact_calls < <(php -r '
  $s = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
  echo $s["token_requests"], " ", $s["responses"]["429"] ?? 0, " ", $s["routes"]["GET /v1/{org}/contacts"] ?? 0, "\n";
' "$tmp/stats.json") || { echo "error: cannot read the sandbox's stats" >&2; exit 1; }
ok_pages=$(grep -cx 200 "$tmp/codes.txt" || true)
answered=$(grep -c . "$tmp/codes.txt" || true)
# How many workers served pages, and how many pages loaded libdinero the expected way.
read -r pids via_pages < <(php -r '
  $pids = [];
  $via = 0;
  foreach (glob($argv[1] . "/*.json") ?: [] as $file) {
      $page = json_decode((string) file_get_contents($file), true);
      if (is_array($page) && isset($page["pid"])) $pids[$page["pid"]] = true;
      if (is_array($page) && ($page["ffi"] ?? null) === $argv[2]) $via++;
  }
  echo count($pids), " ", $via, "\n";' "$tmp/pages" "$expect_via")

echo "figures: $pages page views, $concurrency concurrent, $workers workers ($pids served pages)," \
  "$token_requests token requests, $answered_429 answers 429, $contact_calls API calls, wall $wall s"

# --- the checks -----------------------------------------------------------------------------
passed=0
failed=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "FAIL - $what"
    failed=$((failed + 1))
  fi
}
check "every page view answered ($answered of $pages)" test "$answered" -eq "$pages"
check "every page answered 200 ($ok_pages of $pages)" test "$ok_pages" -eq "$pages"
check "the sandbox counted one token request ($token_requests)" test "$token_requests" -eq 1
check "the sandbox answered no 429 ($answered_429)" test "$answered_429" -eq 0
check "one API call per page view, none repeated ($contact_calls for $pages)" test "$contact_calls" -eq "$pages"
check "the pages were served by several workers ($pids)" test "$pids" -ge 2
check "every page loaded libdinero through FFI::$expect_via ($via_pages of $pages)" test "$via_pages" -eq "$pages"

if [ "$failed" -gt 0 ]; then
  for page in "$tmp"/pages/*.json; do
    grep -q '"dinero":200' "$page" 2>/dev/null || { echo "a page that failed: $(head -c 400 "$page")" >&2; break; }
  done
  show_log "$tmp/php-errors.log"
  show_log "$tmp/php-fpm.log"
  show_log "$tmp/nginx-error.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
