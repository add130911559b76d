<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * No complete HTTP answer arrived: the connection failed or was reset (Status::NETWORK); and
 * its kinds TLSException, ProtocolException and ResponseTooLargeException.
 */
class NetworkException extends DineroException
{
}
