<?php

declare(strict_types=1);

namespace Dinero\Tests;

/**
 * PHP's built-in web server (`php -S`) on a free loopback port, for tests that need a real
 * HTTP server of their own. A port found free may be taken by another process before the
 * server binds it; then the server exits at once ("Failed to listen"), and another port is
 * tried, so a test never talks to someone else's server.
 */
final class BuiltinServer
{
    /** @param resource $process */
    private function __construct(private $process, public readonly int $port, public readonly string $log)
    {
    }

    /**
     * @param list<string> $phpArgs ini settings (-d ...) before -S
     * @param list<string> $serverArgs after the address: a router script, or -t and a docroot
     * @param array<string, string>|null $env
     */
    public static function start(array $phpArgs, array $serverArgs, string $cwd, string $log, ?array $env = null): self
    {
        for ($attempt = 1; $attempt <= 5; $attempt++) {
            $port = self::freePort();
            $process = proc_open(
                [PHP_BINARY, ...$phpArgs, '-S', "127.0.0.1:$port", ...$serverArgs],
                [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
                $pipes,
                $cwd,
                $env
            );
            if (!is_resource($process)) {
                throw new \RuntimeException('php -S could not be started');
            }
            // Listening once it says so in its log; gone at once when the port was taken.
            $deadline = microtime(true) + 10;
            while (microtime(true) < $deadline && proc_get_status($process)['running']) {
                if (str_contains((string) @file_get_contents($log), "127.0.0.1:$port) started")) {
                    return new self($process, $port, $log);
                }
                usleep(20_000);
            }
            proc_terminate($process);
            proc_close($process);
        }
        throw new \RuntimeException('php -S did not start: ' . @file_get_contents($log));
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
    }

    private static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0');
        if ($server === false) {
            throw new \RuntimeException('no free port');
        }
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($server, false), ':'), 1);
        fclose($server);
        return $port;
    }
}
