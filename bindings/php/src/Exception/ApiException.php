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
        $decoded = json_decode($body, true);
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
        parent::__construct(self::printable($message, self::QUOTED_CHARS), 0);
    }

    /** How much of the server's words the message quotes. */
    private const QUOTED_CHARS = 1000;

    /**
     * The server's words in an exception's message: one printable line (no escape sequences
     * for a terminal, no line breaks that forge a log line), and not a flood.
     */
    private static function printable(string $text, int $limit): string
    {
        $line = preg_replace('~[\x{0}-\x{1f}\x{7f}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\s]+~u', ' ', $text);
        if ($line === null) { // not UTF-8: byte by byte
            $line = (string) preg_replace('~[\x00-\x20\x7f]+~', ' ', $text);
            $line = trim($line);
            return strlen($line) > $limit ? rtrim(substr($line, 0, $limit)) . '...' : $line;
        }
        $line = trim($line);
        if (preg_match('~^.{' . $limit . '}~su', $line, $cut) === 1 && strlen($cut[0]) < strlen($line)) {
            return rtrim($cut[0]) . '...';
        }
        return $line;
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
