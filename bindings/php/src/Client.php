<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\ApiException;
use Dinero\Exception\DineroException;
use Dinero\Exception\InvalidArgumentException;

/**
 * One organization's connection to Dinero: the library keeps its access token valid, paces
 * requests under the rate limit and retries what is safe to retry. Owns its dinero_client
 * handle and frees it (wiping the credentials and token) in __destruct.
 */
final class Client
{
    private const JSON_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;

    private ?\FFI\CData $handle;

    /**
     * The logger the native client calls back (the 'logger' option): it must stay alive as
     * long as the handle, so it is dropped only after dinero_client_free in __destruct.
     */
    private ?LogSink $logSink;

    private function __construct(\FFI\CData $handle, ?LogSink $logSink)
    {
        $this->handle = $handle;
        $this->logSink = $logSink;
    }

    /**
     * Exchanges the credentials for an access token now (bad credentials fail here, at once).
     *
     * @param array<string, mixed> $options the C option keys: auth_url, api_url,
     *        organization_id, timeout_ms, max_retries, rate_limit_per_minute, token_cache, ...
     *        (int, bool or string values); and 'logger', a callable
     *        `function (string $level, string $message): void` or an object with a PSR-3
     *        `log($level, $message, array $context = [])` method, which receives the library's
     *        log lines with PSR-3 level names, plus 'log_level' (a PSR-3 name, default 'info')
     *
     * @throws Exception\AuthenticationException the token endpoint refused or failed
     * @throws Exception\InvalidArgumentException an unknown option, a bad value, a NUL byte
     * @throws Exception\NetworkException|Exception\TimeoutException the token endpoint was not reached
     */
    public static function authenticate(string $clientId, string $clientSecret, string $apiKey, array $options = []): self
    {
        $ffi = Library::ffi();
        $opts = new Options($options);
        $out = $ffi->new('dinero_client*');
        $status = $ffi->dinero_authenticate(
            Library::cString($clientId, 'the client id'),
            Library::cString($clientSecret, 'the client secret'),
            Library::cString($apiKey, 'the API key'),
            $opts->handle(),
            \FFI::addr($out)
        );
        Library::check($status, 'authenticate');
        $logSink = $opts->logSink();
        unset($opts); // the client keeps its own copy (but calls back into $logSink, kept below)
        return new self($out, $logSink);
    }

    /**
     * Sends one request and returns the answer, whatever its HTTP status.
     *
     * @param string $path relative to api_url, e.g. "/v1/{organizationId}/contacts?page=0"
     * @param array<mixed>|string|null $body an array is sent as JSON ([] as {}), a string as it is
     *
     * @throws Exception\NetworkException|Exception\TimeoutException no complete answer arrived
     * @throws Exception\InvalidArgumentException bad method, control character/space/NUL in the path
     */
    public function request(string $method, string $path, array|string|null $body = null): Response
    {
        $ffi = Library::ffi();
        $json = match (true) {
            $body === null => null,
            is_string($body) => Library::cString($body, 'the request body'),
            $body === [] => '{}',
            default => self::encode($body),
        };
        $out = $ffi->new('dinero_response*');
        $status = $ffi->dinero_request(
            $this->live(),
            Library::cString($method, 'the method'),
            Library::cString($path, 'the path'),
            $json,
            \FFI::addr($out)
        );
        Library::check($status, "$method request");
        return new Response($out, $method, $path);
    }

    /**
     * GET, with $query appended (RFC 3986 encoding: spaces as %20); the decoded JSON.
     *
     * @param array<string, mixed> $query
     * @throws ApiException on HTTP status >= 400
     */
    public function get(string $path, array $query = []): mixed
    {
        return $this->call('GET', self::withQuery($path, $query), null);
    }

    /**
     * POST $body as JSON; the decoded JSON answer (null for an empty one).
     *
     * @param array<mixed> $body
     * @throws ApiException on HTTP status >= 400
     */
    public function post(string $path, array $body = []): mixed
    {
        return $this->call('POST', $path, $body);
    }

