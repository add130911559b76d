<?php
// Peer: php-curl with one reused handle (so its connection is kept alive): the token request
// (Basic credentials, form body), then GETs with the same Bearer and Accept headers libdinero
// sends.

declare(strict_types=1);

require __DIR__ . '/common.php';

$key = bench_env('DINERO_API_KEY');
$ch = curl_init();
curl_setopt_array($ch, [
    CURLOPT_URL => bench_env('DINERO_AUTH_URL'),
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_TIMEOUT_MS => 30000,
    CURLOPT_TCP_NODELAY => true,
    CURLOPT_HTTPAUTH => CURLAUTH_BASIC,
    CURLOPT_USERPWD => bench_env('DINERO_CLIENT_ID') . ':' . bench_env('DINERO_CLIENT_SECRET'),
    CURLOPT_POSTFIELDS => http_build_query(
        ['grant_type' => 'password', 'scope' => 'read write', 'username' => $key, 'password' => $key],
        '', '&', PHP_QUERY_RFC3986),
]);
$answer = curl_exec($ch);
if (!is_string($answer) || curl_getinfo($ch, CURLINFO_RESPONSE_CODE) !== 200) {
    fwrite(STDERR, "token request failed\n");
    exit(1);
}
$token = json_decode($answer, true, 512, JSON_THROW_ON_ERROR)['access_token'];
curl_setopt_array($ch, [
    CURLOPT_URL => bench_env('BENCH_URL'),
    CURLOPT_HTTPGET => true,
    CURLOPT_HTTPAUTH => CURLAUTH_NONE,
    CURLOPT_USERPWD => null,
    CURLOPT_HTTPHEADER => ["Authorization: Bearer $token", 'Accept: application/json'],
]);

bench_main(static function () use ($ch): int {
    $body = curl_exec($ch);
    return is_string($body) && $body !== '' ? curl_getinfo($ch, CURLINFO_RESPONSE_CODE) : 0;
}, $argv);
