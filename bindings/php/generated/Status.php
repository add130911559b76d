<?php

// Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

declare(strict_types=1);

namespace Dinero;

/**
 * The C library's status codes (DINERO_STATUS_* in include/dinero.h; numbers are never reused).
 * A DineroException's getCode() is one of these.
 */
final class Status
{
    public const OK = 0;
    public const NULL_ARGUMENT = 1;
    public const INVALID_UTF8 = 2;
    public const INVALID_ARGUMENT = 3;
    public const AUTH_REJECTED = 4;
    public const AUTH_UNAVAILABLE = 5;
    public const NETWORK = 6;
    public const TIMEOUT = 7;
    public const TLS = 8;
    public const PROTOCOL = 9;
    public const PANIC = 10;
    public const RESPONSE_TOO_LARGE = 11;
    public const IO = 12;
    public const LOGIN_REQUIRED = 13;
    public const INTERRUPTED = 14;

    private function __construct()
    {
    }

    /** The library's short description of a status, e.g. "authentication rejected". */
    public static function describe(int $status): string
    {
        if ($status < 0 || $status > 0xFFFFFFFF) {
            return 'unknown status';
        }
        return (string) Library::ffi()->dinero_status_str($status);
    }
}
