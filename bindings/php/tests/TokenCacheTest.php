<?php

declare(strict_types=1);

namespace Dinero\Tests;

/**
 * The token_cache option: PHP processes (PHP-FPM workers, cron jobs) that start together with
 * one cache file ask the token endpoint once between them, proven by the sandbox's counters.
 */
final class TokenCacheTest extends SandboxTestCase
{
    private const PROCESSES = 6;

    private const CHILD = <<<'PHP'
        $options = json_decode($argv[2], true);
        time_sleep_until((float) $argv[1]); // start together
        $client = Dinero\Client::authenticate(
            getenv('DINERO_CLIENT_ID'), getenv('DINERO_CLIENT_SECRET'), getenv('DINERO_API_KEY'), $options
        );
        $status = $client->request('GET', '/v1/organizations')->status();
        // Only a digest of the token, never the token: enough to see that all share one.
        echo json_encode(['status' => $status, 'token' => sha1($client->accessToken())]), "\n";
        PHP;

    private string $dir;

    protected function setUp(): void
    {
        parent::setUp();
        $this->dir = Sandbox::tempDir('dinero-php-token-cache');
    }

    protected function tearDown(): void
    {
        Sandbox::removeDir($this->dir);
    }

    public function testProcessesStartedTogetherMakeExactlyOneTokenRequest(): void
    {
        $cache = $this->dir . '/token.cache';
        $results = $this->runTogether(self::PROCESSES, $cache);
        $this->assertCount(self::PROCESSES, $results);
        foreach ($results as $result) {
            $this->assertSame(200, $result['status']);
        }
        $this->assertCount(1, array_unique(array_column($results, 'token')), 'every process uses the one token');
        $stats = $this->sandbox()->stats();
        $this->assertSame(1, $stats['token_requests'], 'token requests for ' . self::PROCESSES . ' processes');
        $this->assertSame(1, $stats['tokens_issued']);
        $this->assertSame(self::PROCESSES, $stats['api_requests']);
        $this->assertFileExists($cache);

        // Later processes read the still-valid token from the file.
        $later = $this->runTogether(2, $cache);
        $this->assertSame($results[0]['token'], $later[0]['token']);
        $this->assertSame(1, $this->sandbox()->stats()['token_requests']);
    }

    public function testWithoutACacheEveryProcessAsksForItsOwnToken(): void
    {
        $results = $this->runTogether(3, null);
        $this->assertCount(3, array_unique(array_column($results, 'token')));
        $this->assertSame(3, $this->sandbox()->stats()['token_requests']);
    }

    public function testTheCacheFileIsNotReadableByOthers(): void
    {
        $cache = $this->dir . '/token.cache';
        $this->runTogether(1, $cache);
        $this->assertFileExists($cache);
        $this->assertSame(0, fileperms($cache) & 0077, sprintf('mode %o: the file holds a bearer token', fileperms($cache) & 0777));
    }

    /** @return list<array{status: int, token: string}> */
    private function runTogether(int $count, ?string $cache): array
    {
        $options = $this->sandbox()->options($cache === null ? [] : ['token_cache' => $cache]);
        $env = [];
        foreach (['DINERO_CLIENT_ID', 'DINERO_CLIENT_SECRET', 'DINERO_API_KEY'] as $key) {
            $env[$key] = $this->sandbox()->env[$key];
        }
        $start = sprintf('%.3f', microtime(true) + 0.4 + 0.05 * $count);
        $children = [];
        for ($i = 0; $i < $count; $i++) {
            $children[] = new ChildPhp(self::CHILD, [], $env, [], [$start, json_encode($options)]);
        }
        $results = [];
        foreach ($children as $child) {
            [$exit, $stdout, $stderr] = $child->wait();
            $this->assertSame(0, $exit, "child failed:\n$stdout\n$stderr");
            $results[] = json_decode(trim($stdout), true, 512, JSON_THROW_ON_ERROR);
        }
        return $results;
    }
}
