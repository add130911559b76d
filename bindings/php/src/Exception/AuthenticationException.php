<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * The token endpoint refused the credentials (code Status::AUTH_REJECTED) or failed or answered something unreadable (Status::AUTH_UNAVAILABLE).
 */
class AuthenticationException extends DineroException
{
}
