<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\ApiException;
use Dinero\Exception\InvalidArgumentException;

/**
 * One organization's connection to Dinero: the library keeps its access token valid, paces
 * requests under the rate limit and retries what is safe to retry. Owns its dinero_client
 * handle and frees it (wiping the credentials and token) in __destruct.
 */
final class Client
{
    private const JSON_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR;

    /** Dinero's files endpoint, where uploadFile() and uploadBytes() post. */
    public const FILES = '/v1/{organizationId}/files';

    /** Dinero's largest page, paginate()'s default (DINERO_MAX_PAGE_SIZE). */
    public const MAX_PAGE_SIZE = Limits::MAX_PAGE_SIZE;

    private ?\FFI\CData $handle;

    /** The FFI type of a `dinero_response *` out-parameter, parsed once per process. */
    private static ?\FFI\CType $responseOut = null;

    /**
     * The options the client was made with: they hold the logger and the refresh-token
     * callback the native client calls back, which must stay alive as long as the handle, so
     * they are dropped only after dinero_client_free in __destruct.
     */
    private ?Options $options;

    /** For a view made by forOrganization(): the client that owns the handle (and frees it). */
    private ?self $owner = null;

    /** For a view made by forOrganization(): the organization of its every request. */
    private ?string $organizationId = null;

    private function __construct(\FFI\CData $handle, Options $options)
    {
        $this->handle = $handle;
        $this->options = $options;
    }

    /**
     * Exchanges the credentials for an access token now (bad credentials fail here, at once).
     *
     * @param array<string, mixed> $options the C option keys: auth_url, api_url,
     *        organization_id, timeout_ms, max_retries, rate_limit_per_minute, token_cache, ...
     *        (int, string, bool, a whole float, or null for the default); and 'logger', a callable
     *        `function (string $level, string $message): void` or an object with a PSR-3
     *        `log($level, $message, array $context = [])` method, which receives the library's
     *        log lines with PSR-3 level names, plus 'log_level' (a PSR-3 name, default 'info')
     *
     * @throws Exception\AuthenticationException the token endpoint refused or failed
     * @throws Exception\InvalidArgumentException an unknown option, a bad value, a NUL byte
     * @throws Exception\NetworkException|Exception\TimeoutException the token endpoint was not reached
     */
    public static function authenticate(
        string $clientId,
        #[\SensitiveParameter] string $clientSecret,
        #[\SensitiveParameter] string $apiKey,
        array $options = [],
    ): self
    {
        $credentials = ['the client id' => $clientId, 'the client secret' => $clientSecret, 'the API key' => $apiKey];
        return self::open('dinero_authenticate', $credentials, $options, 'authenticate');
    }

