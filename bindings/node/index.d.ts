// Type declarations of libdinero for Node.js (src/index.js).

/// <reference types="node" />

/** The C library's status numbers (DINERO_STATUS_*); never reused. */
export declare const Status: Readonly<{
  OK: 0;
  NULL_ARGUMENT: 1;
  INVALID_UTF8: 2;
  INVALID_ARGUMENT: 3;
  AUTH_REJECTED: 4;
  AUTH_UNAVAILABLE: 5;
  NETWORK: 6;
  TIMEOUT: 7;
  TLS: 8;
  PROTOCOL: 9;
  PANIC: 10;
  RESPONSE_TOO_LARGE: 11;
  IO: 12;
  LOGIN_REQUIRED: 13;
}>;

/** The C library's log levels (DINERO_LOG_*). */
export declare const LogLevel: Readonly<{ ERROR: 1; WARN: 2; INFO: 3; DEBUG: 4 }>;

/** Dinero's limit for POST /v1/{organizationId}/files: 6 MB = 6291456 bytes. */
export declare const MAX_UPLOAD_BYTES: 6291456;

/** The version of this package, the same as the C library's. */
export declare const version: string;
/** The version of the loaded C library (dinero_version()). */
export declare function libraryVersion(): string;
/** The library's short description of a status number (dinero_status_str()). */
export declare function statusStr(status: number): string;
/** The path (or system loader name) of the libdinero that was loaded. */
export declare function libraryPath(): string;

export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';

type LogMethod = (message: string) => void;

/**
 * A function (level, message), or an object with at least one of the error/warn/info/debug
 * methods (console, pino, ...); a level without its own method goes to `log` if there is one,
 * else to the first of those the object has.
 */
export type Logger =
  | ((level: LogLevelName, message: string) => void)
  | (Partial<Record<LogLevelName | 'log', LogMethod>>
    & ({ error: LogMethod } | { warn: LogMethod } | { info: LogMethod } | { debug: LogMethod }));

export type OptionValue = string | number | bigint | boolean | URL | null | undefined;

/**
 * The C option keys, in camelCase (organizationId) or as they are (organization_id); undefined
 * or null leaves the library's default. See the repository README for every key.
 */
export interface AuthenticateOptions {
  organizationId?: OptionValue;
  authUrl?: OptionValue;
  apiUrl?: OptionValue;
  timeoutMs?: OptionValue;
  connectTimeoutMs?: OptionValue;
  maxRetries?: OptionValue;
  retryBaseDelayMs?: OptionValue;
  retryMaxDelayMs?: OptionValue;
  retryAfterMaxMs?: OptionValue;
  rateLimitPerMinute?: OptionValue;
  rateLimitWindowMs?: OptionValue;
  maxResponseBytes?: OptionValue;
  userAgent?: OptionValue;
  caFile?: OptionValue;
  scope?: OptionValue;
  /**
   * A file path (or `file:` URL) or a `redis://` / `rediss://` URL: every client naming it, in
   * any process on any machine, shares one token and one rate budget.
   */
  sharedState?: OptionValue;
  /** How long one step on the shared state may take before the client goes on alone (500). */
  sharedStateTimeoutMs?: OptionValue;
  /** The older name of sharedState. */
  tokenCache?: OptionValue;
  /** Visma Connect: the sign-in service (default https://connect.visma.com). */
  connectUrl?: OptionValue;
  /** Visma Connect: the sign-in page's language, e.g. 'da-DK'. */
  uiLocales?: OptionValue;
  /** Visma Connect with sharedState: names the grant (e.g. your customer's id). */
  grantName?: OptionValue;
  /**
   * Visma Connect: receives every new refresh token (the first from the sign-in included) on
   * the main thread, before the library relies on it. Store it synchronously before returning
   * (a Promise it returns is not waited for); the one it replaces stops working soon after.
   */
  onRefreshToken?: ((refreshToken: string) => void) | null;
  /** Receives the client's log lines (never a secret or a token), on the main thread. */
  logger?: Logger | null;
  /** How much the library sends to `logger`: 'info' by default; 'off' (or 0) for nothing. The
   *  library reads the names, in any case, the syslog ones ('warning', 'notice', ...) too. */
  logLevel?: LogLevelName | 'off' | 'none' | 'emergency' | 'alert' | 'critical' | 'warning' | 'notice'
    | (string & {}) | 0 | 1 | 2 | 3 | 4;
  [key: string]: OptionValue | Logger | ((refreshToken: string) => void) | null | undefined;
}

