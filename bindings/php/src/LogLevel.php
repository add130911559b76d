<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\InvalidArgumentException;

/**
 * The C library's log levels (LogLevel::ERROR, WARN, INFO, DEBUG: DINERO_LOG_* in include/dinero.h,
 * generated into LogLevelNumbers) and their PSR-3 names.
 *
 * Client::authenticate's 'logger' option receives the PSR-3 name of each line's level
 * ('error', 'warning', 'info', 'debug'); 'log_level' takes a PSR-3 name (or one of these
 * constants) and lets through that level and the more important ones.
 */
final class LogLevel implements LogLevelNumbers
{
    private function __construct()
    {
    }

    /** The PSR-3 name of a C level: 'error', 'warning', 'info' or 'debug' ('debug' for a number unknown today). */
    public static function toPsr(int $level): string
    {
        return (string) Library::ffi()->dinero_log_level_name(max(0, min($level, 0xFFFFFFFF)));
    }

    /**
     * The C level for a 'log_level' option: a PSR-3 name (any case; 'emergency' to 'error'
     * mean ERROR, 'notice' means INFO, 'warn' WARN, 'off' 0: the library's reading of level
     * names, dinero_log_level_parse) or one of this class's constants.
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
        $ffi = Library::ffi();
        $out = $ffi->new('uint32_t');
        Library::check($ffi->dinero_log_level_parse(Library::cString($level, "option 'log_level'"), \FFI::addr($out)), "option 'log_level'");
        return $out->cdata;
    }
}
