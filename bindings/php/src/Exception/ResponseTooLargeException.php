<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * A NetworkException (Status::RESPONSE_TOO_LARGE): the body exceeded the max_response_bytes option; it was not read.
 */
class ResponseTooLargeException extends NetworkException
{
}
