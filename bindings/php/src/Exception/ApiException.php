<?php

declare(strict_types=1);

namespace Dinero\Exception;

use Dinero\Response;

/**
 * Dinero answered with an HTTP status >= 400 (thrown by Client::get/post/put/delete/paginate;
 * Client::request returns such answers as a Response instead).
 *
 * Dinero's error body is `{"code":42,"message":"Validation error","validationErrors":{...},
 * "languageSpecificMessages":[...]}`; other bodies (IIS's HTML 404, the plain-text 429) are
 * tolerated: getApiCode() is then null and the message quotes the start of the body.
 * getCode() is 0 (the C call itself succeeded).
 */
class ApiException extends DineroException
{
    private int $status;
    private string $body;
    private ?int $apiCode = null;
    private ?string $apiMessage = null;
    /** @var array<mixed> */
    private array $validationErrors = [];
    /** @var array<mixed> */
    private array $languageSpecificMessages = [];

    public function __construct(int $status, string $body, string $method = '', string $path = '')
    {
        $this->status = $status;
        $this->body = $body;
        // Big integers (a draft's Number, 9223372036854775807) stay exact, as strings.
        $decoded = json_decode($body, true, 512, JSON_BIGINT_AS_STRING);
        if (is_array($decoded) && !array_is_list($decoded)) {
            if (isset($decoded['code']) && is_numeric($decoded['code'])) {
                $this->apiCode = (int) $decoded['code'];
            }
            if (isset($decoded['message']) && is_string($decoded['message'])) {
                $this->apiMessage = $decoded['message'];
            }
            if (isset($decoded['validationErrors']) && is_array($decoded['validationErrors'])) {
                $this->validationErrors = $decoded['validationErrors'];
            }
            if (isset($decoded['languageSpecificMessages']) && is_array($decoded['languageSpecificMessages'])) {
                $this->languageSpecificMessages = $decoded['languageSpecificMessages'];
            }
        }
        $where = trim("$method $path");
        $message = "HTTP $status" . ($where !== '' ? " from $where" : '');
        if ($this->apiMessage !== null) {
            $message .= ': ' . $this->apiMessage;
            if ($this->apiCode !== null) {
                $message .= " (Dinero code {$this->apiCode})";
            }
            foreach ($this->validationErrors as $field => $error) {
                if (is_string($error)) {
                    $message .= "; $field: $error";
                }
            }
        } elseif ($this->apiCode !== null) {
            $message .= " (Dinero code {$this->apiCode})";
        } else {
            $text = trim((string) preg_replace('~\s+~', ' ', strip_tags($body)));
            if ($text !== '') {
                $message .= ': ' . (strlen($text) > 200 ? substr($text, 0, 200) . '...' : $text);
            }
        }
        parent::__construct($message, 0);
    }

    public static function fromResponse(Response $response, string $method = '', string $path = ''): self
    {
        return new self($response->status(), $response->body(), $method, $path);
    }

    /** The HTTP status code (400, 403, 404, 429, 500, ...). */
    public function getStatus(): int
    {
        return $this->status;
    }

    /** Dinero's error code from the body (42 validation, 58 timestamp outdated, ...), if any. */
    public function getApiCode(): ?int
    {
        return $this->apiCode;
    }

    /** Dinero's "message" from the body, if any. */
    public function getApiMessage(): ?string
    {
        return $this->apiMessage;
    }

    /**
     * Dinero's "validationErrors" object (property => message), [] if none.
     *
     * @return array<mixed>
     */
    public function getValidationErrors(): array
    {
        return $this->validationErrors;
    }

    /**
     * Dinero's "languageSpecificMessages" list, [] if none.
     *
     * @return array<mixed>
     */
    public function getLanguageSpecificMessages(): array
    {
        return $this->languageSpecificMessages;
    }

    /** The raw response body (may be HTML or plain text). */
    public function getBody(): string
    {
        return $this->body;
    }
}
