<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * The base of every exception libdinero's PHP binding throws. getCode() is the C library's
 * status (a Dinero\Status constant); ApiException, which reports an HTTP answer, has code 0.
 * Messages never contain the client secret, the API key or a token.
 */
class DineroException extends \RuntimeException
{
    /**
     * The one place where a C status becomes an exception of the right class, by the mapping
     * every binding shares (Dinero\ErrorClass, generated from include/dinero.h).
     *
     * @param int    $status a Dinero\Status value other than OK
     * @param string $message what failed, in words (the C library's dinero_last_error detail)
     */
    public static function fromStatus(int $status, string $message): self
    {
        $class = \Dinero\ErrorClass::BY_STATUS[$status] ?? self::class;
        return new $class($message, $status);
    }
}
