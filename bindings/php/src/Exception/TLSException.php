<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * A NetworkException (Status::TLS): the TLS handshake failed (e.g. a certificate that is not trusted).
 */
class TLSException extends NetworkException
{
}
