<?php
/**
 * personal_integration.php - the steps of Dinero's "personal integration" guide, through
 * libdinero's PHP binding (the same steps as examples/c/personal_integration.c):
 *
 *   1. authenticate with client id, client secret and the organization's API key
 *   2. GET /v1/organizations
 *   3. list the contacts, page by page (and once more with paginate(), which pages for you)
 *   4. create a contact (Danish text, UTF-8)
 *   5. provoke a validation error: Dinero's error answer as an ApiException
 *
 * Run against the sandbox (from the repository root):
 *
 *     make demo
 *
 * or by hand: start target/release/dinero-sandbox, export the DINERO_* variables it prints, then
 *
 *     (cd bindings/php && composer dump-autoload)
 *     php examples/php/personal_integration.php
 *
 * Environment:
 *     DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID  (required)
 *     DINERO_AUTH_URL, DINERO_API_URL   (optional; unset means the real Dinero)
 *     DINERO_PAGE_SIZE                  (optional; contacts per page, default 2)
 *     DINERO_LOG                        (optional; a PSR-3 level such as "info" or "debug":
 *                                        the library's log lines on stderr)
 *     DINERO_LIBRARY                    (optional; the libdinero.so to load)
 *
 * Exit status: 0 success, 1 library error, 2 bad environment, 3 an unexpected HTTP status
 * (>= 400) in steps 2-4. The client secret, the API key and the access token are never printed.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/vendor/autoload.php';

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\DineroException;
use Dinero\Library;

const MAX_PAGES = 50;

function heading(int $step, string $title): void
{
    echo "\n== $step. $title ==\n";
}

function env(string $name, bool $required): ?string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        if ($required) {
            fwrite(STDERR, "error: environment variable $name is not set "
                . "(start dinero-sandbox and export the DINERO_* variables it prints)\n");
            exit(2);
        }
        return null;
    }
    return $value;
}

$clientId = env('DINERO_CLIENT_ID', true);
$clientSecret = env('DINERO_CLIENT_SECRET', true);
$apiKey = env('DINERO_API_KEY', true);
$organizationId = env('DINERO_ORGANIZATION_ID', true);
$authUrl = env('DINERO_AUTH_URL', false);
$apiUrl = env('DINERO_API_URL', false);
$pageSizeText = env('DINERO_PAGE_SIZE', false) ?? '2';
if (!ctype_digit($pageSizeText) || (int) $pageSizeText < 1 || (int) $pageSizeText > 1000) {
    fwrite(STDERR, "error: DINERO_PAGE_SIZE must be a number from 1 to 1000, got \"$pageSizeText\"\n");
    exit(2);
}
$pageSize = (int) $pageSizeText;
$logLevel = env('DINERO_LOG', false);

// Options: only what differs from the defaults (which are the real Dinero).
$options = ['organization_id' => $organizationId];
if ($authUrl !== null) {
    $options['auth_url'] = $authUrl;
}
if ($apiUrl !== null) {
    $options['api_url'] = $apiUrl;
}
if ($logLevel !== null) {
    // Any callable (string $level, string $message), or a PSR-3 logger such as Monolog's.
    // The lines never hold the client secret, the API key or a token.
    $options['logger'] = static function (string $level, string $message): void {
        fwrite(STDERR, "[libdinero $level] $message\n");
    };
    $options['log_level'] = $logLevel;
}

$unexpected = false;
try {
    heading(1, 'Authenticate (API key -> access token)');
    echo 'libdinero ' . Library::version() . ' (loaded with FFI::' . Library::loadedVia() . ")\n";
    echo 'auth_url: ' . ($authUrl ?? '(library default: the real Dinero)') . "\n";
    echo 'api_url:  ' . ($apiUrl ?? '(library default: the real Dinero)') . "\n";
    $client = Client::authenticate($clientId, $clientSecret, $apiKey, $options);
    echo 'access token: ' . strlen($client->accessToken()) . " characters (not shown)\n";

    heading(2, 'The organizations this token reaches');
    echo "> GET /v1/organizations\n";
    $response = $client->request('GET', '/v1/organizations');
    echo "< HTTP {$response->status()}\n";
    foreach ($response->headers() as $name => $value) {
        echo "$name: $value\n";
    }
    foreach ((array) $response->json() as $organization) {
        echo "   - {$organization['Name']} (id {$organization['Id']})\n";
    }
    $unexpected = $unexpected || $response->status() >= 400;

    heading(3, 'Contacts, page by page');
    // Dinero has no "next" link: page until Pagination.Result is reached or a page is short.
    for ($page = 0; $page < MAX_PAGES; $page++) {
        $path = "/v1/{organizationId}/contacts?page=$page&pageSize=$pageSize&fields=ContactGuid,Name";
        echo "> GET $path\n";
        $response = $client->request('GET', $path);
        echo "< HTTP {$response->status()}\n";
        if ($response->status() >= 400) {
            echo $response->body(), "\n";
            $unexpected = true;
            break;
        }
        $answer = $response->json();
        $contacts = $answer['Collection'] ?? [];
        $total = $answer['Pagination']['Result'] ?? null;
        echo "page $page: " . count($contacts) . ' contact(s)' . ($total !== null ? " of $total" : '') . "\n";
        foreach ($contacts as $contact) {
            echo "   - {$contact['Name']}\n";
        }
        if (count($contacts) < $pageSize || ($total !== null && ($page + 1) * $pageSize >= $total)) {
            break;
        }
    }
    // The same in one line: paginate() is a generator over every item of every page.
    $names = [];
    foreach ($client->paginate('/v1/{organizationId}/contacts', $pageSize, ['fields' => 'ContactGuid,Name']) as $contact) {
        $names[] = $contact['Name'];
    }
    echo 'paginate(): ' . count($names) . " contacts in all\n";

    heading(4, 'Create a contact');
    $contact = ['Name' => 'Børge Lund', 'CountryKey' => 'DK', 'IsPerson' => true, 'IsMember' => false, 'UseCvr' => false,
        'Street' => 'Støvringparken 10, st. th', 'ZipCode' => '9530', 'City' => 'Støvring'];
    echo 'body: ' . json_encode($contact, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
    echo "> POST /v1/{organizationId}/contacts\n";
    try {
        $created = $client->post('/v1/{organizationId}/contacts', $contact);
        echo '< created: ' . json_encode($created, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
    } catch (ApiException $e) {
        echo "< {$e->getMessage()}\n";
        $unexpected = true;
    }

    heading(5, "Dinero's error handling: a contact without a Name");
    echo "> POST /v1/{organizationId}/contacts {\"CountryKey\":\"DK\",\"IsPerson\":true}\n";
    try {
        $client->post('/v1/{organizationId}/contacts', ['CountryKey' => 'DK', 'IsPerson' => true]);
        echo "< accepted -- unexpected\n";
    } catch (ApiException $e) {
        echo "< ApiException: HTTP {$e->getStatus()}, Dinero code " . var_export($e->getApiCode(), true) . "\n";
        echo "  message: {$e->getMessage()}\n";
        foreach ($e->getValidationErrors() as $field => $error) {
            echo "  validation error: $field: " . (is_string($error) ? $error : json_encode($error)) . "\n";
        }
        echo '  (HTTP errors are ordinary answers for request(); get/post/put/delete throw them'
            . ($e->getStatus() === 400 ? ')' : ') -- unexpected status') . "\n";
    }
} catch (DineroException $e) {
    // Library errors: AuthenticationException, NetworkException, TimeoutException, ...
    fwrite(STDERR, 'error: ' . get_class($e) . ' (status ' . $e->getCode() . '): ' . $e->getMessage() . "\n");
    exit(1);
}

if ($unexpected) {
    fwrite(STDERR, "error: an HTTP status >= 400 in steps 2-4 (see above)\n");
    exit(3);
}
echo "\ndone\n";
