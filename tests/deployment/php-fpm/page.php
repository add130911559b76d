<?php
/**
 * A page as a PHP application would write it: every page view builds its own Dinero\Client
 * (PHP keeps nothing between requests) and makes one API call. What several PHP-FPM workers
 * share is the file named by the sharing option (shared_state, or token_cache for the "before"
 * run), so together they make one token request and stay under the rate limit.
 *
 * Set by the pool (env[...] lines in its config, see scripts/test-php-fpm.sh): the sandbox's
 * DINERO_* settings, DINERO_LIBRARY, DINERO_AUTOLOAD (Composer's autoload.php),
 * DINERO_SHARING_OPTION (shared_state, token_cache, or none: nothing shared) and
 * DINERO_SHARING_PATH, DINERO_RATE_LIMIT and DINERO_RATE_WINDOW_MS.
 *
 * Answers 200 with {"dinero": 200, "pid": ..., "ffi": ...} when Dinero answered 200 ("ffi":
 * "scope" when libdinero's declarations were preloaded, "cdef" when loaded at run time); 502
 * with Dinero's status when it answered anything else; 500 with the error when the call failed.
 */

declare(strict_types=1);

require (string) getenv('DINERO_AUTOLOAD');

use Dinero\Client;
use Dinero\Exception\DineroException;
use Dinero\Library;

header('Content-Type: application/json');

function answer(int $status, array $body): void
{
    http_response_code($status);
    echo json_encode($body + ['pid' => getmypid(), 'ffi' => Library::loadedVia()], JSON_UNESCAPED_SLASHES), "\n";
}

$options = [
    'organization_id' => (string) getenv('DINERO_ORGANIZATION_ID'),
    'auth_url' => (string) getenv('DINERO_AUTH_URL'),
    'api_url' => (string) getenv('DINERO_API_URL'),
    'rate_limit_per_minute' => (int) getenv('DINERO_RATE_LIMIT'),
    'rate_limit_window_ms' => (int) getenv('DINERO_RATE_WINDOW_MS'),
];
$sharing = (string) getenv('DINERO_SHARING_OPTION');
if ($sharing !== 'none') {
    $options[$sharing] = (string) getenv('DINERO_SHARING_PATH');
}

try {
    $client = Client::authenticate(
        (string) getenv('DINERO_CLIENT_ID'),
        (string) getenv('DINERO_CLIENT_SECRET'),
        (string) getenv('DINERO_API_KEY'),
        $options
    );
    $response = $client->request('GET', '/v1/{organizationId}/contacts?page=0&pageSize=1');
    $status = $response->status();
    answer($status === 200 ? 200 : 502, ['dinero' => $status]);
} catch (DineroException $e) {
    // The library's messages never hold a secret, so the error can go back to the caller.
    answer(500, ['error' => get_class($e) . ': ' . $e->getMessage()]);
}
