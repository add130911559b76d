<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\AuthenticationException;
use Dinero\Exception\DineroException;
use Dinero\Exception\FileException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Exception\NetworkException;
use Dinero\Exception\TimeoutException;
use Dinero\Status;

final class ExceptionTest extends SandboxTestCase
{
    /** @return iterable<string, array{int, class-string}> */
    public static function statuses(): iterable
    {
        yield 'NULL_ARGUMENT' => [Status::NULL_ARGUMENT, InvalidArgumentException::class];
        yield 'INVALID_UTF8' => [Status::INVALID_UTF8, InvalidArgumentException::class];
        yield 'INVALID_ARGUMENT' => [Status::INVALID_ARGUMENT, InvalidArgumentException::class];
        yield 'AUTH_REJECTED' => [Status::AUTH_REJECTED, AuthenticationException::class];
        yield 'AUTH_UNAVAILABLE' => [Status::AUTH_UNAVAILABLE, AuthenticationException::class];
        yield 'NETWORK' => [Status::NETWORK, NetworkException::class];
        yield 'TIMEOUT' => [Status::TIMEOUT, TimeoutException::class];
        yield 'TLS' => [Status::TLS, \Dinero\Exception\TLSException::class];
        yield 'PROTOCOL' => [Status::PROTOCOL, \Dinero\Exception\ProtocolException::class];
        yield 'PANIC' => [Status::PANIC, DineroException::class];
        yield 'RESPONSE_TOO_LARGE' => [Status::RESPONSE_TOO_LARGE, \Dinero\Exception\ResponseTooLargeException::class];
        yield 'IO' => [Status::IO, FileException::class];
        yield 'a future status' => [99, DineroException::class];
    }

    /**
     * @dataProvider statuses
     * @param class-string $class
     */
    public function testEachStatusMapsToItsException(int $status, string $class): void
    {
        $e = DineroException::fromStatus($status, 'detail');
        $this->assertSame($class, get_class($e));
        if (in_array($status, [Status::TLS, Status::PROTOCOL, Status::RESPONSE_TOO_LARGE], true)) {
            $this->assertInstanceOf(NetworkException::class, $e, 'kinds of network failure, as in every binding');
        }
        $this->assertInstanceOf(DineroException::class, $e);
        $this->assertInstanceOf(\RuntimeException::class, $e);
        $this->assertSame($status, $e->getCode());
        $this->assertSame('detail', $e->getMessage());
    }

    public function testStatusDescriptionsComeFromTheLibrary(): void
    {
        $this->assertSame('authentication rejected', Status::describe(Status::AUTH_REJECTED));
        $this->assertSame('unknown status', Status::describe(12345));
        $this->assertSame('unknown status', Status::describe(-1));
    }

    /**
     * With zend.exception_ignore_args off (PHP's default outside production ini files), a
     * trace lists each frame's arguments: the credentials must not be among them.
     */
    public function testSecretsNeverAppearInStackTraces(): void
    {
        $env = $this->sandbox()->env;
        $previous = ini_set('zend.exception_ignore_args', '0');
        try {
            $options = $this->sandbox()->options();
            foreach ([
                // refused by the token endpoint, then refused before the call
                static fn () => Client::authenticate($env['DINERO_CLIENT_ID'], 'trace-secret-31f7', 'wrong-api-key-9d4c', $options),
                static fn () => Client::authenticate($env['DINERO_CLIENT_ID'], 'trace-secret-31f7', "nul-api-key-\0-77b", $options),
                // Visma Connect: a refresh token the server does not know
                static fn () => Client::connectAuthenticate($env['DINERO_CONNECT_CLIENT_ID'], 'trace-secret-31f7', 'refresh-token-5e1a', $options + ['connect_url' => $env['DINERO_CONNECT_URL']]),
            ] as $signIn) {
                try {
                    $signIn();
                    $this->fail('accepted');
                } catch (DineroException $e) {
                    // The binding's frames with their arguments (the test's own frames hold the
                    // secrets as this test's variables: they are not the binding's to hide).
                    $frames = array_filter($e->getTrace(), fn (array $f): bool => str_starts_with($f['class'] ?? '', 'Dinero\\')
                        && !str_starts_with($f['class'] ?? '', 'Dinero\\Tests\\'));
                    // print_r shows what var_export does not: the variables a closure among the
                    // arguments carries.
                    $shown = $e->getTraceAsString() . "\n" . var_export(array_values($frames), true) . "\n"
                        . print_r(array_values($frames), true) . "\n" . $e->getMessage();
                    $this->assertMatchesRegularExpression('~authenticate|connectAuthenticate~', $shown);
                    foreach (['trace-secr', 'wrong-api-k', 'nul-api-key', 'refresh-token-5e1'] as $part) {
                        $this->assertFalse(str_contains($shown, $part), "$part is in the trace:\n$shown");
                    }
                }
            }
        } finally {
            ini_set('zend.exception_ignore_args', (string) $previous);
        }
    }

