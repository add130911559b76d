<?php

declare(strict_types=1);

namespace Dinero\Tests;

/**
 * __destruct frees: thousands of requests, responses, tokens and clients leave PHP's heap and
 * the process's resident set where they were.
 */
final class MemoryTest extends SandboxTestCase
{
    private const REQUESTS = 5000;

    /** @return list<string> */
    protected static function sandboxFlags(): array
    {
        return ['--rate-limit', '0'];
    }

    public function testNoGrowthOverThousandsOfRequests(): void
    {
        // With a logger: its line per request, and a client (with its logger) made every 500.
        $logged = 0;
        $logger = static function (string $level, string $message) use (&$logged): void {
            $logged++;
        };
        $client = $this->sandbox()->client(['rate_limit_per_minute' => 0, 'logger' => $logger]);
        // A 4 KB answer served straight from the fault queue (quicker than a real list).
        $body = json_encode(['Collection' => array_fill(0, 40, ['Name' => 'Ærø Æbler ApS', 'Street' => str_repeat('x', 60)])]);
        $this->assertGreaterThan(4000, strlen($body));
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 200, 'body' => $body, 'content_type' => 'application/json',
            'path_contains' => '/bulk', 'count' => 3 * self::REQUESTS,
        ]);
        $saveTo = Sandbox::tempDir('dinero-php-memory') . '/saved.json';
        $round = function (int $i) use (&$client, $body, $logger, $saveTo): void {
            $response = $client->request('GET', '/v1/{organizationId}/bulk?page=0');
            $this->assertSame(200, $response->status());
            $this->assertSame(strlen($body), strlen($response->body()));
            $response->header('Content-Type');
            $response->headers();
            if ($i % 10 === 0) {
                $this->assertNotSame('', $client->accessToken());
            }
            if ($i % 4 === 0) {
                // the C request builder: query parameters, headers and a binary body
                $built = $client->request('POST', '/v1/{organizationId}/bulk', "\0binary\xFF", ['q' => "Name eq 'Ø'", 'page' => $i], ['Content-Type' => 'application/octet-stream', 'X-Round' => (string) $i]);
                $this->assertSame(200, $built->status());
                $this->assertSame(strlen($body), strlen($client->download('/v1/{organizationId}/bulk', 'application/json', ['page' => $i])));
            }
            if ($i % 100 === 0) {
                $response->saveTo($saveTo);
            }
            if ($i % 25 === 0) {
                // an error answer, an ApiException and a refused argument
                try {
                    $client->get('/v1/{organizationId}/missing');
                } catch (\Dinero\Exception\ApiException) {
                }
                try {
                    $client->request('GET', '/bad path');
                } catch (\Dinero\Exception\InvalidArgumentException) {
                }
            }
            if ($i % 500 === 0) {
                $client = $this->sandbox()->client(['rate_limit_per_minute' => 0, 'logger' => $logger]); // the old one is freed
            }
        };

        for ($i = 1; $i <= 300; $i++) {
            $round($i); // warm-up: pools, caches, allocator arenas
        }
        gc_collect_cycles();
        $heapBefore = memory_get_usage();
        $rssBefore = self::rssKb();
        $started = microtime(true);
        for ($i = 1; $i <= self::REQUESTS; $i++) {
            $round($i);
        }
        $seconds = microtime(true) - $started;
        gc_collect_cycles();
        $heapGrowth = memory_get_usage() - $heapBefore;
        $rssGrowthKb = self::rssKb() - $rssBefore;
        Sandbox::removeDir(dirname($saveTo));

        fwrite(STDERR, sprintf(
            "\n[memory] %d requests (%d KB of bodies) in %.1f s: PHP heap %+d bytes, RSS %+d KB (from %d KB)\n",
            self::REQUESTS,
            (int) (self::REQUESTS * strlen($body) / 1024),
            $seconds,
            $heapGrowth,
            $rssGrowthKb,
            $rssBefore
        ));
        // A leaked response (its body alone is > 4 KB) would add > 20 MB over 5,000 requests.
        $this->assertLessThan(256 * 1024, $heapGrowth, 'PHP heap growth (bytes)');
        $this->assertLessThan(6 * 1024, $rssGrowthKb, 'RSS growth (KB)');
        $this->assertGreaterThan(self::REQUESTS, $logged, 'the logger saw every request');
    }

    private static function rssKb(): int
    {
        $status = (string) file_get_contents('/proc/self/status');
        if (!preg_match('~^VmRSS:\s+(\d+)\s+kB~m', $status, $m)) {
            self::fail('no VmRSS in /proc/self/status');
        }
        return (int) $m[1];
    }
}
