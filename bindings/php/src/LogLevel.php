<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * The C library's log levels (DINERO_LOG_* in include/dinero.h) and their PSR-3 names.
 *
 * Client::authenticate's 'logger' option receives the PSR-3 name of each line's level
 * ('error', 'warning', 'info', 'debug'); 'log_level' takes a PSR-3 name (or one of these
 * constants) and lets through that level and the more important ones.
 */
final class LogLevel
{
    /** A failure: a request or a token refresh that did not succeed. */
    public const ERROR = 1;
    /** Something was retried, refused or waited out. */
    public const WARN = 2;
    /** One line per completed request and per new token. */
    public const INFO = 3;
    /** Details such as waits under the rate limit. */
    public const DEBUG = 4;

    /** The PSR-3 level names and the C level each lets through. */
    private const FROM_PSR = [
        'emergency' => self::ERROR,
        'alert' => self::ERROR,
        'critical' => self::ERROR,
        'error' => self::ERROR,
        'warning' => self::WARN,
        'notice' => self::INFO,
        'info' => self::INFO,
        'debug' => self::DEBUG,
    ];

    private function __construct()
    {
    }

    /** The PSR-3 name of a C level: 'error', 'warning', 'info' or 'debug' ('debug' for a number unknown today). */
    public static function toPsr(int $level): string
    {
        return match ($level) {
            self::ERROR => 'error',
            self::WARN => 'warning',
            self::INFO => 'info',
            default => 'debug',
        };
    }

    /**
     * The C level for a 'log_level' option: a PSR-3 name (any case; 'emergency' to 'error'
     * mean ERROR, 'notice' means INFO) or one of this class's constants.
     *
     * @throws InvalidArgumentException anything else
     */
    public static function fromPsr(string|int $level): int
    {
        if (is_int($level)) {
            if ($level < self::ERROR || $level > self::DEBUG) {
                throw new InvalidArgumentException("option 'log_level' must be 1 to 4 (LogLevel::ERROR to DEBUG), got $level", Status::INVALID_ARGUMENT);
            }
            return $level;
        }
        $known = self::FROM_PSR[strtolower($level)] ?? null;
        if ($known === null) {
            throw new InvalidArgumentException(
                "option 'log_level' must be a PSR-3 level name (" . implode(', ', array_keys(self::FROM_PSR)) . '), got ' . json_encode($level, JSON_INVALID_UTF8_SUBSTITUTE),
                Status::INVALID_ARGUMENT
            );
        }
        return $known;
    }
}