    /**
     * PUT $body as JSON; the decoded JSON answer (null for an empty one).
     *
     * @param array<mixed> $body
     * @throws ApiException on HTTP status >= 400
     */
    public function put(string $path, array $body = []): mixed
    {
        return $this->call('PUT', $path, $body);
    }

    /**
     * DELETE, with $body as JSON when not empty (Dinero wants the entity's Timestamp there).
     *
     * @param array<mixed> $body
     * @throws ApiException on HTTP status >= 400
     */
    public function delete(string $path, array $body = []): mixed
    {
        return $this->call('DELETE', $path, $body === [] ? null : $body);
    }

    /**
     * Every item of a Dinero list, page after page: zero-based `page` and `pageSize` are added
     * to $query; it stops after a short page or once Pagination.Result items came. An answer
     * that is a bare JSON array (e.g. /v1/organizations) is one page.
     *
     * @param array<string, mixed> $query
     * @return \Generator<int, mixed>
     * @throws ApiException on HTTP status >= 400
     */
    public function paginate(string $path, int $pageSize = 100, array $query = []): \Generator
    {
        if ($pageSize < 1) {
            throw new InvalidArgumentException("pageSize must be at least 1, got $pageSize", Status::INVALID_ARGUMENT);
        }
        $seen = 0;
        for ($page = 0; ; $page++) {
            $answer = $this->get($path, ['page' => $page, 'pageSize' => $pageSize] + $query);
            if (is_array($answer) && array_is_list($answer)) {
                yield from $answer;
                return;
            }
            if (!is_array($answer) || !isset($answer['Collection']) || !is_array($answer['Collection'])) {
                throw new DineroException("GET $path: the answer is neither a list nor {\"Collection\": [...]}", Status::PROTOCOL);
            }
            $items = $answer['Collection'];
            foreach ($items as $item) {
                yield $item;
            }
            $seen += count($items);
            $total = $answer['Pagination']['Result'] ?? null;
            if (count($items) < $pageSize || (is_int($total) && $seen >= $total)) {
                return;
            }
        }
    }

    /**
     * A currently valid access token (refreshed first if due), for your own HTTP requests.
     * Never log it.
     */
    public function accessToken(): string
    {
        $ffi = Library::ffi();
        $out = $ffi->new('char*');
        $status = $ffi->dinero_client_access_token($this->live(), \FFI::addr($out));
        Library::check($status, 'access token');
        try {
            return \FFI::string($out);
        } finally {
            $ffi->dinero_string_free($out); // wipes the library's copy
        }
    }

    /** A copy would free the same native handle twice. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            Library::ffi()->dinero_client_free($this->handle);
            $this->handle = null;
        }
        $this->logSink = null; // only now: the native client could call it until it was freed
    }

    private function live(): \FFI\CData
    {
        if ($this->handle === null) {
            throw new DineroException('the client has been freed', Status::NULL_ARGUMENT);
        }
        return $this->handle;
    }

    /** @param array<mixed>|null $body */
    private function call(string $method, string $path, ?array $body): mixed
    {
        $response = $this->request($method, $path, $body);
        if ($response->status() >= 400) {
            throw ApiException::fromResponse($response, $method, $path);
        }
        return $response->json();
    }

    /** @param array<mixed> $body */
    private static function encode(array $body): string
    {
        try {
            return json_encode($body, self::JSON_FLAGS);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("the request body cannot be encoded as JSON: {$e->getMessage()}", Status::INVALID_ARGUMENT, $e);
        }
    }

    /** @param array<string, mixed> $query */
    private static function withQuery(string $path, array $query): string
    {
        if ($query === []) {
            return $path;
        }
        array_walk_recursive($query, static function (mixed &$value): void {
            if (is_bool($value)) {
                $value = $value ? 'true' : 'false'; // Dinero's deletedOnly=true, not 1
            }
        });
        $encoded = http_build_query($query, '', '&', PHP_QUERY_RFC3986);
        return $path . (str_contains($path, '?') ? '&' : '?') . $encoded;
    }
}
