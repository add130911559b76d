<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * The token endpoint refused the credentials (code Status::AUTH_REJECTED) or failed or gave an HTTP answer that is not a token (Status::AUTH_UNAVAILABLE).
 */
class AuthenticationException extends DineroException
{
}
