<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * @internal One client's logger (the 'logger' option), reachable from C.
 *
 * PHP's FFI turns a PHP closure into a C function pointer by making a trampoline that it keeps,
 * with the closure and everything the closure holds, until the end of the request (the whole
 * run of a CLI worker). So there is one trampoline per process (dispatch()), and each sink is
 * told apart by the `user_data` pointer it hands to dinero_options_set_log_callback: a small C
 * integer owned by the sink, the key of the sink in a registry. A sink leaves the registry
 * when it is destroyed; Client keeps its sink until after dinero_client_free, so the library
 * never calls back into a sink that is gone (and if it did, the line would be dropped).
 */
final class LogSink
{
    /** @var array<int, \Closure(string, string): void> the live sinks' forwarders by id (not the sinks: they must be able to die) */
    private static array $sinks = [];
    private static int $lastId = 0;
    /** The C struct holding the process's one trampoline (its lifetime is the process's). */
    private static ?\FFI\CData $trampoline = null;

    private int $id;
    /** int64_t owned by this sink; its address is the user_data */
    private \FFI\CData $idCell;
    /** @var \Closure(string, string): void */
    private \Closure $forward;

    /** @param mixed $logger a callable (string $level, string $message) or an object with a PSR-3 log() method */
    public function __construct(mixed $logger)
    {
        if (is_object($logger) && !$logger instanceof \Closure && method_exists($logger, 'log')) {
            $this->forward = static function (string $level, string $message) use ($logger): void {
                $logger->log($level, $message, []);
            };
        } elseif (is_callable($logger)) {
            $this->forward = \Closure::fromCallable($logger);
        } else {
            throw new InvalidArgumentException(
                "option 'logger' must be a callable (string \$level, string \$message) or an object with a PSR-3 log() method, not "
                    . get_debug_type($logger),
                Status::INVALID_ARGUMENT
            );
        }
        $this->id = ++self::$lastId;
        $this->idCell = Library::ffi()->new('int64_t');
        $this->idCell->cdata = $this->id;
        self::$sinks[$this->id] = $this->forward;
    }

    /** The dinero_log_callback for dinero_options_set_log_callback: the same for every sink. */
    public static function callback(): \FFI\CData
    {
        if (self::$trampoline === null) {
            $holder = Library::ffi()->new('struct { dinero_log_callback callback; }');
            $holder->callback = self::dispatch(...);
            self::$trampoline = $holder;
        }
        return self::$trampoline->callback;
    }

    /** The user_data for dinero_options_set_log_callback: valid as long as this sink lives. */
    public function userData(): \FFI\CData
    {
        return \FFI::addr($this->idCell);
    }

    /** How many sinks are alive (for the tests). */
    public static function live(): int
    {
        return count(self::$sinks);
    }

    /**
     * The C callback. Untyped parameters, and everything inside the try: an exception (a
     * TypeError too) must not unwind into C, which PHP makes fatal; a broken logger must not
     * break the request the line is about, so what it throws is dropped.
     */
    private static function dispatch(mixed $userData, mixed $level, mixed $message): void
    {
        try {
            $id = (int) Library::ffi()->cast('int64_t*', $userData)[0];
            $forward = self::$sinks[$id] ?? null;
            if ($forward !== null) {
                $forward(LogLevel::toPsr((int) $level), (string) $message);
            }
        } catch (\Throwable) {
            // dropped, see above
        }
    }

    /** A copy would share the id. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        unset(self::$sinks[$this->id]);
    }
}
