<?php
// Shared by the benchmark's PHP clients: settings from the environment, RSS, the modes.

declare(strict_types=1);

function bench_env(string $name): string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, "error: environment variable $name is not set\n");
        exit(2);
    }
    return $value;
}

function bench_proc_status_kb(string $field): int
{
    foreach (file('/proc/self/status') ?: [] as $line) {
        if (str_starts_with($line, $field . ':')) {
            return (int) preg_replace('/\D/', '', $line);
        }
    }
    return -1;
}

/**
 * loop N: N GETs after 100 warm-up ones, prints {"us_per_req": ..}; cold: one GET, prints "ok";
 * memory N: VmRSS after warm-up and VmHWM after N GETs (kB).
 *
 * @param callable(): int $getOnce one GET, returns the HTTP status
 * @param list<string> $argv
 */
function bench_main(callable $getOnce, array $argv): void
{
    $mode = $argv[1] ?? '';
    $run = static function (int $n) use ($getOnce): void {
        for ($i = 0; $i < $n; $i++) {
            $status = $getOnce();
            if ($status !== 200) {
                fwrite(STDERR, "unexpected answer $status\n");
                exit(1);
            }
        }
    };
    if ($mode === 'cold') {
        $ok = $getOnce() === 200;
        echo $ok ? "ok\n" : "failed\n";
        fflush(STDOUT);
        exit($ok ? 0 : 1);
    }
    if ($mode === 'loop' && count($argv) === 3) {
        $n = (int) $argv[2];
        $run(100);
        $t0 = hrtime(true);
        $run($n);
        $elapsed = (hrtime(true) - $t0) / 1e9;
        echo json_encode(['us_per_req' => $elapsed * 1e6 / max($n, 1), 'n' => $n]), "\n";
        return;
    }
    if ($mode === 'memory' && count($argv) === 3) {
        $n = (int) $argv[2];
        $run(1000);
        $before = bench_proc_status_kb('VmRSS');
        $run($n);
        echo json_encode(['rss_after_warmup_kb' => $before, 'peak_kb' => bench_proc_status_kb('VmHWM'), 'n' => $n]), "\n";
        return;
    }
    fwrite(STDERR, "usage: SCRIPT loop N | cold | memory N\n");
    exit(2);
}
