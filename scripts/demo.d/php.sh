# shellcheck shell=bash
# Sourced by scripts/demo.sh (from the repository root, with `section` defined and the DINERO_*
# variables of the running sandbox exported, `$work` its temporary folder): the PHP examples,
# on the release library.

scripts/test-php.sh --deps-only
(cd bindings/php && COMPOSER_NO_INTERACTION=1 COMPOSER_DISABLE_NETWORK=1 COMPOSER_ALLOW_SUPERUSER=1 \
  composer dump-autoload --quiet </dev/null)

section "PHP: the docs' authenticate() function on libdinero (examples/php/authenticate.php)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" php examples/php/authenticate.php

section "PHP example (examples/php/personal_integration.php)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" php examples/php/personal_integration.php

section "PHP example: upload a receipt, download an invoice PDF (examples/php/files.php)"
DINERO_LIBRARY="$PWD/target/release/libdinero.so" php examples/php/files.php "" "${work:-/tmp}/invoice-php.pdf"

section "PHP example: a public integration's sign-in through Visma Connect (examples/php/visma_connect.php)"
# scripts/play-browser.py plays the user's browser, as for the C example.
DINERO_LIBRARY="$PWD/target/release/libdinero.so" DINERO_REFRESH_TOKEN_FILE="${work:-/tmp}/refresh-token-php" \
  python3 scripts/play-browser.py php examples/php/visma_connect.php
