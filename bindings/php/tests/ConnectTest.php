<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Client;
use Dinero\Exception\AuthenticationException;
use Dinero\Exception\DineroException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Exception\LoginRequiredException;
use Dinero\Status;

/**
 * Visma Connect against the sandbox: the sign-in through a played browser, organizations per
 * client and per request, refresh tokens rotated to the callback, a revoked grant, a forged
 * redirect, and no secret in any message.
 */
final class ConnectTest extends SandboxTestCase
{
    /** A loopback redirect URI: always accepted (RFC 8252); nothing needs to listen on it. */
    private const REDIRECT = 'http://127.0.0.1:9/callback';

    /** @var list<string> what the refresh-token callback received, in order */
    private array $tokens = [];

    /** A rotated refresh token stops working at once, so a test need not wait out a grace period. */
    protected static function sandboxFlags(): array
    {
        return ['--refresh-grace-ms', '0'];
    }

    /**
     * @param array<string, mixed> $extra
     * @return array<string, mixed>
     */
    private function options(array $extra = []): array
    {
        $env = $this->sandbox()->env;
        return $extra + [
            'connect_url' => $env['DINERO_CONNECT_URL'],
            'api_url' => $env['DINERO_API_URL'],
            'organization_id' => $env['DINERO_ORGANIZATION_ID'],
            'retry_base_delay_ms' => 5,
            'retry_max_delay_ms' => 20,
            'timeout_ms' => 10_000,
            'refresh_token_callback' => function (string $token): void {
                $this->tokens[] = $token;
            },
        ];
    }

    /**
     * What a browser does with the authorize URL: the sandbox consents at once and answers a
     * self-submitting form; its hidden fields, form-encoded, are what the redirect URI receives.
     */
    private static function browser(string $url): string
    {
        $page = file_get_contents($url, false, stream_context_create(['http' => ['timeout' => 10]]));
        self::assertIsString($page, 'the consent page');
        preg_match_all('~<input\b[^>]*>~', $page, $inputs);
        $fields = [];
        foreach ($inputs[0] as $input) {
            if (preg_match('~\bname="([^"]*)"~', $input, $name) && preg_match('~\bvalue="([^"]*)"~', $input, $value)) {
                $fields[html_entity_decode($name[1], ENT_QUOTES)] = html_entity_decode($value[1], ENT_QUOTES);
            }
        }
        self::assertArrayHasKey('code', $fields, $page);
        return http_build_query($fields, '', '&', PHP_QUERY_RFC3986);
    }

    /** @return array<string, string> */
    private function authorize(): array
    {
        return Client::connectAuthorizeUrl($this->sandbox()->env['DINERO_CONNECT_CLIENT_ID'], self::REDIRECT, $this->options());
    }

    /**
     * @param array<string, mixed>|string $authorization
     * @param array<string, mixed>|string $callback
     * @param array<string, mixed> $extra
     */
    private function signIn(array|string $authorization, array|string $callback, array $extra = []): Client
    {
        $env = $this->sandbox()->env;
        return Client::connectAuthenticateCode($env['DINERO_CONNECT_CLIENT_ID'], $env['DINERO_CONNECT_CLIENT_SECRET'], $authorization, $callback, $this->options($extra));
    }

    private function fromRefreshToken(string $token): Client
    {
        $env = $this->sandbox()->env;
        return Client::connectAuthenticate($env['DINERO_CONNECT_CLIENT_ID'], $env['DINERO_CONNECT_CLIENT_SECRET'], $token, $this->options());
    }

    /** @param list<string> $secrets */
    private static function assertNoSecret(string $text, array $secrets): void
    {
        foreach ($secrets as $secret) {
            self::assertNotSame('', $secret);
            self::assertStringNotContainsString($secret, $text);
            self::assertStringNotContainsString(rawurlencode($secret), $text);
            self::assertStringNotContainsString(base64_encode($secret), $text);
        }
    }

