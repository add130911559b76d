<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * An argument or option was unusable, and nothing was sent: a NUL byte in a string, an unknown
 * option or a bad value, a bad HTTP method, a control character or space in a path, plain http
 * to another host (codes Status::NULL_ARGUMENT, Status::INVALID_UTF8, Status::INVALID_ARGUMENT).
 *
 * It extends DineroException (so one catch takes every libdinero error); PHP has single
 * inheritance, so it cannot also extend PHP's own \InvalidArgumentException.
 */
class InvalidArgumentException extends DineroException
{
}
