// Client and authenticate(): a connection to Dinero, and how every way in makes one (open()).

import { FileError, InvalidArgumentError, fromStatus } from './errors.js';
import { MAX_PAGE_SIZE, STATUS } from './native.js';
import { background, callHere, native } from './runtime.js';
import {
  byteBuffer, cstr, filePath, isBinary, jsonBody, optionalCstr, optionsJson, requestSpec,
} from './convert.js';
import { Response } from './response.js';
import { Handle } from './handle.js';
import { parseJson } from './json.js';
import * as log from './log.js';
import { refreshTokenStore, registerRefreshToken } from './refresh_token.js';

// The binding's own options, not the library's: they become callbacks.
const NOT_OPTIONS = new Set(['logger', 'logLevel', 'log_level', 'onRefreshToken']);

/**
 * Exchanges the credentials for an access token now (bad credentials fail here, with
 * AuthenticationError) and resolves to a Client that keeps the token valid from then on.
 *
 * `options` are the C option keys, in camelCase or as they are: organizationId, authUrl,
 * apiUrl, timeoutMs, connectTimeoutMs, maxRetries, rateLimitPerMinute, rateLimitWindowMs,
 * tokenCache, userAgent, caFile, scope, ... with string, number, boolean or URL values
 * (undefined/null leave the default); `logger` (a function (level, message) or a console-like
 * object) receives the client's log lines at `logLevel` ('info' by default) and above.
 */
export async function authenticate(clientId, clientSecret, apiKey, options = {}) {
  const credentials = [cstr(clientId, 'clientId'), cstr(clientSecret, 'clientSecret'), cstr(apiKey, 'apiKey')];
  return open(options, (handle) => background('dinero_authenticate', [...credentials, handle]));
}

/** A dinero_options handle holding `options` but the binding's own (free it). */
export function optionsHandle(options) {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options must be an object', STATUS.INVALID_ARGUMENT);
  }
  const settings = optionsJson(Object.fromEntries(Object.entries(options).filter(([name]) => !NOT_OPTIONS.has(name))));
  const { fn } = native();
  const handle = fn.dinero_options_new();
  if (!handle) throw fromStatus(STATUS.PANIC, 'dinero_options_new failed (out of memory)');
  try {
    callHere('dinero_options_set_json', [handle, settings]);
  } catch (error) {
    fn.dinero_options_free(handle);
    throw error;
  }
  return handle;
}

/**
 * A Client from `exchange(optionsHandle)`, a background call resolving to {handle: the client},
 * with the callbacks `options` asks for installed first (logger at logLevel, onRefreshToken);
 * they live as long as the client. The options stay untouched here while the exchange runs.
 */
export async function open(options, exchange) {
  const handle = optionsHandle(options);
  const { fn, types } = native();
  const callbacks = [];
  let client = null;
  try {
    const level = log.maxLevel(options.logLevel ?? options.log_level); // checked even without a logger
    const write = options.logger === undefined || options.logger === null ? null : log.sink(options.logger);
    const store = refreshTokenStore(options.onRefreshToken);
    if (write !== null && level > 0) {
      callbacks.push(log.register(write, types.callbacks.dinero_log_callback));
      callHere('dinero_options_set_log_callback', [handle, callbacks.at(-1), null, level]);
    }
    if (store !== null) {
      callbacks.push(registerRefreshToken(store, types.callbacks.dinero_refresh_token_callback));
      callHere('dinero_options_set_refresh_token_callback', [handle, callbacks.at(-1), null]);
    }
    ({ handle: client } = await exchange(handle));
  } finally {
    fn.dinero_options_free(handle);
    if (client === null) callbacks.forEach(log.unregister);
  }
  return new Client(ADOPT, client, callbacks);
}

const ADOPT = Symbol('adopt');

/**
 * A connection to Dinero: credentials, a token kept valid, a connection pool and a rate limit.
 * Made by authenticate() (an API key) or connectAuthenticateCode() / connectAuthenticate()
 * (Visma Connect, whose token may reach several organizations).
 *
 * Every blocking call runs on one of the library's threads, so many requests can be in flight at once
 * (Promise.all): they share the library's connection pool and rate limit, and a token renewal
 * happens once for all of them. close() frees the client once the requests still running have
 * finished; any use after close() throws InvalidArgumentError.
 */
