<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * No complete HTTP answer arrived: the connection failed or was reset (Status::NETWORK), the TLS handshake failed (Status::TLS), the answer was not valid HTTP (Status::PROTOCOL), or the body exceeded max_response_bytes (Status::RESPONSE_TOO_LARGE).
 */
class NetworkException extends DineroException
{
}