    /**
     * An exception made inside the logger or the refresh-token callback, while the library runs
     * a sign-in, has every frame below it in its trace, the FFI call's among them: no argument
     * of any of them shows a secret (they reach FFI as C strings of their own).
     */
    /** @var list<string> */
    private static array $tokensSeen = [];

    public function testExceptionsMadeInsideTheCallbacksShowNoSecretInTheirTrace(): void
    {
        $sandbox = new Sandbox(['--client-secret', 'callback-trace-secret-41d7', '--api-key', 'callback-trace-key-9e2b',
            '--connect-client-secret', 'callback-trace-connect-6a0c']);
        $env = $sandbox->env;
        $previous = ini_set('zend.exception_ignore_args', '0');
        $traces = [];
        $keep = static function (\Throwable $e) use (&$traces): void {
            $frames = array_filter($e->getTrace(), static fn (array $f): bool => !str_starts_with($f['class'] ?? '', 'Dinero\\Tests\\')
                && !str_starts_with($f['class'] ?? '', 'PHPUnit\\'));
            $traces[] = $e->getTraceAsString() . "\n" . print_r(array_values($frames), true);
        };
        try {
            $options = $sandbox->options();
            $options['logger'] = static function (string $level, string $message) use ($keep): void {
                $keep(new \RuntimeException('the log is full'));
            };
            Client::authenticate($env['DINERO_CLIENT_ID'], $env['DINERO_CLIENT_SECRET'], $env['DINERO_API_KEY'], $options);
            $connect = ['connect_url' => $env['DINERO_CONNECT_URL'], 'api_url' => $env['DINERO_API_URL']];
            $authorization = Client::connectAuthorizeUrl($env['DINERO_CONNECT_CLIENT_ID'], 'http://127.0.0.1:9/callback', $connect);
            preg_match_all('~name="([^"]*)"[^>]*value="([^"]*)"~', (string) file_get_contents($authorization['url']), $m);
            $callback = http_build_query(array_combine($m[1], array_map('html_entity_decode', $m[2])));
            // Kept in a static property: a closure's own variables show in a dump of its frame.
            self::$tokensSeen = [];
            $connect['refresh_token_callback'] = static function (#[\SensitiveParameter] string $token) use ($keep): void {
                self::$tokensSeen[] = $token;
                $keep(new \RuntimeException('the database is down'));
            };
            Client::connectAuthenticateCode($env['DINERO_CONNECT_CLIENT_ID'], $env['DINERO_CONNECT_CLIENT_SECRET'], $authorization, $callback, $connect);
        } finally {
            ini_set('zend.exception_ignore_args', (string) $previous);
            $sandbox->stop();
        }
        $tokens = self::$tokensSeen;
        $this->assertNotEmpty($tokens);
        $this->assertGreaterThan(1, count($traces), 'the logger and the callback ran');
        $shown = implode("\n", $traces);
        $this->assertStringContainsString('FFI->dinero_connect_authenticate_code', $shown, 'the trace reaches the FFI call');
        parse_str($callback, $fields);
        $secrets = [$env['DINERO_CLIENT_SECRET'], $env['DINERO_API_KEY'], $env['DINERO_CONNECT_CLIENT_SECRET'],
            $authorization['code_verifier'], (string) $fields['code'], ...$tokens];
        foreach ($secrets as $secret) {
            // The first characters, as a cut-off argument shows them.
            $this->assertFalse(str_contains($shown, substr($secret, 0, 12)), 'a secret is in a trace');
        }
        // Nor one character per line, as a dump of a C char array shows it.
        foreach ([$env['DINERO_CLIENT_SECRET'], $env['DINERO_API_KEY']] as $secret) {
            $this->assertFalse(str_contains($shown, "=> {$secret[0]}\n"), "a secret's characters are in a trace");
        }
    }

