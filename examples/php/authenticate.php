<?php
/**
 * authenticate.php - the "exchange the API key for an access token" step of Dinero's
 * personal-integration guide, in the shape of the docs' PHP example: one function,
 * authenticate($uri, $clientId, $clientSecret, $apiKey), that returns the access token.
 *
 * The docs build the request by hand (Basic base64(clientId:clientSecret), a form body
 * grant_type=password&scope=read write&username=<API key>&password=<API key>, then read
 * access_token from the JSON answer). Here libdinero does the exchange, and its errors come
 * back as exceptions that say what went wrong (never with a secret in them).
 *
 * Run against the sandbox (from the repository root):
 *
 *     make demo
 *
 * or by hand: start target/release/dinero-sandbox, export the DINERO_* variables it prints, then
 *
 *     php examples/php/authenticate.php
 *
 * Environment: DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY (required);
 * DINERO_AUTH_URL (optional; unset means the real Dinero); DINERO_LIBRARY (optional: the
 * libdinero.so to load). The token itself is never printed.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/vendor/autoload.php';

use Dinero\Client;
use Dinero\Exception\DineroException;

function authenticate(string $uri, string $clientId, string $clientSecret, string $apiKey): string
{
    $client = Client::authenticate($clientId, $clientSecret, $apiKey, ['auth_url' => $uri]);
    return $client->accessToken();
}

foreach (['DINERO_CLIENT_ID', 'DINERO_CLIENT_SECRET', 'DINERO_API_KEY'] as $name) {
    if ((string) getenv($name) === '') {
        fwrite(STDERR, "error: environment variable $name is not set "
            . "(start dinero-sandbox and export the DINERO_* variables it prints)\n");
        exit(2);
    }
}
$uri = (string) getenv('DINERO_AUTH_URL') ?: 'https://authz.dinero.dk/dineroapi/oauth/token';

try {
    $token = authenticate($uri, (string) getenv('DINERO_CLIENT_ID'), (string) getenv('DINERO_CLIENT_SECRET'), (string) getenv('DINERO_API_KEY'));
} catch (DineroException $e) {
    fwrite(STDERR, 'error: ' . get_class($e) . ' (status ' . $e->getCode() . '): ' . $e->getMessage() . "\n");
    exit(1);
}
echo "token endpoint: $uri\n";
echo 'access token: ' . strlen($token) . " characters (not shown); send it as \"Authorization: Bearer <token>\"\n";
