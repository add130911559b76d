<?php

// Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

declare(strict_types=1);

namespace Dinero;

/** Dinero's limits (DINERO_MAX_* in include/dinero.h). */
final class Limits
{
    public const MAX_UPLOAD_BYTES = 6291456;
    public const MAX_PAGE_SIZE = 1000;
}
