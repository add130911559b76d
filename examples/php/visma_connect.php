<?php
/**
 * visma_connect.php - a public integration's sign-in (Visma Connect) and its later runs, through
 * libdinero's PHP binding:
 *
 *   1. make the authorize URL (state and PKCE verifier made by the library) and print it
 *   2. read what the browser brought back to the redirect URI (the form body, or the URL) from
 *      standard input, and sign in with it; each refresh token goes to a private file
 *   3. list the organizations the user's token reaches
 *   4. list the contacts of each, choosing the organization per request (forOrganization)
 *   5. a later run: a client from the stored refresh token
 *
 * A web application does steps 1 and 2 in two page views: it keeps the array of step 1 in the
 * user's session, redirects the browser to its 'url', and hands the POSTed form ($_POST, or
 * file_get_contents('php://input')) to Client::connectAuthenticateCode when the browser comes
 * back to the redirect URI.
 *
 * Run against the sandbox: start target/release/dinero-sandbox, export the DINERO_* variables it
 * prints, then
 *
 *     DINERO_REFRESH_TOKEN_FILE=/tmp/refresh-token php examples/php/visma_connect.php
 *
 * open the printed address (the sandbox consents at once and shows a form that posts to the
 * redirect URI), and paste the form's fields as code=...&state=... (the PHP tests play that
 * browser: bindings/php/tests/ConnectTest.php).
 *
 * Environment: DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET, DINERO_REFRESH_TOKEN_FILE
 * (required); DINERO_CONNECT_URL, DINERO_API_URL (optional; unset means the real services);
 * DINERO_REDIRECT_URI (optional; default http://127.0.0.1:8765/callback); DINERO_LIBRARY.
 * Exit status: 0 success, 1 library error, 2 bad environment or input, 3 an HTTP error. The
 * client secret, the code, the verifier and the tokens are never printed.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/vendor/autoload.php';

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\DineroException;

$env = static fn (string $name): string => (string) getenv($name);
foreach (['DINERO_CONNECT_CLIENT_ID', 'DINERO_CONNECT_CLIENT_SECRET', 'DINERO_REFRESH_TOKEN_FILE'] as $name) {
    if ($env($name) === '') {
        fwrite(STDERR, "error: set $name (dinero-sandbox prints the Visma Connect ones)\n");
        exit(2);
    }
}
$tokenFile = $env('DINERO_REFRESH_TOKEN_FILE');
$redirectUri = $env('DINERO_REDIRECT_URI') ?: 'http://127.0.0.1:8765/callback';
$options = array_filter([
    'connect_url' => $env('DINERO_CONNECT_URL'),
    'api_url' => $env('DINERO_API_URL'),
]) + [
    // Called with every new refresh token, before the library relies on it: kept in a private
    // file, replaced through a rename so that a crash never leaves half a token.
    'refresh_token_callback' => static function (string $refreshToken) use ($tokenFile): void {
        $temporary = "$tokenFile.tmp";
        $old = umask(0077);
        $written = file_put_contents($temporary, $refreshToken, LOCK_EX) === strlen($refreshToken) && rename($temporary, $tokenFile);
        umask($old);
        echo $written ? "(a new refresh token is kept in $tokenFile)\n" : "error: cannot keep the refresh token in $tokenFile\n";
    },
];
$clientId = $env('DINERO_CONNECT_CLIENT_ID');
$clientSecret = $env('DINERO_CONNECT_CLIENT_SECRET');

function organizations_and_contacts(Client $client): void
{
    echo "\n== 3. organizations ==\n";
    $organizations = $client->organizations();
    foreach ($organizations as $organization) {
        echo "{$organization['Id']}: {$organization['Name']}\n";
    }
    echo "\n== 4. contacts of each ==\n";
    foreach ($organizations as $organization) {
        $contacts = $client->forOrganization($organization['Id'])
            ->get('/v1/{organizationId}/contacts', ['fields' => 'Name', 'pageSize' => 5]);
        echo "organization {$organization['Id']}: ", implode(', ', array_column($contacts['Collection'], 'Name')), "\n";
    }
}

try {
    echo "== 1. sign in ==\n";
    $authorization = Client::connectAuthorizeUrl($clientId, $redirectUri, $options);
    echo "Open this address in a browser:\n{$authorization['url']}\n";
    echo "Then paste here what the browser brought back to $redirectUri:\n";
    $callback = trim((string) fgets(STDIN));
    if ($callback === '') {
        fwrite(STDERR, "error: no answer on standard input\n");
        exit(2);
    }

    echo "\n== 2. the browser's answer ==\n";
    $client = Client::connectAuthenticateCode($clientId, $clientSecret, $authorization, $callback, $options);
    echo "signed in\n";
    organizations_and_contacts($client);
    unset($client);

    echo "\n== 5. a later run, from the kept refresh token ==\n";
    $later = Client::connectAuthenticate($clientId, $clientSecret, (string) file_get_contents($tokenFile), $options);
    echo count($later->organizations()), " organizations reached again\n";
} catch (ApiException $e) {
    fwrite(STDERR, "error: {$e->getRequest()}: {$e->getMessage()}\n");
    exit(3);
} catch (DineroException $e) {
    // LoginRequiredException (a revoked or used-up refresh token): sign in again, step 1.
    fwrite(STDERR, 'error: ' . get_class($e) . ": {$e->getMessage()}\n");
    exit(1);
}