    public function testTheSignInReachesEveryOrganizationChosenPerClientOrPerRequest(): void
    {
        $env = $this->sandbox()->env;
        $authorization = $this->authorize();
        $this->assertStringStartsWith($env['DINERO_CONNECT_URL'] . '/connect/authorize?', $authorization['url']);
        $this->assertStringContainsString('client_id=' . $env['DINERO_CONNECT_CLIENT_ID'], $authorization['url']);
        $this->assertStringContainsString('code_challenge_method=S256', $authorization['url']);
        $this->assertSame(self::REDIRECT, $authorization['redirect_uri']);
        $this->assertNotSame($authorization['state'], $this->authorize()['state'], 'a fresh state every time');

        // The form body as PHP sees it in $_POST: an array works as well as the raw text.
        parse_str(self::browser($authorization['url']), $post);
        $client = $this->signIn($authorization, $post);
        $this->assertCount(1, $this->tokens, 'the first refresh token reached the callback before the sign-in returned');
        $this->assertSame(1, $this->sandbox()->stats()['connect']['code_exchanges']);

        $ids = array_map(static fn (array $organization): string => (string) $organization['Id'], $client->organizations());
        $this->assertContains($env['DINERO_ORGANIZATION_ID'], $ids);
        $this->assertGreaterThanOrEqual(2, count($ids));
        $other = current(array_diff($ids, [$env['DINERO_ORGANIZATION_ID']]));

        $this->assertIsArray($client->get('/v1/{organizationId}/contacts')['Collection']);
        $view = $client->forOrganization($other);
        $this->assertIsArray($view->get('/v1/{organizationId}/contacts')['Collection']);
        $this->assertSame(200, $view->request('GET', '/v1/{organizationId}/contacts', query: ['pageSize' => 1])->status());
        $paths = array_column($this->sandbox()->admin('GET', '/requests'), 'path');
        $this->assertContains("/v1/{$env['DINERO_ORGANIZATION_ID']}/contacts", $paths);
        $this->assertContains("/v1/$other/contacts", $paths);
        try {
            $view->uploadBytes('%PDF-1.4', 'x.pdf');
            $this->fail('an upload through a view went to the client\'s own organization');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('forOrganization', $e->getMessage());
        }
        unset($client);
        $this->assertSame(200, $view->request('GET', '/v1/organizations')->status(), 'a view keeps its client alive');
    }

    public function testRotatedRefreshTokensReachTheCallbackAndTheNewestOneSignsInLater(): void
    {
        $authorization = $this->authorize();
        $client = $this->signIn($authorization, self::browser($authorization['url']));
        foreach ([1, 2] as $refresh) {
            $this->sandbox()->admin('POST', '/tokens/expire'); // the next request must refresh
            $this->assertSame(200, $client->request('GET', '/v1/{organizationId}/contacts')->status());
            $this->assertCount(1 + $refresh, $this->tokens);
        }
        $this->assertSame($this->tokens, array_values(array_unique($this->tokens)), 'every refresh token is new');
        unset($client);

        try {
            $this->fromRefreshToken($this->tokens[0]); // rotated away, no grace period
            $this->fail('a used refresh token signed in');
        } catch (LoginRequiredException $e) {
            $this->assertInstanceOf(AuthenticationException::class, $e);
            $this->assertSame(Status::LOGIN_REQUIRED, $e->getCode());
            self::assertNoSecret($e->getMessage(), [$this->tokens[0], $this->sandbox()->env['DINERO_CONNECT_CLIENT_SECRET']]);
        }
        $newest = end($this->tokens);
        $later = $this->fromRefreshToken($newest);
        $this->assertSame(200, $later->request('GET', '/v1/organizations')->status());
        $this->assertNotSame($newest, end($this->tokens), 'used now: rotated to the callback again');
    }

    public function testARevokedGrantIsLoginRequiredEveryTimeWithoutAskingAgain(): void
    {
        $authorization = $this->authorize();
        $client = $this->signIn($authorization, self::browser($authorization['url']));
        $this->sandbox()->admin('POST', '/connect/revoke');
        $this->sandbox()->admin('POST', '/tokens/expire');
        $asked = null;
        foreach ([1, 2, 3] as $attempt) {
            try {
                $client->get('/v1/{organizationId}/contacts');
                $this->fail('a request succeeded with a revoked grant');
            } catch (LoginRequiredException $e) {
                $this->assertSame(Status::LOGIN_REQUIRED, $e->getCode());
                self::assertNoSecret($e->getMessage(), [...$this->tokens, $this->sandbox()->env['DINERO_CONNECT_CLIENT_SECRET']]);
            }
            $refreshes = $this->sandbox()->stats()['connect']['refreshes'];
            $asked ??= $refreshes;
            $this->assertSame($asked, $refreshes, "attempt $attempt asked Visma Connect again");
        }
        $this->expectException(LoginRequiredException::class);
        $this->fromRefreshToken(end($this->tokens));
    }

    public function testAForgedOrStaleRedirectIsRefusedAndNamesNoSecret(): void
    {
        $env = $this->sandbox()->env;
        $mine = $this->authorize();
        $theirs = $this->authorize();
        $callback = self::browser($theirs['url']); // another sign-in's code and state
        parse_str($callback, $fields);
        try {
            $this->signIn(json_encode($mine, JSON_THROW_ON_ERROR), $callback);
            $this->fail('a redirect with another state signed in');
        } catch (AuthenticationException $e) {
            $this->assertSame(Status::AUTH_REJECTED, $e->getCode());
            $this->assertStringContainsString('state', $e->getMessage());
            self::assertNoSecret($e->getMessage(), [$fields['code'], $mine['code_verifier'], $theirs['code_verifier'], $env['DINERO_CONNECT_CLIENT_SECRET']]);
        }
        $this->assertSame(0, $this->sandbox()->stats()['connect']['code_exchanges'], 'the code was not even tried');
        $this->assertSame([], $this->tokens);
    }

