<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * A NetworkException (Status::PROTOCOL): the answer was not valid HTTP or was cut short, or (for
 * the JSON helpers, uploads and organizations()) not the JSON expected.
 */
class ProtocolException extends NetworkException
{
}