export type Bytes = Buffer | Uint8Array | ArrayBufferView | ArrayBuffer | SharedArrayBuffer;
export type ParamValue = string | number | bigint | boolean | null | undefined | Array<string | number | bigint | boolean>;
export type Params =
  | Record<string, ParamValue>
  | Map<string, ParamValue>
  | URLSearchParams
  | Iterable<readonly [string, ParamValue]>;
export type HeaderArgs = Record<string, string> | Map<string, string> | Iterable<readonly [string, string]>;
export type FilePath = string | URL;

export interface RequestOptions {
  /** Sent as compact UTF-8 JSON with Content-Type: application/json (undefined: no JSON). */
  json?: unknown;
  /** Query parameters, percent-encoded by the library; null/undefined left out, arrays repeated. */
  params?: Params | null;
  /** Sent as given, except Authorization, Host, Content-Length, Transfer-Encoding and Connection. */
  headers?: HeaderArgs | null;
  /** A binary body (a string is sent as UTF-8); not together with `json`. */
  body?: Bytes | string | null;
  /** The body's type (default: the Content-Type of `headers`, else application/octet-stream). */
  contentType?: string | null;
  /** Fills {organizationId} for this request only (else the client's organizationId option). */
  organizationId?: number | bigint | string | null;
}

/** The options of the JSON helpers: query parameters and the organization of this request. */
export interface JsonOptions {
  params?: Params | null;
  organizationId?: number | bigint | string | null;
}

/** Every header of a response: a read-only Map whose get()/has() ignore case. */
export declare class Headers extends Map<string, string> {
  get(name: string): string | undefined;
  has(name: string): boolean;
  toJSON(): Record<string, string>;
}

/** One HTTP answer, whatever its status code. */
export declare class Response {
  private constructor();
  /** The HTTP status code. */
  readonly status: number;
  /** The body, byte-exact. */
  readonly body: Buffer;
  /** Every header (a snapshot; readable after close()). */
  readonly headers: Headers;
  /** The request this answers, as sent: method, path as written, query percent-encoded. */
  readonly request: string;
  /** True for a status below 400. */
  readonly ok: boolean;
  readonly closed: boolean;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; null for an empty body. */
  json<T = any>(): T;
  /** A header's value, ignoring case; undefined if absent. */
  header(name: string): string | undefined;
  /** Writes the body to `path` atomically (dinero_response_save, on one of the library's threads). */
  save(path: FilePath): Promise<void>;
  /** Frees the native response. Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}

export interface PaginateOptions {
  params?: Params | null;
  /** Items per request, 1 to 1000 (default 1000, Dinero's maximum: the fewest requests). */
  pageSize?: number;
  organizationId?: number | bigint | string | null;
}

