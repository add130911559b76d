<?php

declare(strict_types=1);

namespace Dinero\Tests;

/**
 * Runs PHP code in a separate `php` process (own ini settings, environment and, optionally,
 * user), for what one process cannot show: preloading, library lookup, several processes.
 */
final class ChildPhp
{
    /** @var resource */
    private $process;
    /** @var array<int, resource> */
    private array $pipes = [];
    private string $dir;

    /**
     * @param string $code PHP code without the opening tag; Composer's (or the tests') autoloader
     *        is loaded first unless $autoload is false
     * @param list<string> $phpArgs e.g. ['-d', 'ffi.enable=preload']
     * @param array<string, string|false> $env changes to this process's environment (false removes)
     * @param list<string> $wrapper a command put in front, e.g. setpriv to drop root
     * @param list<string> $args arguments for the script ($argv[1], ...)
     */
    public function __construct(string $code, array $phpArgs = [], array $env = [], array $wrapper = [], array $args = [], bool $autoload = true)
    {
        $this->dir = Sandbox::tempDir('dinero-php-child');
        chmod($this->dir, 0755);
        $script = $this->dir . '/child.php';
        $prelude = $autoload ? 'require ' . var_export(__DIR__ . '/bootstrap.php', true) . ";\n" : '';
        file_put_contents($script, "<?php\ndeclare(strict_types=1);\n$prelude$code\n");
        chmod($script, 0644);
        $environment = getenv();
        foreach ($env as $key => $value) {
            if ($value === false) {
                unset($environment[$key]);
            } else {
                $environment[$key] = $value;
            }
        }
        $this->process = proc_open(
            [...$wrapper, PHP_BINARY, ...$phpArgs, $script, ...$args],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $this->pipes,
            $this->dir,
            $environment
        );
        if (!is_resource($this->process)) {
            throw new \RuntimeException('could not start php');
        }
    }

    /** @return array{int, string, string} exit code, stdout, stderr */
    public function wait(): array
    {
        $stdout = (string) stream_get_contents($this->pipes[1]);
        $stderr = (string) stream_get_contents($this->pipes[2]);
        fclose($this->pipes[1]);
        fclose($this->pipes[2]);
        $code = proc_close($this->process);
        Sandbox::removeDir($this->dir);
        return [$code, $stdout, $stderr];
    }

    /**
     * Runs to the end; the last stdout line decoded as JSON.
     *
     * @param list<string> $phpArgs
     * @param array<string, string|false> $env
     * @param list<string> $wrapper
     */
    public static function json(string $code, array $phpArgs = [], array $env = [], array $wrapper = [], bool $autoload = true): mixed
    {
        [$exit, $stdout, $stderr] = (new self($code, $phpArgs, $env, $wrapper, [], $autoload))->wait();
        if ($exit !== 0) {
            throw new \RuntimeException("child php exited with $exit:\n$stdout\n$stderr");
        }
        $lines = array_values(array_filter(explode("\n", trim($stdout)), 'strlen'));
        return json_decode((string) end($lines), true, 512, JSON_THROW_ON_ERROR);
    }
}