    public function testNoSecretInAnyMessageOrStackTrace(): void
    {
        $env = $this->sandbox()->env;
        $authorization = $this->authorize();
        $callback = self::browser($authorization['url']);
        parse_str($callback, $fields);
        $secrets = [$fields['code'], $authorization['code_verifier'], $env['DINERO_CONNECT_CLIENT_SECRET'], 'wrong-connect-secret-5e1d'];
        $this->signIn($authorization, $callback); // the code's one use
        $previous = ini_set('zend.exception_ignore_args', '0');
        $failures = [];
        try {
            foreach ([
                'wrong client secret' => fn () => Client::connectAuthenticateCode($env['DINERO_CONNECT_CLIENT_ID'], 'wrong-connect-secret-5e1d', $authorization, $callback, $this->options()),
                'code used twice' => fn () => $this->signIn($authorization, $callback),
                'NUL in the secret' => fn () => Client::connectAuthenticateCode($env['DINERO_CONNECT_CLIENT_ID'], "wrong-connect-secret-5e1d\0", $authorization, $callback, $this->options()),
                'unknown refresh token' => fn () => $this->fromRefreshToken('wrong-connect-secret-5e1d'),
            ] as $case => $call) {
                try {
                    $call();
                    $this->fail("$case: accepted");
                } catch (DineroException $e) {
                    $failures[] = $case;
                    $frames = array_filter($e->getTrace(), static fn (array $f): bool => str_starts_with($f['class'] ?? '', 'Dinero\\')
                        && !str_starts_with($f['class'] ?? '', 'Dinero\\Tests\\'));
                    self::assertNoSecret($e->getMessage() . "\n" . var_export(array_values($frames), true), $secrets);
                }
            }
        } finally {
            ini_set('zend.exception_ignore_args', (string) $previous);
        }
        $this->assertCount(4, $failures);
    }

    /** examples/php/visma_connect.php end to end, this test playing the browser it asks for. */
    public function testTheExampleSignsInAndRunsAgainFromTheKeptToken(): void
    {
        $env = $this->sandbox()->env;
        $dir = Sandbox::tempDir('dinero-php-connect-example');
        $tokenFile = "$dir/refresh-token";
        $process = proc_open(
            [PHP_BINARY, dirname(__DIR__, 3) . '/examples/php/visma_connect.php'],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', "$dir/stderr", 'w']],
            $pipes,
            null,
            $env + ['DINERO_REFRESH_TOKEN_FILE' => $tokenFile, 'DINERO_REDIRECT_URI' => self::REDIRECT,
                'DINERO_LIBRARY' => (string) getenv('DINERO_LIBRARY'), 'PATH' => (string) getenv('PATH')]
        );
        $this->assertIsResource($process);
        $output = '';
        $deadline = microtime(true) + 60;
        while (!preg_match('~^(http\S+)$~m', $output, $url) && !feof($pipes[1]) && microtime(true) < $deadline) {
            $read = [$pipes[1]];
            $none = null;
            if (stream_select($read, $none, $none, 1) === 1) {
                $output .= (string) fread($pipes[1], 8192);
            }
        }
        $this->assertNotEmpty($url, "no address printed:\n$output");
        fwrite($pipes[0], self::browser($url[1]) . "\n");
        fclose($pipes[0]);
        while (!feof($pipes[1]) && microtime(true) < $deadline) {
            $output .= (string) fread($pipes[1], 8192);
        }
        fclose($pipes[1]);
        $exit = proc_close($process);
        $errors = (string) file_get_contents("$dir/stderr");
        $this->assertSame(0, $exit, "$output\n$errors");
        $this->assertStringContainsString("organization {$env['DINERO_ORGANIZATION_ID']}: ", $output);
        $this->assertStringContainsString('organizations reached again', $output);
        $this->assertSame(0600, fileperms($tokenFile) & 0777);
        self::assertNoSecret($output . $errors, [(string) file_get_contents($tokenFile), $env['DINERO_CONNECT_CLIENT_SECRET']]);
        Sandbox::removeDir($dir);
    }

    public function testACallbackThatThrowsIsNotedWithoutTheToken(): void
    {
        $log = Sandbox::tempDir('dinero-php-connect') . '/error.log';
        $previous = ini_set('error_log', $log);
        try {
            $authorization = $this->authorize();
            $seen = [];
            $client = $this->signIn($authorization, self::browser($authorization['url']), [
                'refresh_token_callback' => static function (string $token) use (&$seen): void {
                    $seen[] = $token;
                    throw new \RuntimeException("database down, could not store $token");
                },
            ]);
            $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
        } finally {
            ini_set('error_log', (string) $previous);
        }
        $this->assertCount(1, $seen);
        $noted = (string) file_get_contents($log);
        $this->assertStringContainsString('refresh_token_callback threw RuntimeException', $noted);
        self::assertNoSecret($noted, $seen);
        Sandbox::removeDir(dirname($log));
    }
}