    /**
     * Visma Connect, for an integration offered to more than one company, step 1 of a sign-in
     * (dinero_connect_authorize_url): a fresh authorization, ['url' => ..., 'state' => ...,
     * 'code_verifier' => ..., 'redirect_uri' => ...]. Send the user's browser to 'url' and keep
     * the whole array (in the user's session, say) for connectAuthenticateCode(): it holds the
     * PKCE verifier, a secret. $clientId is the Visma Connect id (isv_...), $redirectUri the
     * address registered with it. Options read: connect_url, scope, ui_locales.
     *
     * @param array<string, mixed> $options
     * @return array{url: string, state: string, code_verifier: string, redirect_uri: string}
     * @throws Exception\InvalidArgumentException an empty client id, an unusable redirect URI
     */
    public static function connectAuthorizeUrl(string $clientId, string $redirectUri, array $options = []): array
    {
        $ffi = Library::ffi();
        $opts = new Options($options);
        $out = $ffi->new('char*');
        $status = $ffi->dinero_connect_authorize_url(
            Library::cString($clientId, 'the client id'),
            Library::cString($redirectUri, 'the redirect URI'),
            $opts->handle(),
            \FFI::addr($out)
        );
        Library::check($status, 'Visma Connect authorization');
        return json_decode(Library::takeString($out), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Visma Connect, step 2 (dinero_connect_authenticate_code): the browser came back to the
     * redirect URI. $callback is what it brought: the POSTed form body
     * (file_get_contents('php://input')), the $_POST array, or the query string;
     * $authorization what connectAuthorizeUrl() returned for this sign-in (the array or its
     * JSON text). The library checks the state, exchanges the code (once) and returns a client.
     * The refresh token goes to the 'refresh_token_callback' option before this returns: store
     * it, later runs start from it with connectAuthenticate().
     *
     * @param array<string, mixed>|string $authorization
     * @param array<string, mixed>|string $callback
     * @param array<string, mixed> $options as for authenticate() (connect_url for Visma
     *        Connect's address), plus 'refresh_token_callback': a callable
     *        `function (string $refreshToken): void` that stores each new refresh token durably
     *        (the first one included) before it returns; it runs during a call into the
     *        library, on this thread. What it throws is dropped (it cannot cross C) and noted
     *        in PHP's error_log, without the token; with 'shared_state' also 'grant_name'.
     *
     * @throws Exception\AuthenticationException the state does not match, the user refused,
     *         Visma Connect refused the code or the client credentials, or failed
     */
    public static function connectAuthenticateCode(
        string $clientId,
        #[\SensitiveParameter] string $clientSecret,
        #[\SensitiveParameter] array|string $authorization,
        #[\SensitiveParameter] array|string $callback,
        array $options = [],
    ): self
    {
        // Without JSON_THROW_ON_ERROR: an exception's trace would show the array, verifier and all.
        $authorization = is_array($authorization) ? (string) json_encode($authorization, JSON_UNESCAPED_SLASHES) : $authorization;
        $callback = is_array($callback) ? http_build_query($callback, '', '&', PHP_QUERY_RFC3986) : $callback;
        $credentials = ['the client id' => $clientId, 'the client secret' => $clientSecret, 'the authorization' => $authorization, 'the callback' => $callback];
        return self::open('dinero_connect_authenticate_code', $credentials, $options, 'Visma Connect sign-in');
    }

    /**
     * Visma Connect, later runs (dinero_connect_authenticate): a client from a refresh token
     * stored earlier; it is used now. Options as for connectAuthenticateCode().
     *
     * @param array<string, mixed> $options
     * @throws Exception\LoginRequiredException the refresh token is revoked, expired or used
     *         up: the user must sign in again (connectAuthorizeUrl())
     */
    public static function connectAuthenticate(
        string $clientId,
        #[\SensitiveParameter] string $clientSecret,
        #[\SensitiveParameter] string $refreshToken,
        array $options = [],
    ): self
    {
        $credentials = ['the client id' => $clientId, 'the client secret' => $clientSecret, 'the refresh token' => $refreshToken];
        return self::open('dinero_connect_authenticate', $credentials, $options, 'Visma Connect authenticate');
    }

    /**
     * The organizations the client's token reaches (GET /v1/organizations, dinero_client_organizations),
     * e.g. [['Id' => 424242, 'Name' => ..., 'IsPro' => ...], ...]: one for an API key, any
     * number for a Visma Connect user. Choose one per client (the organization_id option) or
     * per request (forOrganization()).
     *
     * @return list<array<string, mixed>>
     * @throws ApiException on HTTP status >= 400
     * @throws Exception\ProtocolException an OK answer that is not a JSON list
     */
    public function organizations(): array
    {
        $ffi = Library::ffi();
        $out = $ffi->new('dinero_response*');
        Library::check($ffi->dinero_client_organizations($this->live(), \FFI::addr($out)), 'organizations');
        return self::decoded(new Response($out)); // a list: the library refuses any other OK answer
    }

    /**
     * This client (its token, pacing and connections) for another organization its token
     * reaches: every request of the returned client carries this organization_id (the request
     * description's "organization_id"), whatever the client's option. uploadFile(),
     * uploadBytes() and create() use the client's organization_id option only, so the view
     * refuses them.
     */
    public function forOrganization(string|int $organizationId): self
    {
        $view = new self($this->live(), $this->options);
        $view->owner = $this->owner ?? $this;
        $view->organizationId = (string) $organizationId;
        return $view;
    }

    /**
     * Sends one request and returns the answer, whatever its HTTP status.
     *
     * Without $query and $headers this is the short path (dinero_request): an array body is
     * sent as JSON ([] as {}), a string body as it is, both with Content-Type: application/json.
     * With either, the request is made with the C request builder: the query parameters are
     * appended and percent-encoded by the library (RFC 3986, a space as %20), the headers are
     * validated there, and a string body is sent byte for byte (NUL bytes included) with the
     * Content-Type header given in $headers (application/json when there is none).
     *
     * A string body holding a NUL byte needs a Content-Type header: without one it is taken
     * for JSON, which cannot hold a raw NUL, and refused.
     *
     * @param string $path relative to api_url, e.g. "/v1/{organizationId}/contacts?page=0"
     * @param array<mixed>|string|null $body an array is sent as JSON ([] as {}), a string as it is
     * @param array<string|int, mixed> $query parameters appended to the path (after any it
     *        has): values string, int, float or bool (as "true"/"false"); null values are left
     *        out; nested arrays become key[sub]=value, as http_build_query() writes them
     * @param array<string, string|int> $headers e.g. ['Accept' => 'application/octet-stream'];
     *        Authorization, Host, Content-Length, Transfer-Encoding and Connection are managed
     *        by libdinero and refused, as are values with CR or LF
     *
     * @throws Exception\NetworkException|Exception\TimeoutException no complete answer arrived
     * @throws Exception\InvalidArgumentException bad method, control character/space/NUL in the
     *         path, a refused header, a NUL byte where it cannot go
     */
    public function request(string $method, string $path, array|string|null $body = null, array $query = [], array $headers = []): Response
    {
        $spec = ($query === [] && $headers === [] && $body === null && $this->organizationId === null) ? null : $this->spec($query, $headers, $body);
        if (str_contains($method, "\0") || str_contains($path, "\0")) { // checked inline: this is the hot path
            Library::cString($method, 'the method');
            Library::cString($path, 'the path');
        }
        $ffi = Library::ffi();
        $out = $ffi->new(self::$responseOut ??= $ffi->type('dinero_response*')); // a type parsed once
        $status = $ffi->dinero_client_call(
            $this->handle ?? $this->live(),
            $method,
            $path,
            $spec,
            is_string($body) ? $body : null, // the bytes as they are (a `const char *` for PHP)
            is_string($body) ? strlen($body) : 0,
            \FFI::addr($out)
        );
        if ($status !== Status::OK) {
            Library::check($status, "$method request");
        }
        return new Response($out, $ffi);
    }

    /**
     * GET, with $query appended (percent-encoded by the library, RFC 3986: spaces as %20;
     * booleans as true/false); the decoded JSON.
     *
     * @param array<string|int, mixed> $query
     * @throws ApiException on HTTP status >= 400
     */
    public function get(string $path, array $query = []): mixed
    {
        return $this->call('GET', $path, null, $query);
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
     * Every item of a Dinero list, paged by the library: zero-based `page` and `pageSize` =
     * $pageSize (1 to 1000; the default, Dinero's maximum, costs the fewest requests under the
     * rate limit) are added to $query (a page or pageSize there is replaced); it stops after a
     * short page or once Pagination.Result items came. An answer that is a bare JSON array
     * (e.g. /v1/organizations) is one page. Without a `fields` query parameter Dinero answers
     * a few properties per item only (contacts: Name, ContactGuid).
     *
     * @param array<string, mixed> $query
     * @return \Generator<int, mixed>
     * @throws ApiException on HTTP status >= 400
     * @throws Exception\ProtocolException an answer that is not a Dinero list
     */
    public function paginate(string $path, int $pageSize = self::MAX_PAGE_SIZE, array $query = []): \Generator
    {
        $ffi = Library::ffi();
        $pages = $ffi->new('dinero_pages*');
        Library::check($ffi->dinero_pages_new_with($this->live(), Library::cString($path, 'the path'), $this->spec($query), max(0, min($pageSize, 0xFFFFFFFF)), \FFI::addr($pages)), 'GET ' . $path);
        try {
            while (true) {
                $out = $ffi->new('dinero_response*');
                Library::check($ffi->dinero_pages_next($pages, \FFI::addr($out)), 'GET ' . $path);
                if (\FFI::isNull($out)) {
                    return;
                }
                foreach (self::decoded(new Response($out)) as $item) {
                    yield $item; // keys run on across pages
                }
            }
        } finally {
            $ffi->dinero_pages_free($pages);
        }
    }

    /**
     * Uploads a file from disk to Dinero's files endpoint (POST /v1/{organizationId}/files,
     * multipart/form-data; the organization_id option must be set) and returns Dinero's answer,
     * e.g. ['FileGuid' => '...', ...]: the FileGuid is what a voucher's FileGuid refers to.
     *
     * The library reads the file itself (a plain path, relative to the current directory; no
     * PHP stream wrappers). Dinero accepts at most 6 MB (6,291,456 bytes): a larger file is
     * refused with InvalidArgumentException before anything is read or sent.
     *
     * @param string|null $fileName the name Dinero stores (default: the file's own name)
     * @param string|null $contentType default: guessed from the name (pdf, png, jpeg, gif, ...)
     * @return array<mixed> the decoded JSON answer
     *
     * @throws Exception\FileException the file is missing or cannot be read (nothing was sent)
     * @throws Exception\InvalidArgumentException over 6 MB, a bad file name or content type
     * @throws ApiException on HTTP status >= 400 (e.g. 413)
     * @throws Exception\ProtocolException an OK answer that is neither a JSON object nor empty ([])
     */
    public function uploadFile(string $path, ?string $fileName = null, ?string $contentType = null): array
    {
        $ffi = Library::ffi();
        $out = $ffi->new('dinero_response*');
        $status = $ffi->dinero_client_upload_file(
            $this->whole('uploadFile()'),
            Library::cString($path, 'the file path'),
            $fileName === null ? null : Library::cString($fileName, 'the file name'),
            $contentType === null ? null : Library::cString($contentType, 'the content type'),
            \FFI::addr($out)
        );
        Library::check($status, "upload of $path");
        return self::decoded(new Response($out)) ?? []; // an object, or nothing: the library refuses any other OK answer
    }

    /**
     * Like uploadFile(), from bytes in memory (binary-safe: NUL bytes included), stored under
     * $fileName. More than 6 MB (6,291,456 bytes) is refused with InvalidArgumentException
     * before anything is sent.
     *
     * @param string|null $fileName default: "file" with the extension of recognized PDF, PNG,
     *        JPEG or GIF bytes (file.pdf, ...), as every binding names them (the library does)
     * @param string|null $contentType default: guessed from the name
     * @return array<mixed> the decoded JSON answer, e.g. ['FileGuid' => '...', ...]
     *
     * @throws Exception\InvalidArgumentException over 6 MB, a bad file name or content type
     * @throws ApiException on HTTP status >= 400 (e.g. 413)
     * @throws Exception\ProtocolException an OK answer that is neither a JSON object nor empty ([])
     */
    public function uploadBytes(string $bytes, ?string $fileName = null, ?string $contentType = null): array
    {
        $ffi = Library::ffi();
        $out = $ffi->new('dinero_response*');
        $status = $ffi->dinero_client_upload_bytes(
            $this->whole('uploadBytes()'),
            $bytes,
            strlen($bytes),
            $fileName === null ? null : Library::cString($fileName, 'the file name'),
            $contentType === null ? null : Library::cString($contentType, 'the content type'),
            \FFI::addr($out)
        );
        Library::check($status, 'upload of ' . ($fileName ?? strlen($bytes) . ' bytes'));
        return self::decoded(new Response($out)) ?? []; // an object, or nothing: the library refuses any other OK answer
    }

    /**
     * GETs a binary body (an invoice PDF, a stored file) and returns its bytes, exactly.
     * With $saveTo the body is also written to that file by the library, atomically (a
     * temporary file beside it, then a rename).
     *
     * For an invoice as PDF: download("/v1/{organizationId}/invoices/$guid") (Dinero answers
     * the PDF for Accept: application/octet-stream, JSON otherwise).
     *
     * @param array<string|int, mixed> $query as for get()
     *
     * @throws ApiException on HTTP status >= 400 (nothing is saved then)
     * @throws Exception\FileException $saveTo's folder does not exist or cannot be written
     */
    public function download(string $path, string $accept = 'application/octet-stream', array $query = [], ?string $saveTo = null): string
    {
        if ($saveTo !== null) {
            Library::cString($saveTo, 'the file path'); // refused before the request is sent
        }
        $response = $this->request('GET', $path, null, $query, ['Accept' => $accept]);
        if (!$response->isSuccess()) {
            throw ApiException::fromResponse($response);
        }
        if ($saveTo !== null) {
            $response->saveTo($saveTo);
        }
        return $response->body();
    }

    /**
     * Creates $body in the collection $path exactly once: contacts
     * ('/v1/{organizationId}/contacts', id ContactGuid), invoices or credit notes (Guid). The
     * body gets a fresh GUID unless it carries one; when the answer is lost (reset, timeout, cut
     * short, 5xx) the library looks the GUID up before sending again, so a create is never
     * made twice.
     *
     * @param array<mixed> $body
     * @return array{guid: string, answer: mixed} the entity's GUID, and the decoded answer (the
     *         create's, or the entity read back when that answer was lost)
     *
     * @throws ApiException Dinero refused the create (HTTP status >= 400)
     * @throws Exception\NetworkException|Exception\TimeoutException the answer was lost and it
     *         cannot be told whether the create was stored: the message names the GUID
     * @throws Exception\InvalidArgumentException a collection that takes no id of its own, an id
     *         that is not a GUID
     */
    public function create(string $path, array $body): array
    {
        $ffi = Library::ffi();
        $guid = $ffi->new('char*');
        $out = $ffi->new('dinero_response*');
        $status = $ffi->dinero_client_create(
            $this->whole('create()'),
            Library::cString($path, 'the path'),
            $body === [] ? '{}' : self::encode($body),
            \FFI::addr($guid),
            \FFI::addr($out)
        );
        Library::check($status, "create in $path");
        $id = Library::takeString($guid);
        return ['guid' => $id, 'answer' => self::decoded(new Response($out))];
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
        return Library::takeString($out); // freeing wipes the library's copy
    }

    /** A copy would free the same native handle twice. */
    private function __clone()
    {
    }

    public function __destruct()
    {
        if ($this->handle !== null && $this->owner === null) {
            Library::ffi()->dinero_client_free($this->handle);
        }
        $this->handle = null;
        $this->owner = null;
        $this->options = null; // only now: the native client could call its sinks until it was freed
    }

    /**
     * A signed-in client from $function (dinero_authenticate or a dinero_connect_authenticate*),
     * given $credentials (each named for messages, in the C function's order), then the
     * options handle (kept by the client: the callbacks it holds must live as long as the
     * client) and the out-parameter. Both arrays are #[\SensitiveParameter], so a stack trace
     * through here shows neither the secrets nor the options.
     *
     * @param array<string, string> $credentials
     * @param array<string, mixed> $options
     */
    private static function open(string $function, #[\SensitiveParameter] array $credentials, #[\SensitiveParameter] array $options, string $what): self
    {
        // The credentials go to the library as C strings of their own (Library::secret), each
        // passed as a `void *`, which a dump of the FFI call's frame shows as an address only.
        $held = $pointers = [];
        try {
            foreach ($credentials as $name => $value) {
                $held[] = $copy = Library::secret($value, $name);
                $pointers[] = \FFI::cast('void*', \FFI::addr($copy));
            }
            $ffi = Library::ffi();
            $opts = new Options($options);
            $out = $ffi->new('dinero_client*');
            $status = $ffi->$function(...[...$pointers, $opts->handle(), \FFI::addr($out)]);
        } finally {
            array_map(Library::wipe(...), $held);
        }
        Library::check($status, $what);
        return new self($out, $opts);
    }

    /** The handle, for calls that take the client's organization_id option only. */
    private function whole(string $what): \FFI\CData
    {
        if ($this->organizationId !== null) {
            throw new InvalidArgumentException("$what takes the client's organization_id option, not forOrganization()", Status::INVALID_ARGUMENT);
        }
        return $this->live();
    }

    private function live(): \FFI\CData
    {
        if ($this->handle === null) {
            throw new InvalidArgumentException('the client has been freed', Status::NULL_ARGUMENT);
        }
        return $this->handle;
    }

    /**
     * @param array<mixed>|null $body
     * @param array<string|int, mixed> $query
     */
    private function call(string $method, string $path, ?array $body, array $query = []): mixed
    {
        return self::decoded($this->request($method, $path, $body, $query));
    }

    /** The decoded JSON of an answer (null for an empty body), or ApiException for >= 400. */
    private static function decoded(Response $response): mixed
    {
        if (!$response->isSuccess()) {
            throw ApiException::fromResponse($response);
        }
        return $response->decodedOk();
    }

    /**
     * The request description dinero_client_call and dinero_request_builder_new_with read: the
     * query as text pairs, the headers, and the body (an array as JSON, [] as {}; a string as
     * bytes, of the Content-Type in $headers or else JSON text). The library applies the rules.
     *
     * @param array<string|int, mixed> $query
     * @param array<string|int, mixed> $headers
     * @param array<mixed>|string|null $body
     */
    private function spec(array $query, array $headers = [], array|string|null $body = null): ?string
    {
        $spec = $query === [] ? [] : ['params' => self::flattenQuery($query)];
        if ($this->organizationId !== null) {
            $spec['organization_id'] = $this->organizationId;
        }
        foreach ($headers as $name => $value) {
            if (is_int($name)) {
                throw new InvalidArgumentException('headers are name => value pairs (not a list of "Name: value" lines)', Status::INVALID_ARGUMENT);
            }
            $spec['headers'][] = [$name, is_int($value) ? (string) $value : $value];
            $typed = ($typed ?? false) || strcasecmp($name, 'Content-Type') === 0;
        }
        if (is_array($body)) {
            $spec['json'] = $body === [] ? new \stdClass() : $body;
        } elseif (is_string($body)) {
            $spec['data'] = true;
            if (!($typed ?? false)) {
                Library::cString($body, 'the request body (sent as JSON, as it has no Content-Type header)');
                $spec['content_type'] = 'application/json';
            }
        }
        try {
            return $spec === [] ? null : json_encode($spec, self::JSON_FLAGS);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("the request cannot be encoded as JSON: {$e->getMessage()}", Status::INVALID_ARGUMENT, $e);
        }
    }

    /**
     * The query as (key, value) text pairs, in order, for dinero_request_builder_add_query (which
     * percent-encodes them): what http_build_query() would send, unencoded. Null values are
     * left out, booleans become "true"/"false" (Dinero's deletedOnly=true, not 1), nested
     * arrays become key[sub].
     *
     * @param array<string|int, mixed> $query
     * @return list<array{0: string, 1: string}>
     */
    private static function flattenQuery(array $query, ?string $prefix = null): array
    {
        $pairs = [];
        foreach ($query as $key => $value) {
            $name = $prefix === null ? (string) $key : "{$prefix}[$key]";
            if ($value === null) {
                continue;
            }
            if (is_array($value)) {
                array_push($pairs, ...self::flattenQuery($value, $name));
                continue;
            }
            $pairs[] = [$name, match (true) {
                is_bool($value) => $value ? 'true' : 'false',
                is_string($value) => $value,
                // Numbers go as numbers: the library writes them, exactly and as for every
                // binding (PHP's own (string) keeps 14 digits); NAN and INF cannot be encoded.
                is_int($value), is_float($value) => $value,
                $value instanceof \Stringable => (string) $value,
                default => throw new InvalidArgumentException("the query parameter $name must be a string, int, float, bool or array, got " . get_debug_type($value), Status::INVALID_ARGUMENT),
            }];
        }
        return $pairs;
    }

    private static function encode(array $body): string
    {
        try {
            return json_encode($body, self::JSON_FLAGS);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("the request body cannot be encoded as JSON: {$e->getMessage()}", Status::INVALID_ARGUMENT, $e);
        }
    }
}
