<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Exception\InvalidArgumentException;

final class ResponseTest extends SandboxTestCase
{
    public function testStatusBodyAndJson(): void
    {
        $response = $this->sandbox()->client()->request('GET', '/v1/organizations');
        $this->assertSame(200, $response->status());
        $this->assertSame($response->body(), $response->body(), 'stable');
        $this->assertSame(json_decode($response->body(), true), $response->json());
        $this->assertSame('GET /v1/organizations', $response->request());
    }

    public function testBodyIsBinarySafe(): void
    {
        $bytes = "%PDF-1.4\n\0\x01\xc3\xa6\xc3\xb8\xc3\xa5 after NUL\0end";
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 200, 'body' => $bytes, 'content_type' => 'application/octet-stream',
        ]);
        $response = $this->sandbox()->client()->request('GET', '/v1/{organizationId}/invoices');
        $this->assertSame(strlen($bytes), strlen($response->body()));
        $this->assertSame(bin2hex($bytes), bin2hex($response->body()));
    }

    public function testEmptyBodyIsEmptyStringAndNullJson(): void
    {
        $this->sandbox()->inject(['kind' => 'status', 'status' => 204, 'body' => '']);
        $response = $this->sandbox()->client()->request('DELETE', '/v1/{organizationId}/contacts/x');
        $this->assertSame(204, $response->status());
        $this->assertSame('', $response->body());
        $this->assertNull($response->json());
        // Blank is what the library calls blank (as get() reads it), in every binding: ASCII
        // whitespace is; a no-break space or a vertical tab is not JSON.
        $this->sandbox()->inject(['kind' => 'status', 'status' => 200, 'body' => " \t\r\n\f"]);
        $this->assertNull($this->sandbox()->client()->request('GET', '/v1/organizations')->json());
        foreach (["\u{a0}", "\v"] as $body) {
            $this->sandbox()->inject(['kind' => 'status', 'status' => 200, 'body' => $body]);
            try {
                $this->sandbox()->client()->request('GET', '/v1/organizations')->json();
                $this->fail('a blank of ' . bin2hex($body) . ' was read as empty');
            } catch (\JsonException) {
                // not JSON, as dinero_response_json says too
            }
        }
    }

    public function testJsonThrowsOnABodyThatIsNotJson(): void
    {
        $this->sandbox()->inject(['kind' => 'malformed']);
        $response = $this->sandbox()->client()->request('GET', '/v1/organizations');
        $this->assertSame(200, $response->status());
        $this->expectException(\JsonException::class);
        $response->json();
    }

    public function testHeaderIsCaseInsensitiveAndNullWhenAbsent(): void
    {
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 429, 'retry_after' => '600',
            'body' => 'API calls quota exceeded! maximum admitted 100 per 1m.', 'content_type' => 'text/plain',
        ]);
        $response = $this->sandbox()->client(['max_retries' => 0, 'retry_after_max_ms' => 1000])
            ->request('GET', '/v1/organizations');
        $this->assertSame(429, $response->status());
        $this->assertSame('600', $response->header('Retry-After'));
        $this->assertSame('600', $response->header('retry-after'));
        $this->assertSame('600', $response->header('RETRY-AFTER'));
        $this->assertStringStartsWith('text/plain', (string) $response->header('content-type'));
        $this->assertNull($response->header('X-Not-There'));
        $this->assertNull($response->header(''));
    }

    public function testHeadersListsEveryHeaderLowerCase(): void
    {
        $response = $this->sandbox()->client()->request('GET', '/v1/organizations');
        $headers = $response->headers();
        $this->assertSame(['content-type', 'content-length'], array_keys($headers), 'the sandbox sends these two, in this order');
        $this->assertSame($response->header('Content-Type'), $headers['content-type']);
        $this->assertSame((string) strlen($response->body()), $headers['content-length']);
    }

    public function testHeadersOfA429IncludeRetryAfter(): void
    {
        $this->sandbox()->inject(['kind' => 'status', 'status' => 429, 'retry_after' => '7', 'body' => 'slow down', 'content_type' => 'text/plain']);
        $response = $this->sandbox()->client(['max_retries' => 0, 'retry_after_max_ms' => 1000])->request('GET', '/v1/organizations');
        $this->assertSame(429, $response->status());
        $this->assertSame('7', $response->headers()['retry-after'] ?? null);
    }

    /**
     * Headers no list could guess, repeated ones, odd case: from PHP's built-in web server
     * standing in for the API (the token still comes from the sandbox).
     */
    public function testHeadersHasHeadersNoListCouldGuess(): void
    {
        $dir = Sandbox::tempDir('dinero-php-headers');
        file_put_contents("$dir/router.php", <<<'PHP'
            <?php
            header('X-Dinero-Php-Test: one');
            header('x-REPEATED: a', false);
            header('X-Repeated: b', false);
            header('Content-Type: application/json');
            echo '{"ok":true}';
            PHP);
        $server = BuiltinServer::start([], ["$dir/router.php"], $dir, "$dir/server.log");
        $port = $server->port;
        try {
            $client = $this->sandbox()->client(['api_url' => "http://127.0.0.1:$port"]);
            $response = $client->request('GET', '/anything');
            $this->assertSame(200, $response->status());
            $this->assertSame(['ok' => true], $response->json());
            $headers = $response->headers();
            $this->assertSame('one', $headers['x-dinero-php-test'] ?? null, json_encode($headers));
            $this->assertSame('a, b', $headers['x-repeated'] ?? null, 'repeated headers once, joined');
            $this->assertSame('application/json', $headers['content-type'] ?? null);
            $this->assertArrayHasKey('date', $headers);
            foreach ($headers as $name => $value) {
                $this->assertSame(strtolower((string) $name), $name);
                $this->assertSame($value, $response->header(strtoupper((string) $name)));
            }
        } finally {
            $server->stop();
            Sandbox::removeDir($dir);
        }
    }

    public function testHeaderNameWithNulIsInvalid(): void
    {
        $response = $this->sandbox()->client()->request('GET', '/v1/organizations');
        $this->expectException(InvalidArgumentException::class);
        $response->header("content-type\0");
    }
}
