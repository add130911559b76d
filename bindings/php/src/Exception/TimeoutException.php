<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * timeout_ms or connect_timeout_ms expired (code Status::TIMEOUT).
 */
class TimeoutException extends DineroException
{
}
