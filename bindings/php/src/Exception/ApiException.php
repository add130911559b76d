<?php

declare(strict_types=1);

namespace Dinero\Exception;

use Dinero\Library;
use Dinero\Response;

/**
 * Dinero answered with an HTTP status >= 400 (thrown by Client::get/post/put/delete/paginate;
 * Client::request returns such answers as a Response instead).
 *
 * The C library reads Dinero's error body (`{"code":42,"message":"Validation error",
 * "validationErrors":{...},"languageSpecificMessages":[...]}`), the same way for every
 * language; other bodies (IIS's HTML 404, the plain-text 429) are tolerated: getApiCode() is
 * then null. getMessage() is the one sentence every language shows, e.g. "HTTP 400 (Dinero
 * code 42): Validation error [Name: Name is required]"; getRequest() names the request.
 * getCode() is 0 (the C call itself succeeded).
 *
 * The raw body and headers (getBody(), getHeaders()) are not properties of the exception: a
 * server may have echoed the request, its access token included, and var_dump, print_r,
 * var_export and serialize show every property. They stay with the exception object while it
 * lives; an unserialized copy has neither.
 */
class ApiException extends DineroException
{
    private int $status;
    private string $request;
    /** @var array<string, mixed> the library's reading of the answer (scrubbed of secrets) */
    private array $error;
    /** @var \WeakMap<self, array{body: string, headers: array<string, string>|null}>|null */
    private static ?\WeakMap $raw = null;

    public function __construct(int $status, #[\SensitiveParameter] string $body, string $method = '', string $path = '')
    {
        if ($status < 100 || $status > 999) {
            // FFI would wrap 65936 to 400 on its way to the library's uint16_t.
            throw new InvalidArgumentException("the status must be an HTTP status (100 to 999), not $status", \Dinero\Status::INVALID_ARGUMENT);
        }
        $this->initialize(Library::parseError($status, $body), $body, trim("$method $path"));
    }

    /** @internal from the library's reading of a response */
    public static function fromResponse(Response $response, string $method = '', string $path = ''): self
    {
        $exception = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $request = trim("$method $path");
        $exception->initialize($response->error() ?? [], $response->body(), $request !== '' ? $request : $response->request());
        self::raw()[$exception]['headers'] = $response->headers();
        return $exception;
    }

    /** @param array<string, mixed> $error */
    private function initialize(array $error, #[\SensitiveParameter] string $body, string $request): void
    {
        $this->error = $error;
        $this->status = (int) ($error['status'] ?? 0);
        self::raw()[$this] = ['body' => $body, 'headers' => null];
        $this->request = $request;
        parent::__construct((string) ($error['description'] ?? "HTTP {$this->status}"), 0);
    }

    /**
     * Every header of the answer (names lower-case, in the order they arrived, repeated ones
     * joined with ", "), e.g. ['retry-after' => '600', ...]; null for an exception made with
     * `new ApiException(...)`.
     *
     * @return array<string, string>|null
     */
    public function getHeaders(): ?array
    {
        return self::raw()[$this]['headers'] ?? null;
    }

    /** The HTTP status code (400, 403, 404, 429, 500, ...). */
    public function getStatus(): int
    {
        return $this->status;
    }

    /** The method and path of the request this answers, e.g. "POST /v1/{organizationId}/contacts". */
    public function getRequest(): string
    {
        return $this->request;
    }

    /** Dinero's error code from the body (42 validation, 58 timestamp outdated, ...), if any. */
    public function getApiCode(): ?int
    {
        return $this->error['code'] ?? null;
    }

    /** Dinero's message from the body (or the start of a plain-text body), if any. */
    public function getApiMessage(): ?string
    {
        return ($this->error['message_from_body'] ?? false) ? $this->error['message'] : null;
    }

    /**
     * Dinero's "validationErrors" (property => message), [] if none.
     *
     * @return array<string, string>
     */
    public function getValidationErrors(): array
    {
        $errors = [];
        foreach ($this->error['validation_errors'] ?? [] as $error) {
            $errors[$error['name']] = $error['message'];
        }
        return $errors;
    }

    /**
     * Dinero's "languageSpecificMessages" list, [] if none.
     *
     * @return array<mixed>
     */
    public function getLanguageSpecificMessages(): array
    {
        return $this->error['language_specific_messages'] ?? [];
    }

    /**
     * Dinero's "errorMessageList" ([{"Code": ..., "Message": ...}]), [] if none.
     *
     * @return array<mixed>
     */
    public function getErrorMessageList(): array
    {
        return $this->error['error_message_list'] ?? [];
    }

    /** The raw response body (may be HTML or plain text). */
    public function getBody(): string
    {
        return self::raw()[$this]['body'] ?? '';
    }

    /** @return \WeakMap<self, array{body: string, headers: array<string, string>|null}> */
    private static function raw(): \WeakMap
    {
        return self::$raw ??= new \WeakMap();
    }
}