/** A connection to Dinero. Made by authenticate() or the connect* functions. */
export declare class Client {
  private constructor();
  readonly closed: boolean;
  /** Sends one request; resolves to the answer whatever its status code. */
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  /** GET and decode the JSON answer; ApiError for a status >= 400. */
  get<T = any>(path: string, options?: JsonOptions): Promise<T>;
  /** POST `json` and decode the answer; ApiError for a status >= 400. */
  post<T = any>(path: string, json?: unknown, options?: JsonOptions): Promise<T>;
  /** PUT `json` and decode the answer; ApiError for a status >= 400. */
  put<T = any>(path: string, json?: unknown, options?: JsonOptions): Promise<T>;
  /** DELETE (with an optional JSON body) and decode the answer; ApiError for a status >= 400. */
  delete<T = any>(path: string, json?: unknown, options?: JsonOptions): Promise<T>;
  /** Every item of a Dinero list, one request per page. Without a `fields` param Dinero
   *  answers a few properties per item only (contacts: Name, ContactGuid). */
  paginate<T = any>(path: string, options?: PaginateOptions): AsyncGenerator<T, void, undefined>;
  /** Uploads a file (a path or its bytes) to Dinero's file archive; resolves to Dinero's answer. */
  uploadFile<T = { FileGuid: string; [key: string]: unknown }>(
    source: FilePath | Bytes,
    options?: { fileName?: string | null; contentType?: string | null },
  ): Promise<T>;
  /** GET with Accept: accept; resolves to the body, byte-exact; also saved to `saveTo` if given. */
  download(
    path: string,
    options?: { accept?: string; params?: Params | null; saveTo?: FilePath | null; organizationId?: number | bigint | string | null },
  ): Promise<Buffer>;
  /**
   * Creates `json` in a collection exactly once: contacts ('/v1/{organizationId}/contacts',
   * id ContactGuid), invoices or credit notes (Guid). A fresh GUID goes into the body unless it
   * carries one; a lost answer is settled by looking the GUID up before sending again.
   * `answer` is the create's answer, or the entity read back when that answer was lost.
   */
  create(path: string, json: unknown): Promise<{ guid: string; answer: any }>;
  /** The organizations the client's token reaches (GET /v1/organizations, decoded). */
  organizations(): Promise<Array<{ Id: number; Name: string; IsPro: boolean; [key: string]: unknown }>>;
  /** A currently valid access token, for your own HTTP calls. A secret. */
  accessToken(): Promise<string>;
  /** Frees the client once the requests in flight have finished. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Exchanges the credentials for a token now and resolves to a Client that keeps it valid. */
export declare function authenticate(
  clientId: string,
  clientSecret: string,
  apiKey: string,
  options?: AuthenticateOptions,
): Promise<Client>;

/** A Visma Connect sign-in in progress: keep it in the user's session (the verifier is a secret). */
export interface ConnectAuthorization {
  /** Where to send the user's browser. */
  url: string;
  state: string;
  code_verifier: string;
  redirect_uri: string;
}

/** Starts a Visma Connect sign-in (reads connectUrl, scope and uiLocales). */
export declare function connectAuthorizeUrl(
  clientId: string,
  redirectUri: string,
  options?: AuthenticateOptions,
): ConnectAuthorization;

/** Finishes a sign-in: `redirect` is what the browser brought to the redirect URI. */
export declare function connectAuthenticateCode(
  clientId: string,
  clientSecret: string,
  authorization: ConnectAuthorization | string,
  redirect: string | URL | URLSearchParams | Record<string, string | string[] | undefined> | Uint8Array,
  options?: AuthenticateOptions,
): Promise<Client>;

/** A client from a stored refresh token; LoginRequiredError when it no longer works. */
export declare function connectAuthenticate(
  clientId: string,
  clientSecret: string,
  refreshToken: string,
  options?: AuthenticateOptions,
): Promise<Client>;

/** Base of every libdinero error; `status` is the C status (Status.*). */
export declare class DineroError extends Error {
  constructor(message: string, status?: number, options?: ErrorOptions);
  status: number;
}
/** A bad argument or option, or use of a closed object; nothing was sent (status 1, 2, 3). */
export declare class InvalidArgumentError extends DineroError {}
/** The token endpoint refused the credentials (rejected: status 4) or failed (status 5). */
export declare class AuthenticationError extends DineroError {
  readonly rejected: boolean;
}
/** Visma Connect refused the refresh token: the user must sign in again (status 13). */
export declare class LoginRequiredError extends AuthenticationError {}
/** Connection refused, reset or closed (status 6). */
export declare class NetworkError extends DineroError {}
/** The TLS handshake failed (status 8). */
export declare class TLSError extends NetworkError {}
/** A malformed or cut-short answer, or a success that is not JSON (status 9). */
export declare class ProtocolError extends NetworkError {}
/** The body exceeded max_response_bytes (status 11). */
export declare class ResponseTooLargeError extends NetworkError {}
/** timeout_ms or connect_timeout_ms expired (status 7). */
export declare class TimeoutError extends DineroError {}
/** A local file could not be read or written (status 12). */
export declare class FileError extends DineroError {
  constructor(message: string, status?: number, path?: string);
  /** The OS error number when the library names it (2 for a missing file). */
  errno: number | undefined;
  /** Its name ('ENOENT'). */
  code: string | undefined;
  /** The file involved, when the binding knows it. */
  path: string | undefined;
}
/** Dinero answered with an HTTP status >= 400; `status` is the HTTP status. */
export declare class ApiError extends DineroError {
  constructor(
    status: number,
    body: Buffer | Uint8Array,
    details?: { code?: number; message?: string; validationErrors?: Record<string, unknown>; headers?: Headers; request?: string },
  );
  static fromBody(status: number, body: Buffer | Uint8Array, headers?: Headers): ApiError;
  /** Dinero's error code (42 validation, 58 stale timestamp, ...), if any. */
  code: number | undefined;
  /** Dinero's own message (`message` is the whole sentence, with status and code). */
  apiMessage: string;
  validationErrors: Record<string, unknown>;
  /** Dinero's languageSpecificMessages, as it sent them ([] if none). */
  languageSpecificMessages: unknown[];
  /** Dinero's errorMessageList, as it sent them ([] if none). */
  errorMessageList: unknown[];
  body: Buffer;
  headers: Headers | undefined;
  /** The request answered, as sent ('GET /v1/{organizationId}/contacts?page=0'), or ''. */
  request: string;
}
/** libdinero could not be loaded from any of the places it is looked for. */
export declare class LibraryNotFoundError extends Error {}
