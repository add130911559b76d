<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * @internal Owns one dinero_options handle (freed in __destruct). Client::authenticate builds it
 * from an array; keys are the C option names (see README.md), values int, string, bool, a whole
 * float or null (the default), read and checked by the library as in every binding, plus
 * the PHP-only 'logger' and 'log_level' (see setLogger()) and 'refresh_token_callback' (see
 * setRefreshTokenCallback()).
 */
final class Options
{
    private ?\FFI\CData $handle;

    /** The logger handed to the library; whoever keeps the client must keep this too. */
    private ?Callback $logger = null;

    /** The refresh-token callback handed to the library, kept as long as the logger. */
    private ?Callback $refreshTokenCallback = null;

    /** @param array<string, mixed> $options */
    public function __construct(#[\SensitiveParameter] array $options = [])
    {
        $ffi = Library::ffi();
        $handle = $ffi->dinero_options_new();
        if ($handle === null) {
            throw new \Dinero\Exception\DineroException('dinero_options_new: out of memory');
        }
        $this->handle = $handle;
        $logger = $options['logger'] ?? null;
        $level = $options['log_level'] ?? 'info';
        $refreshTokenCallback = $options['refresh_token_callback'] ?? null;
        unset($options['logger'], $options['log_level'], $options['refresh_token_callback']);
        $this->setAll($options);
        $this->setLogger($logger, $level);
        $this->setRefreshTokenCallback($refreshTokenCallback);
    }

    /**
     * Sends the library's log lines to $logger: a callable `function (string $level, string
     * $message): void` or an object with a PSR-3 `log($level, $message, array $context = [])`
     * method (duck-typed: psr/log is not required), with PSR-3 level names ('error',
     * 'warning', 'info', 'debug'). $level (a PSR-3 name or a LogLevel constant) is the least
     * important level let through. null turns logging off.
     *
     * The lines come during dinero_authenticate / dinero_request / a token refresh, on this
     * thread. Whatever the logger throws is caught and dropped: an exception cannot cross C
     * (PHP would end the process), and a broken logger must not break a request. See Callback.
     */
    public function setLogger(mixed $logger, mixed $level = 'info'): void
    {
        if (!is_string($level) && !is_int($level)) {
            throw new InvalidArgumentException(
                "option 'log_level' must be a PSR-3 level name, not " . get_debug_type($level),
                Status::INVALID_ARGUMENT
            );
        }
        $maxLevel = LogLevel::fromPsr($level);
        $callback = $logger === null || $maxLevel === 0 ? null : Callback::logger($logger);
        $status = Library::ffi()->dinero_options_set_log_callback(
            $this->handle,
            $callback === null ? null : Callback::logTrampoline(),
            $callback?->userData(),
            $maxLevel
        );
        Library::check($status, "option 'logger'");
        $this->logger = $callback;
    }

    /**
     * Hands every new Visma Connect refresh token to $callback, `function (string
     * $refreshToken): void`, which must store it durably before returning (see
     * Client::connectAuthenticateCode()); null turns it off.
     */
    public function setRefreshTokenCallback(mixed $callback): void
    {
        $callback = $callback === null ? null : Callback::refreshToken($callback);
        $status = Library::ffi()->dinero_options_set_refresh_token_callback(
            $this->handle,
            $callback === null ? null : Callback::refreshTokenTrampoline(),
            $callback?->userData()
        );
        Library::check($status, "option 'refresh_token_callback'");
        $this->refreshTokenCallback = $callback;
    }

    /**
     * Sets many options in one call (dinero_options_set_json): the library turns the values
     * into its text and checks them; on any error none of them is set.
     *
     * @param array<string|int, mixed> $options
     */
    public function setAll(#[\SensitiveParameter] array $options): void
    {
        if ($options === []) {
            return;
        }
        try {
            $json = json_encode((object) $options, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("the options cannot be encoded as JSON: {$e->getMessage()}", Status::INVALID_ARGUMENT, $e);
        }
        Library::check(Library::ffi()->dinero_options_set_json($this->handle, $json), 'options');
    }

    /** @internal */
    public function handle(): \FFI\CData
    {
        return $this->handle;
    }

    /** A copy would free the same native handle twice. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->dinero_options_free($this->handle);
            $this->handle = null;
        }
    }
}
