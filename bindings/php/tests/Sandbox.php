<?php

declare(strict_types=1);

namespace Dinero\Tests;

/**
 * A dinero-sandbox process (the binary from DINERO_SANDBOX) on a free port, stopped when this
 * object goes away; its admin API (/_sandbox/...) for steering and counting.
 */
final class Sandbox
{
    /** @var resource|null */
    private $process;
    private string $dir;
    /** @var array<string, string> */
    public array $env = [];

    /** @param list<string> $flags extra dinero-sandbox flags, e.g. ['--rate-limit', '0'] */
    public function __construct(array $flags = [])
    {
        $binary = (string) getenv('DINERO_SANDBOX');
        if (!is_file($binary) || !is_executable($binary)) {
            throw new \RuntimeException("DINERO_SANDBOX=$binary is not an executable (build it with cargo build)");
        }
        $this->dir = self::tempDir('dinero-php-sandbox');
        $envFile = $this->dir . '/sandbox.env';
        $log = $this->dir . '/sandbox.log';
        $this->process = proc_open(
            [$binary, '--port', '0', '--env-file', $envFile, ...$flags],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
            $pipes
        );
        if (!is_resource($this->process)) {
            throw new \RuntimeException("could not start $binary");
        }
        $deadline = microtime(true) + 15;
        while (!is_file($envFile)) {
            if (!proc_get_status($this->process)['running'] || microtime(true) > $deadline) {
                $output = (string) @file_get_contents($log);
                $this->stop();
                throw new \RuntimeException("dinero-sandbox did not start:\n$output");
            }
            usleep(20_000);
        }
        foreach (file($envFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
            [$key, $value] = explode('=', $line, 2) + [1 => ''];
            $this->env[$key] = $value;
        }
    }

    public function __destruct()
    {
        $this->stop();
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        $this->process = null;
        if (isset($this->dir) && is_dir($this->dir)) {
            self::removeDir($this->dir);
        }
    }

    public function url(): string
    {
        return $this->env['DINERO_API_URL'];
    }

    /**
     * Options for Client::authenticate against this sandbox: its URLs, the organization, and
     * short retry delays (so fault tests stay fast).
     *
     * @param array<string, int|bool|string> $extra
     * @return array<string, int|bool|string>
     */
    public function options(array $extra = []): array
    {
        return $extra + [
            'auth_url' => $this->env['DINERO_AUTH_URL'],
            'api_url' => $this->env['DINERO_API_URL'],
            'organization_id' => $this->env['DINERO_ORGANIZATION_ID'],
            'retry_base_delay_ms' => 5,
            'retry_max_delay_ms' => 20,
            'timeout_ms' => 10_000,
        ];
    }

    /** @param array<string, int|bool|string> $extra */
    public function client(array $extra = []): \Dinero\Client
    {
        return \Dinero\Client::authenticate(
            $this->env['DINERO_CLIENT_ID'],
            $this->env['DINERO_CLIENT_SECRET'],
            $this->env['DINERO_API_KEY'],
            $this->options($extra)
        );
    }

    /** @param array<mixed>|null $body */
    public function admin(string $method, string $path, ?array $body = null): mixed
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/json\r\nConnection: close\r\n",
            'content' => $body === null ? '' : json_encode($body, JSON_THROW_ON_ERROR),
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $answer = @file_get_contents($this->url() . '/_sandbox' . $path, false, $context);
        if ($answer === false) {
            throw new \RuntimeException("sandbox admin $method $path failed");
        }
        $status = (int) explode(' ', $http_response_header[0] ?? 'HTTP/1.1 0')[1];
        if ($status !== 200) {
            throw new \RuntimeException("sandbox admin $method $path: HTTP $status $answer");
        }
        return json_decode($answer, true, 512, JSON_THROW_ON_ERROR);
    }

    /** @param array<string, mixed> $fault e.g. ['kind' => 'status', 'status' => 503, 'count' => 2] */
    public function inject(array $fault): void
    {
        $this->admin('POST', '/faults', $fault);
    }

    /** @return array<string, mixed> */
    public function stats(): array
    {
        return $this->admin('GET', '/stats');
    }

    /** How many requests reached a route, e.g. "GET /v1/{org}/contacts". */
    public function routeCount(string $route): int
    {
        return (int) ($this->stats()['routes'][$route] ?? 0);
    }

    public function reset(): void
    {
        $this->admin('DELETE', '/faults');
        $this->admin('POST', '/reset-stats');
    }

    public static function tempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . '-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        return $dir;
    }

    public static function removeDir(string $dir): void
    {
        foreach (scandir($dir) ?: [] as $entry) {
            if ($entry === '.' || $entry === '..') {
                continue;
            }
            $path = "$dir/$entry";
            is_dir($path) && !is_link($path) ? self::removeDir($path) : @unlink($path);
        }
        @rmdir($dir);
    }
}
