<?php

declare(strict_types=1);

namespace Dinero\Exception;

use Dinero\Status;

/**
 * The base of every exception libdinero's PHP binding throws. getCode() is the C library's
 * status (a Dinero\Status constant); ApiException, which reports an HTTP answer, has code 0.
 * Messages never contain the client secret, the API key or a token.
 */
class DineroException extends \RuntimeException
{
    /**
     * The one place where a C status becomes an exception of the right class.
     *
     * @param int    $status a Dinero\Status value other than OK
     * @param string $message what failed, in words (the C library's dinero_last_error detail)
     */
    public static function fromStatus(int $status, string $message): self
    {
        return match ($status) {
            Status::NULL_ARGUMENT, Status::INVALID_UTF8, Status::INVALID_ARGUMENT
                => new InvalidArgumentException($message, $status),
            Status::AUTH_REJECTED, Status::AUTH_UNAVAILABLE
                => new AuthenticationException($message, $status),
            Status::NETWORK, Status::TLS, Status::PROTOCOL, Status::RESPONSE_TOO_LARGE
                => new NetworkException($message, $status),
            Status::TIMEOUT => new TimeoutException($message, $status),
            Status::IO => new FileException($message, $status),
            default => new self($message, $status),
        };
    }
}
