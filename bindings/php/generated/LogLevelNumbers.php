<?php

// Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

declare(strict_types=1);

namespace Dinero;

/**
 * @internal The C library's log levels (DINERO_LOG_* in include/dinero.h): LogLevel implements
 * this, so they are LogLevel::ERROR, ... for users.
 */
interface LogLevelNumbers
{
    /** A failure: a request or a token refresh that did not succeed. */
    public const ERROR = 1;
    /** Something was retried, refused or waited out. */
    public const WARN = 2;
    /** One line per completed request and per new token. */
    public const INFO = 3;
    /** Details such as waits under the rate limit. */
    public const DEBUG = 4;
}
