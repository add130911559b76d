<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * @internal One client's 'refresh_token_callback' (Visma Connect), reachable from C the way
 * LogSink is (see there): one trampoline per process, each sink told apart by its user_data,
 * a small C integer it owns that keys a registry; a sink leaves the registry when destroyed,
 * and Client keeps it until after dinero_client_free.
 *
 * The library calls it during a call into libdinero that refreshed, on the calling thread (a
 * PHP request has one), before the access token that came with the new refresh token is used.
 */
final class RefreshTokenSink
{
    /** @var array<int, \Closure(string): void> the live sinks' callables by id */
    private static array $sinks = [];
    private static int $lastId = 0;
    /** The C struct holding the process's one trampoline (its lifetime is the process's). */
    private static ?\FFI\CData $trampoline = null;

    private int $id;
    /** int64_t owned by this sink; its address is the user_data */
    private \FFI\CData $idCell;

    public function __construct(mixed $callback)
    {
        if (!is_callable($callback)) {
            throw new InvalidArgumentException(
                "option 'refresh_token_callback' must be a callable (string \$refreshToken), not " . get_debug_type($callback),
                Status::INVALID_ARGUMENT
            );
        }
        $this->id = ++self::$lastId;
        $this->idCell = Library::ffi()->new('int64_t');
        $this->idCell->cdata = $this->id;
        self::$sinks[$this->id] = \Closure::fromCallable($callback);
    }

    /** The dinero_refresh_token_callback for dinero_options_set_refresh_token_callback. */
    public static function callback(): \FFI\CData
    {
        if (self::$trampoline === null) {
            $holder = Library::ffi()->new('struct { dinero_refresh_token_callback callback; }');
            $holder->callback = self::dispatch(...);
            self::$trampoline = $holder;
        }
        return self::$trampoline->callback;
    }

    /** The user_data: valid as long as this sink lives. */
    public function userData(): \FFI\CData
    {
        return \FFI::addr($this->idCell);
    }

    /**
     * The C callback. Everything inside the try: an exception must not unwind into C, which
     * PHP makes fatal. A callback that fails to store the token is noted in PHP's error_log
     * by its exception's class and place only (its message could quote the token).
     */
    private static function dispatch(mixed $userData, mixed $refreshToken): void
    {
        try {
            $id = (int) Library::ffi()->cast('int64_t*', $userData)[0];
            $store = self::$sinks[$id] ?? null;
            if ($store !== null) {
                $store((string) $refreshToken); // a `const char *` arrives as a PHP string
            }
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
        unset(self::$sinks[$this->id]);
    }
}
