<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * @internal A PHP callable the library calls back: the 'logger' option (dinero_log_callback)
 * or the 'refresh_token_callback' option (dinero_refresh_token_callback).
 *
 * PHP's FFI turns a PHP closure into a C function pointer by making a trampoline that it keeps,
 * with the closure and everything the closure holds, until the end of the request (the whole
 * run of a CLI worker). So there is one trampoline per C callback type and process
 * (logDispatch(), refreshTokenDispatch()), and each callback is told apart by the `user_data`
 * pointer handed to the library with it: a small C integer owned by the Callback, the key of
 * its callable in a registry. A Callback leaves the registry when it is destroyed; Client keeps
 * its options (which hold them) until after dinero_client_free, so the library never calls
 * back into one that is gone (and if it did, the call would be dropped).
 *
 * The library calls during a call into libdinero, on the calling thread (a PHP request has
 * one). Everything a callable throws is caught: an exception cannot unwind into C (PHP would
 * end the process).
 */
final class Callback
{
    /** @var array<int, \Closure> the live callables by id (not the Callbacks: they must be able to die) */
    private static array $live = [];
    private static int $lastId = 0;
    /** @var array<string, \FFI\CData> per C callback type, the struct holding its trampoline (lifetime: the process's) */
    private static array $trampolines = [];

    private int $id;
    /** int64_t owned by this Callback; its address is the user_data */
    private \FFI\CData $idCell;

    private function __construct(\Closure $call)
    {
        $this->id = ++self::$lastId;
        $this->idCell = Library::ffi()->new('int64_t');
        $this->idCell->cdata = $this->id;
        self::$live[$this->id] = $call;
    }

    /** @param mixed $logger a callable (string $level, string $message) or an object with a PSR-3 log() method */
    public static function logger(mixed $logger): self
    {
        if (is_object($logger) && !$logger instanceof \Closure && method_exists($logger, 'log')) {
            return new self(static function (string $level, string $message) use ($logger): void {
                $logger->log($level, $message, []);
            });
        }
        return new self(\Closure::fromCallable(self::callable($logger, 'logger', '(string $level, string $message) or an object with a PSR-3 log() method')));
    }

    /** @param mixed $store a callable (string $refreshToken) */
    public static function refreshToken(mixed $store): self
    {
        return new self(\Closure::fromCallable(self::callable($store, 'refresh_token_callback', '(string $refreshToken)')));
    }

    /** The dinero_log_callback that calls every logger Callback. */
    public static function logTrampoline(): \FFI\CData
    {
        return self::trampoline('dinero_log_callback', self::logDispatch(...));
    }

    /** The dinero_refresh_token_callback that calls every refresh-token Callback. */
    public static function refreshTokenTrampoline(): \FFI\CData
    {
        return self::trampoline('dinero_refresh_token_callback', self::refreshTokenDispatch(...));
    }

    /** The user_data to hand over with the trampoline: valid as long as this Callback lives. */
    public function userData(): \FFI\CData
    {
        return \FFI::addr($this->idCell);
    }

    /** How many Callbacks are alive (for the tests). */
    public static function live(): int
    {
        return count(self::$live);
    }

    private static function callable(mixed $callable, string $option, string $shape): callable
    {
        if (!is_callable($callable)) {
            throw new InvalidArgumentException("option '$option' must be a callable $shape, not " . get_debug_type($callable), Status::INVALID_ARGUMENT);
        }
        return $callable;
    }

    private static function trampoline(string $type, \Closure $dispatch): \FFI\CData
    {
        if (!isset(self::$trampolines[$type])) {
            $holder = Library::ffi()->new("struct { $type callback; }");
            $holder->callback = $dispatch;
            self::$trampolines[$type] = $holder;
        }
        return self::$trampolines[$type]->callback;
    }

    /** The callable a user_data names, or null. */
    private static function find(mixed $userData): ?\Closure
    {
        return self::$live[(int) Library::ffi()->cast('int64_t*', $userData)[0]] ?? null;
    }

    /**
     * The C log callback. Untyped parameters, and everything inside the try (a TypeError
     * too); a broken logger must not break the request the line is about, so what it throws
     * is dropped.
     */
    private static function logDispatch(mixed $userData, mixed $level, mixed $message): void
    {
        try {
            self::find($userData)?->__invoke(LogLevel::toPsr((int) $level), (string) $message);
        } catch (\Throwable) {
            // dropped, see above
        }
    }

    /**
     * The C refresh-token callback (a `const char *` arrives as a PHP string). A callable
     * that fails to store the token is noted in PHP's error_log by its exception's class and
     * place only (its message could quote the token).
     */
    private static function refreshTokenDispatch(mixed $userData, #[\SensitiveParameter] mixed $refreshToken): void
    {
        try {
            self::find($userData)?->__invoke((string) $refreshToken);
        } catch (\Throwable $e) {
            error_log(sprintf('libdinero: the refresh_token_callback threw %s (%s:%d); the new refresh token may not be stored', get_class($e), $e->getFile(), $e->getLine()));
        }
    }

    /** A copy would share the id. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        unset(self::$live[$this->id]);
    }
}
