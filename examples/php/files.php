<?php
/**
 * files.php - the paperwork side of a personal integration, through libdinero's PHP binding
 * (the same steps as examples/c/files.c):
 *
 *   1. authenticate
 *   2. upload a receipt to Dinero's files endpoint (multipart, at most 6 MB); show its FileGuid
 *   3. list the organization's files (only those attached to a voucher, so not the fresh
 *      receipt) and read the receipt back, retrying while it is not readable yet
 *   4. download an invoice as a PDF (Accept: application/octet-stream) and save it to disk
 *   5. a file over 6 MB is refused before anything is sent
 *
 * Run against the sandbox (from the repository root):
 *
 *     make demo
 *
 * or by hand: start target/release/dinero-sandbox, export the DINERO_* variables it prints, then
 *
 *     (cd bindings/php && composer dump-autoload)
 *     php examples/php/files.php [receipt-file] [invoice.pdf]
 *
 * Without a receipt file (or with "") it uploads a small generated text receipt. The invoice PDF
 * is saved to the second argument (default: invoice.pdf in the current folder).
 *
 * Environment:
 *     DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID  (required)
 *     DINERO_AUTH_URL, DINERO_API_URL   (optional; unset means the real Dinero)
 *     DINERO_LOG                        (optional; a PSR-3 level such as "info" or "debug":
 *                                        the library's log lines on stderr)
 *     DINERO_LIBRARY                    (optional; the libdinero.so to load)
 *
 * Exit status: 0 success, 1 library error (FileException: a local file could not be read or
 * written), 2 bad environment, 3 an unexpected HTTP status or a read-back that does not match.
 * Reading a file back (GET /v1/{organizationId}/files/{guid}) is not in Dinero's documentation
 * (the sandbox serves it): when it still answers 404 after the retries, that is reported and
 * the example goes on.
 * The client secret, the API key and the access token are never printed.
 */

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/vendor/autoload.php';

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\DineroException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Library;

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

$receiptFile = ($argv[1] ?? '') !== '' ? $argv[1] : null;
$invoiceFile = ($argv[2] ?? '') !== '' ? $argv[2] : 'invoice.pdf';

$options = ['organization_id' => env('DINERO_ORGANIZATION_ID', true)];
foreach (['auth_url' => 'DINERO_AUTH_URL', 'api_url' => 'DINERO_API_URL'] as $option => $variable) {
    $value = env($variable, false);
    if ($value !== null) {
        $options[$option] = $value;
    }
}
$logLevel = env('DINERO_LOG', false);
if ($logLevel !== null) {
    $options['logger'] = static function (string $level, string $message): void {
        fwrite(STDERR, "[libdinero $level] $message\n");
    };
    $options['log_level'] = $logLevel;
}
$clientId = env('DINERO_CLIENT_ID', true);
$clientSecret = env('DINERO_CLIENT_SECRET', true);
$apiKey = env('DINERO_API_KEY', true);

try {
    heading(1, 'Authenticate');
    echo 'libdinero ' . Library::version() . ' (loaded with FFI::' . Library::loadedVia() . ")\n";
    $client = Client::authenticate($clientId, $clientSecret, $apiKey, $options);

    heading(2, 'Upload a receipt');
    if ($receiptFile !== null) {
        // The library reads the file; its name and content type (from the extension) go along.
        echo "> POST " . Client::FILES . " ($receiptFile)\n";
        $uploaded = $client->uploadFile($receiptFile); // a FileException if it cannot be read
        $receipt = (string) file_get_contents($receiptFile);
    } else {
        $name = 'kvittering-' . date('Y-m-d') . '.txt';
        $receipt = "Kvittering\nKaffebaren, Støvring\n2 × kaffe      50,00 kr.\nheraf moms     10,00 kr.\n";
        echo "> POST " . Client::FILES . " ($name, " . strlen($receipt) . " bytes from memory)\n";
        $uploaded = $client->uploadBytes($receipt, $name);
    }
    $fileGuid = $uploaded['FileGuid'];
    echo "< FileGuid $fileGuid (a voucher refers to the receipt by it)\n";

    heading(3, 'The files of the organization, and the receipt back');
    // Dinero lists a file only once it is attached to a voucher: the fresh receipt is not here.
    $listed = 0;
    foreach ($client->paginate(Client::FILES, 100) as $file) {
        printf("   - %s  %-28s %-18s %8d bytes\n", $file['FileGuid'], $file['FileName'], $file['ContentType'], $file['Size']);
        $listed++;
    }
    echo "$listed file(s) listed; Dinero lists the receipt once a voucher refers to it\n";

    // An uploaded file may take a second to become readable, answering 404 until then: a few
    // tries over about two seconds. The route is not in Dinero's documentation (the sandbox
    // serves it), so a 404 that lasts is reported, not fatal.
    $back = null;
    $tries = 0;
    while ($back === null && $tries < 5) {
        if ($tries++ > 0) {
            usleep(500_000);
        }
        try {
            $back = $client->download(Client::FILES . "/$fileGuid", '*/*');
        } catch (ApiException $e) {
            if ($e->getStatus() !== 404) {
                throw $e;
            }
        }
    }
    if ($back === null) {
        echo "the receipt is not readable back (still 404 after $tries tries over about 2 s)\n";
    } else {
        $same = $back === $receipt;
        echo "read back on try $tries: " . strlen($back) . ' bytes, ' . ($same ? 'identical to what was uploaded' : 'DIFFERENT from what was uploaded') . "\n";
        if (!$same) {
            exit(3);
        }
    }

    heading(4, 'An invoice as PDF');
    // The query parameters are encoded by the library (RFC 3986).
    $invoices = $client->get('/v1/{organizationId}/invoices', ['fields' => 'Guid,Number', 'pageSize' => 1]);
    $invoice = $invoices['Collection'][0] ?? null;
    if ($invoice === null) {
        echo "the organization has no invoices: nothing to download\n";
    } else {
        $path = "/v1/{organizationId}/invoices/{$invoice['Guid']}";
        echo "> GET $path (Accept: application/octet-stream)\n";
        $pdf = $client->download($path, 'application/octet-stream', [], $invoiceFile);
        echo '< ' . strlen($pdf) . " bytes, starting with " . json_encode(substr($pdf, 0, 8)) . "\n";
        echo "saved to $invoiceFile (" . filesize($invoiceFile) . " bytes)\n";
        if (!str_starts_with($pdf, '%PDF-')) {
            fwrite(STDERR, "error: the invoice is not a PDF\n");
            exit(3);
        }
    }

    heading(5, 'Over 6 MB: refused before anything is sent');
    try {
        $client->uploadBytes(str_repeat("\0", 6 * 1024 * 1024 + 1), 'too-large.pdf');
        echo "uploaded -- unexpected\n";
        exit(3);
    } catch (InvalidArgumentException $e) {
        echo 'InvalidArgumentException: ' . $e->getMessage() . "\n";
    }
} catch (ApiException $e) {
    fwrite(STDERR, "error: {$e->getMessage()}\n");
    exit(3);
} catch (DineroException $e) {
    // FileException (a local file), AuthenticationException, NetworkException, ...
    fwrite(STDERR, 'error: ' . get_class($e) . ' (status ' . $e->getCode() . '): ' . $e->getMessage() . "\n");
    exit(1);
}
echo "\ndone\n";
