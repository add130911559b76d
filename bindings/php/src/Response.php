<?php

declare(strict_types=1);

namespace Dinero;

/**
 * One HTTP answer (any status: 4xx and 5xx are answers too). Owns its dinero_response handle and
 * frees it in __destruct.
 */
final class Response
{
    private ?\FFI\CData $handle;
    private ?string $body = null;
    private ?int $status = null;
    /** Library::ffi(), looked up once per response: body(), status() and the free are per request. */
    private \FFI $ffi;

    /** One size_t for every body's length: a response belongs to one thread at a time. */
    private static ?\FFI\CData $length = null;
    private static ?\FFI\CData $lengthAt = null;
    private static ?\FFI\CType $textOut = null;

    /** @internal created by Client::request */
    public function __construct(\FFI\CData $handle, ?\FFI $ffi = null)
    {
        $this->handle = $handle;
        $this->ffi = $ffi ?? Library::ffi();
    }

    /** The HTTP status code (200, 201, 400, 429, ...). */
    public function status(): int
    {
        return $this->status ??= $this->ffi->dinero_response_status($this->handle);
    }

    /** The body, byte for byte (a PDF with NUL bytes included). */
    public function body(): string
    {
        if ($this->body === null) {
            $length = self::$length ??= $this->ffi->new('size_t');
            $bytes = $this->ffi->dinero_response_body($this->handle, self::$lengthAt ??= \FFI::addr($length));
            $this->body = ($bytes === null || $length->cdata === 0) ? '' : \FFI::string($bytes, $length->cdata);
        }
        return $this->body;
    }

    /**
     * For a status >= 400, the one line every language shows for it, e.g. "HTTP 400 (Dinero
     * code 42): Validation error [Name: Name is required]"; null below 400.
     */
    public function errorMessage(): ?string
    {
        $line = $this->ffi->dinero_response_error_message($this->handle);
        return $line === null ? null : (string) $line;
    }

    /**
     * @internal The library's reading of an error answer (dinero_response_error_json), or null
     * for a status below 400.
     *
     * @return array<string, mixed>|null
     */
    public function error(): ?array
    {
        $json = $this->ffi->dinero_response_error_json($this->handle);
        return $json === null ? null : json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    }

    /**
     * The body decoded as JSON (objects as associative arrays); null for an empty body.
     *
     * @throws \JsonException when the body is not JSON
     */
    public function json(): mixed
    {
        $body = $this->body();
        if (trim($body, " \t\r\n\f") === '') { // the library's rule of an empty body, as in every binding
            return null;
        }
        return json_decode($body, true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    }

    /**
     * @internal An OK answer's body decoded as the library reads it (dinero_response_json): null
     * for an empty body, ProtocolException for one that is not JSON.
     */
    public function decodedOk(): mixed
    {
        $json = $this->ffi->new(self::$textOut ??= $this->ffi->type('const char*')); // a type parsed once
        $status = $this->ffi->dinero_response_json($this->handle, \FFI::addr($json));
        if ($status !== Status::OK) {
            Library::check($status, $this->request()); // the request line only when it is needed
        }
        return json_decode(\FFI::string($json), true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    }

    /** A header's value, looked up without regard to case; repeated headers come joined with ", ". */
    public function header(string $name): ?string
    {
        $value = $this->ffi->dinero_response_header($this->handle, Library::cString($name, 'the header name'));
        return $value === null ? null : (string) $value;
    }

    /**
     * Every header of the answer, lower-case name => value, in the order they arrived;
     * repeated headers come once, their values joined with ", ".
     *
     * @return array<string, string>
     */
    public function headers(): array
    {
        return json_decode((string) $this->ffi->dinero_response_headers_json($this->handle), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Writes the body, byte for byte, to $file (e.g. an invoice PDF), whatever the HTTP status
     * (check it first). The library writes a temporary file beside it and renames it, so a
     * reader never sees half a file; an existing file is replaced. A plain path (relative to
     * the current directory), not a PHP stream wrapper.
     *
     * @throws Exception\FileException the folder does not exist or cannot be written
     */
    public function saveTo(string $file): void
    {
        $status = $this->ffi->dinero_response_save($this->handle, Library::cString($file, 'the file path'));
        Library::check($status, "saving the answer to $file");
    }

    /**
     * True for a status below 400, the library's one rule (dinero_response_is_ok): 400 and
     * above is an error answer, which get()/post()/put()/delete()/paginate() throw as an
     * ApiException.
     */
    public function isSuccess(): bool
    {
        return $this->ffi->dinero_response_is_ok($this->handle);
    }

    /**
     * The request this answers, as the library sent it (dinero_response_request): the method,
     * the path with {organizationId} as written, and the query percent-encoded, e.g.
     * "GET /v1/{organizationId}/contacts?page=0&fields=Name".
     */
    public function request(): string
    {
        return (string) $this->ffi->dinero_response_request($this->handle);
    }

    /** A copy would free the same native handle twice. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            $this->ffi->dinero_response_free($this->handle);
            $this->handle = null;
        }
    }
}