    /** A server that echoes the request back: dumping the exception shows none of it. */
    public function testDumpingAnApiExceptionShowsNoEchoedToken(): void
    {
        $client = $this->sandbox()->client();
        $token = $client->accessToken();
        $this->sandbox()->inject(['kind' => 'echo', 'status' => 400, 'shape' => 'raw', 'target' => 'api']);
        try {
            $client->get('/v1/{organizationId}/contacts');
            $this->fail('accepted');
        } catch (ApiException $e) {
            $this->assertStringContainsString($token, $e->getBody(), 'the raw body is still there to read');
            $this->assertNotNull($e->getHeaders());
            ob_start();
            var_dump($e);
            $shown = ob_get_clean() . print_r($e, true) . var_export($e, true) . serialize($e);
            $this->assertFalse(str_contains($shown, substr($token, 0, 20)), 'the token is in a dump');
        }
    }

    public function testWrongSecretIsAuthenticationRejectedAndNeverShown(): void
    {
        $env = $this->sandbox()->env;
        try {
            Client::authenticate($env['DINERO_CLIENT_ID'], 'not-the-secret-77', $env['DINERO_API_KEY'], $this->sandbox()->options());
            $this->fail('accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame(Status::AUTH_REJECTED, $e->getCode());
            $this->assertStringContainsString('authentication rejected', $e->getMessage());
            $this->assertStringNotContainsString('not-the-secret-77', $e->getMessage());
            $this->assertStringNotContainsString($env['DINERO_API_KEY'], $e->getMessage());
        }
    }

    public function testWrongApiKeyIsAuthenticationRejectedAndNeverShown(): void
    {
        $env = $this->sandbox()->env;
        try {
            Client::authenticate($env['DINERO_CLIENT_ID'], $env['DINERO_CLIENT_SECRET'], 'wrong-api-key-55', $this->sandbox()->options());
            $this->fail('accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame(Status::AUTH_REJECTED, $e->getCode());
            $this->assertStringNotContainsString('wrong-api-key-55', $e->getMessage());
            $this->assertStringNotContainsString($env['DINERO_CLIENT_SECRET'], $e->getMessage());
        }
    }

    public function testBrokenTokenEndpointIsAuthenticationUnavailable(): void
    {
        $this->sandbox()->inject(['kind' => 'status', 'status' => 500, 'target' => 'token', 'count' => 20]);
        try {
            $this->sandbox()->client(['max_retries' => 1]);
            $this->fail('accepted');
        } catch (AuthenticationException $e) {
            $this->assertSame(Status::AUTH_UNAVAILABLE, $e->getCode());
        }
    }

    public function testUnreachableHostIsANetworkException(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        $url = "http://127.0.0.1:$port";
        try {
            Client::authenticate('rasmus', 'dinero', 'key', [
                'auth_url' => "$url/dineroapi/oauth/token", 'api_url' => $url,
                'max_retries' => 0, 'retry_base_delay_ms' => 5,
            ]);
            $this->fail('connected');
        } catch (NetworkException $e) {
            $this->assertSame(Status::NETWORK, $e->getCode());
        }
    }

    public function testSlowServerIsATimeoutException(): void
    {
        $client = $this->sandbox()->client(['timeout_ms' => 300]);
        // Every attempt is held 3 s, ten times the timeout: an answer would mean the client waited.
        $this->sandbox()->inject(['kind' => 'delay', 'delay_ms' => 3000]);
        try {
            $client->request('GET', '/v1/organizations');
            $this->fail('answered: the client waited out the server instead of timing out');
        } catch (TimeoutException $e) {
            $this->assertSame(Status::TIMEOUT, $e->getCode());
        }
    }

    public function testAnswerThatIsNotHttpIsANetworkException(): void
    {
        $client = $this->sandbox()->client(['max_retries' => 0]);
        $this->sandbox()->inject(['kind' => 'garbage']);
        try {
            $client->request('GET', '/v1/organizations');
            $this->fail('answered');
        } catch (NetworkException $e) {
            $this->assertContains($e->getCode(), [Status::PROTOCOL, Status::NETWORK]);
        }
    }

    public function testTruncatedPostIsAProtocolError(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->inject(['kind' => 'truncate', 'method' => 'POST']);
        try {
            $client->post('/v1/{organizationId}/contacts', ['Name' => 'Cut Short', 'CountryKey' => 'DK', 'IsPerson' => true, 'IsMember' => false, 'UseCvr' => false]);
            $this->fail('answered');
        } catch (NetworkException $e) {
            $this->assertSame(Status::PROTOCOL, $e->getCode());
        }
        $this->assertSame(1, $this->sandbox()->routeCount('POST /v1/{org}/contacts'), 'a POST is never repeated');
    }

    public function testHugeBodyIsResponseTooLarge(): void
    {
        $client = $this->sandbox()->client(['max_response_bytes' => 1000, 'max_retries' => 0]);
        $this->sandbox()->inject(['kind' => 'huge', 'size' => 100000]);
        try {
            $client->request('GET', '/v1/organizations');
            $this->fail('answered');
        } catch (NetworkException $e) {
            $this->assertSame(Status::RESPONSE_TOO_LARGE, $e->getCode());
        }
    }

    public function testApiExceptionForDinerosValidationError(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->post('/v1/{organizationId}/contacts', ['CountryKey' => 'DK', 'IsPerson' => true]);
            $this->fail('accepted');
        } catch (ApiException $e) {
            $this->assertInstanceOf(DineroException::class, $e);
            $this->assertSame(400, $e->getStatus());
            $this->assertSame(42, $e->getApiCode());
            $this->assertSame('Validation error', $e->getApiMessage());
            $this->assertArrayHasKey('Name', $e->getValidationErrors());
            $this->assertIsArray($e->getLanguageSpecificMessages());
            $this->assertSame(42, json_decode($e->getBody(), true)['code']);
            $this->assertStringContainsString('Validation error', $e->getMessage());
            $answer = $client->request('POST', '/v1/{organizationId}/contacts', ['CountryKey' => 'DK', 'IsPerson' => true]);
            $this->assertSame($e->getMessage(), $answer->errorMessage(), 'one sentence, from the library');
            $this->assertNull($client->request('GET', '/v1/organizations')->errorMessage());
        }
    }

    public function testApiExceptionToleratesHtmlAndPlainText(): void
    {
        $client = $this->sandbox()->client(['max_retries' => 0, 'retry_after_max_ms' => 1000]);
        try {
            $client->get('/v1/{organizationId}/no-such-route');
            $this->fail('accepted');
        } catch (ApiException $e) {
            $this->assertSame(404, $e->getStatus());
            $this->assertNull($e->getApiCode());
            $this->assertSame([], $e->getValidationErrors());
            $this->assertStringContainsString('<', $e->getBody());
            $this->assertStringNotContainsString('<', $e->getMessage(), 'tags stripped from the message');
        }
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 429, 'retry_after' => '600', 'content_type' => 'text/plain',
            'body' => 'API calls quota exceeded! maximum admitted 100 per 1m.',
        ]);
        try {
            $client->get('/v1/organizations');
            $this->fail('accepted');
        } catch (ApiException $e) {
            $this->assertSame(429, $e->getStatus());
            $this->assertNull($e->getApiCode());
            $this->assertSame('API calls quota exceeded! maximum admitted 100 per 1m.', $e->getBody());
            $this->assertStringContainsString('quota exceeded', $e->getMessage());
            $this->assertSame('600', $e->getHeaders()['retry-after'] ?? null, 'the headers come along, as in every binding');
        }
    }

    public function testApiExceptionForbiddenCarriesDinerosCode(): void
    {
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 403,
            'body' => '{"code":48,"message":"No Pro subscription","validationErrors":{},"languageSpecificMessages":[]}',
            'content_type' => 'application/json',
        ]);
        try {
            $this->sandbox()->client()->get('/v1/organizations');
            $this->fail('accepted');
        } catch (ApiException $e) {
            $this->assertSame(403, $e->getStatus());
            $this->assertSame(48, $e->getApiCode());
            $this->assertSame([], $e->getValidationErrors());
        }
    }
}
