<?php

declare(strict_types=1);

namespace Dinero\Exception;

/**
 * A local file could not be read or written (code Status::IO): the file given to
 * Client::uploadFile is missing or unreadable, or Response::saveTo / Client::download's
 * $saveTo names a folder that does not exist or cannot be written. Nothing was sent (an
 * upload) or the answer was received but not stored (a save).
 */
class FileException extends DineroException
{
    /**
     * The operating system's error number when the library names it, as Python's and Node's
     * FileError give it (2, ENOENT, for a missing file; 13, EACCES, for no permission), else null.
     */
    public function getErrno(): ?int
    {
        return preg_match('~\(os error (\d+)\)~', $this->getMessage(), $found) === 1 ? (int) $found[1] : null;
    }
}