export class Client {
  #handle;

  /** @internal use authenticate() */
  constructor(token, pointer, callbacks) {
    if (token !== ADOPT) throw new TypeError('use libdinero.authenticate(...) to make a Client');
    this.#handle = new Handle(this, pointer, (client) => {
      // Closed first: a pages handle still alive (an iterator left unfinished) keeps the native
      // client, and only dinero_client_close wipes its token and credentials and closes its
      // connections then. No call is running by now, so it does not wait.
      native().fn.dinero_client_close(client);
      native().fn.dinero_client_free(client);
      callbacks.forEach(log.unregister);
    }, 'client');
  }

  // -- the one primitive ----------------------------------------------------------------------

  /**
   * Sends one request and resolves to the answer, whatever its status code (4xx and 5xx
   * included). See index.d.ts for the options: json, params, headers, body, contentType,
   * organizationId (fills {organizationId} for this request only).
   */
  async request(method, requestPath, { json, params, headers, body, contentType, organizationId } = {}) {
    const methodText = cstr(method, 'method');
    const pathText = cstr(requestPath, 'path');
    const data = body === undefined || body === null ? null : byteBuffer(body, 'body');
    const spec = requestSpec({ json, params, headers, data, contentType, organizationId });
    const bytes = data?.length ? data : null;
    // The library copies the bytes before the call returns.
    const { handle } = await this.#call('dinero_client_call', [methodText, pathText, spec, bytes, bytes?.length ?? 0]);
    return new Response(handle);
  }

  // -- JSON helpers ---------------------------------------------------------------------------

  /** GET and decode the JSON answer (null for an empty body); ApiError for a status >= 400. */
  get(requestPath, { params, organizationId } = {}) {
    return this.#json('GET', requestPath, undefined, { params, organizationId });
  }

  /** POST `json` and decode the answer; ApiError for a status >= 400. */
  post(requestPath, json, { params, organizationId } = {}) {
    return this.#json('POST', requestPath, json, { params, organizationId });
  }

  /** PUT `json` and decode the answer; ApiError for a status >= 400. */
  put(requestPath, json, { params, organizationId } = {}) {
    return this.#json('PUT', requestPath, json, { params, organizationId });
  }

  /** DELETE (some Dinero resources want their Timestamp in the body) and decode the answer. */
  delete(requestPath, json, { params, organizationId } = {}) {
    return this.#json('DELETE', requestPath, json, { params, organizationId });
  }

  /**
   * Every item of a Dinero list, paged by the library (page from 0, pageSize = pageSize, 1 to
   * 1000: the default, Dinero's maximum, costs the fewest requests under the rate limit): an
   * async generator. `params` are sent with every page (a page or pageSize among them is
   * replaced); an endpoint answering a bare array is one page. Stop iterating and no more
   * pages are fetched.
   */
  async *paginate(requestPath, { params, pageSize = MAX_PAGE_SIZE, organizationId } = {}) {
    if (!Number.isInteger(pageSize)) {
      throw new InvalidArgumentError('pageSize must be an integer', STATUS.INVALID_ARGUMENT);
    }
    const spec = requestSpec({ params, organizationId });
    const size = Math.max(0, Math.min(pageSize, 0xffffffff));
    const [pointer] = callHere('dinero_pages_new_with', [this.#handle.live(), cstr(requestPath, 'path'), spec, size, [null]]);
    // Freed when the loop ends, or, for an iterator left unfinished, when it is collected.
    const pages = new Handle(null, pointer, native().fn.dinero_pages_free, 'pages');
    try {
      for (;;) {
        const { handle } = await this.#handle.use(() => pages.use((p) => background('dinero_pages_next', [p])));
        if (!handle) return;
        yield* decoded(new Response(handle));
      }
    } finally {
      pages.close();
    }
  }

  // -- files ----------------------------------------------------------------------------------

  /**
   * Uploads a receipt or attachment to Dinero's file archive (POST /v1/{organizationId}/files,
   * multipart, built by the library) and resolves to Dinero's decoded answer ({FileGuid}).
   * `source` is a path (a string or a file: URL) or the content (a Buffer, Uint8Array or
   * ArrayBuffer). At most 6 MB (6291456 bytes).
   */
  async uploadFile(source, { fileName, contentType } = {}) {
    const name = optionalCstr(fileName, 'fileName');
    const type = optionalCstr(contentType, 'contentType');
    let handle;
    if (isBinary(source)) {
      // The library copies the bytes, checks the size and names them if no name was given.
      const bytes = byteBuffer(source, 'source');
      ({ handle } = await this.#call('dinero_client_upload_bytes', [bytes.length ? bytes : null, bytes.length, name, type]));
    } else {
      const file = filePath(source, 'source');
      try {
        ({ handle } = await this.#call('dinero_client_upload_file', [file, name, type]));
      } catch (error) {
        if (error instanceof FileError) error.path = file;
        throw error;
      }
    }
    return decoded(new Response(handle));
  }

  /**
   * GETs `requestPath` with `Accept: accept` (default application/octet-stream) and resolves
   * to the body, byte-exact (a Buffer): an invoice PDF or a stored file. With `saveTo` the
   * library also writes it there, atomically. ApiError for a status >= 400 (nothing written);
   * FileError when saveTo cannot be written.
   */
  async download(requestPath, { accept = 'application/octet-stream', params, saveTo, organizationId } = {}) {
    const target = saveTo === undefined || saveTo === null ? null : filePath(saveTo, 'saveTo');
    const response = await this.request('GET', requestPath, { params, headers: { Accept: accept }, organizationId });
    try {
      if (!response.ok) throw response.apiError();
      // Saving needs the response only: a close() of the client meanwhile does not stop it.
      if (target !== null) await response.save(target);
      return response.body;
    } finally {
      response.close();
    }
  }

  // -- exactly-once creates -------------------------------------------------------------------

  /**
   * Creates `json` in the collection `requestPath` exactly once: contacts
   * ('/v1/{organizationId}/contacts', id ContactGuid), invoices or credit notes (Guid). The body
   * gets a fresh GUID unless it carries one; when the answer is lost (reset, timeout, cut short,
   * 5xx) the library looks the GUID up before sending again. Resolves to { guid, answer }: the
   * answer is the create's, or the entity read back when that answer was lost. ApiError when
   * Dinero refused the create; when it cannot be told whether it was stored, the error
   * (NetworkError, ...) names the GUID.
   */
  async create(requestPath, json) {
    const pathText = cstr(requestPath, 'path');
    const jsonText = jsonBody(json);
    const { handle, text: guid } = await this.#call('dinero_client_create', [pathText, jsonText]);
    return { guid, answer: decoded(new Response(handle)) };
  }

  /** The organizations the client's token reaches (GET /v1/organizations, decoded): one for an
   *  API key, any number for a Visma Connect user. Choose one per client (organizationId
   *  option) or per request (the organizationId of each call). */
  async organizations() {
    const { handle } = await this.#call('dinero_client_organizations', []);
    return decoded(new Response(handle));
  }

  // -- token ----------------------------------------------------------------------------------

  /** A currently valid access token (refreshed first if due), for your own HTTP calls. Treat
   *  it as a secret. */
  async accessToken() {
    const { text } = await this.#call('dinero_client_access_token', []);
    return text;
  }

  // -- lifetime -------------------------------------------------------------------------------

  get closed() {
    return this.#handle.closed;
  }

  /** Frees the client (its token and credentials are wiped) once the requests still running
   *  have finished; resolves then. Idempotent. */
  close() {
    return this.#handle.close();
  }

  [Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')]() {
    return this.close();
  }

  /** The C function `name` on the library's threads, for this client (its first argument). */
  #call(name, args) {
    return this.#handle.use((pointer) => background(name, [pointer, ...args]));
  }

  async #json(method, requestPath, json, { params, organizationId }) {
    return decoded(await this.request(method, requestPath, { json, params, organizationId }));
  }

  get [Symbol.toStringTag]() {
    return 'Client';
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `<libdinero.Client ${this.closed ? 'closed' : 'open'}>`;
  }
}

/** The JSON of an OK answer (null for an empty body), as the library reads it
 *  (dinero_response_json: a body that is not JSON is a ProtocolError); ApiError for an answer
 *  that is not OK. Integers past 2^53 come as BigInt. The response is closed either way: the
 *  helpers hand out only what it held. */
function decoded(response) {
  try {
    if (!response.ok) throw response.apiError();
    return parseJson(response.jsonText());
  } finally {
    response.close();
  }
}
