<?php
// Peer: file_get_contents with a stream context, the style of Dinero's PHP example: the token
// request as a POST stream context, then one file_get_contents per GET (a new connection each
// time: PHP's http stream wrapper does not keep connections alive).

declare(strict_types=1);

require __DIR__ . '/common.php';

$key = bench_env('DINERO_API_KEY');
$basic = base64_encode(bench_env('DINERO_CLIENT_ID') . ':' . bench_env('DINERO_CLIENT_SECRET'));
$tokenContext = stream_context_create(['http' => [
    'method' => 'POST',
    'header' => "Authorization: Basic $basic\r\nContent-Type: application/x-www-form-urlencoded\r\n",
    'content' => http_build_query(
        ['grant_type' => 'password', 'scope' => 'read write', 'username' => $key, 'password' => $key],
        '', '&', PHP_QUERY_RFC3986),
    'timeout' => 30,
]]);
$answer = file_get_contents(bench_env('DINERO_AUTH_URL'), false, $tokenContext);
if ($answer === false) {
    fwrite(STDERR, "token request failed\n");
    exit(1);
}
$token = json_decode($answer, true, 512, JSON_THROW_ON_ERROR)['access_token'];
$context = stream_context_create(['http' => [
    'method' => 'GET',
    'header' => "Authorization: Bearer $token\r\nAccept: application/json\r\n",
    'ignore_errors' => true,
    'timeout' => 30,
]]);
$url = bench_env('BENCH_URL');

bench_main(static function () use ($url, $context): int {
    $body = file_get_contents($url, false, $context);
    if ($body === false || $body === '') {
        return 0;
    }
    // $http_response_header is set in this scope by file_get_contents.
    return (int) explode(' ', $http_response_header[0] ?? '')[1];
}, $argv);
