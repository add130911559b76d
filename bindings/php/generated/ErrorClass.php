<?php

// Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

declare(strict_types=1);

namespace Dinero;

/** @internal The exception class of each failure status, the same mapping as every binding. */
final class ErrorClass
{
    /** @var array<int, class-string<Exception\DineroException>> */
    public const BY_STATUS = [
        Status::NULL_ARGUMENT => Exception\InvalidArgumentException::class,
        Status::INVALID_UTF8 => Exception\InvalidArgumentException::class,
        Status::INVALID_ARGUMENT => Exception\InvalidArgumentException::class,
        Status::AUTH_REJECTED => Exception\AuthenticationException::class,
        Status::AUTH_UNAVAILABLE => Exception\AuthenticationException::class,
        Status::NETWORK => Exception\NetworkException::class,
        Status::TIMEOUT => Exception\TimeoutException::class,
        Status::TLS => Exception\TLSException::class,
        Status::PROTOCOL => Exception\ProtocolException::class,
        Status::PANIC => Exception\DineroException::class,
        Status::RESPONSE_TOO_LARGE => Exception\ResponseTooLargeException::class,
        Status::IO => Exception\FileException::class,
        Status::LOGIN_REQUIRED => Exception\LoginRequiredException::class,
        Status::INTERRUPTED => Exception\DineroException::class,
    ];
}
