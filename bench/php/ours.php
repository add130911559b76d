<?php
// The benchmark's PHP client on libdinero (the FFI binding): authenticate once, then
// $client->request('GET', ...) and the body, as an application reads it. Pacing is off
// (rate_limit_per_minute = 0) so that only the client's own cost is measured.

declare(strict_types=1);

require __DIR__ . '/../../bindings/php/vendor/autoload.php';
require __DIR__ . '/common.php';

$client = Dinero\Client::authenticate(
    bench_env('DINERO_CLIENT_ID'),
    bench_env('DINERO_CLIENT_SECRET'),
    bench_env('DINERO_API_KEY'),
    [
        'organization_id' => bench_env('DINERO_ORGANIZATION_ID'),
        'auth_url' => bench_env('DINERO_AUTH_URL'),
        'api_url' => bench_env('DINERO_API_URL'),
        'rate_limit_per_minute' => 0,
    ],
);
$path = bench_env('BENCH_PATH');

bench_main(static function () use ($client, $path): int {
    $response = $client->request('GET', $path);
    return $response->body() === '' ? 0 : $response->status();
}, $argv);
