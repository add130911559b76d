// Client and authenticate(): one organization's connection to Dinero.

import {
  FileError, InvalidArgumentError, ProtocolError, fromStatus,
} from './errors.js';
import { MAX_PAGE_SIZE, STATUS } from './native.js';
import { check, guardExit, native, offThread } from './runtime.js';
import {
  byteBuffer, cstr, filePath, isBinary, jsonBody, optionalCstr, optionsJson, requestSpec,
} from './convert.js';
import { Response } from './response.js';
import { parseJson } from './json.js';
import * as log from './log.js';

const NOT_OPTIONS = new Set(['logger', 'logLevel', 'log_level']);

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
  const credentials = [
    cstr(clientId, 'clientId'),
    cstr(clientSecret, 'clientSecret'),
    cstr(apiKey, 'apiKey'),
  ];
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options must be an object', STATUS.INVALID_ARGUMENT);
  }
  const settings = optionsJson(Object.fromEntries(Object.entries(options).filter(([name]) => !NOT_OPTIONS.has(name))));
  let write = null;
  let level = 0;
  if (options.logger !== undefined && options.logger !== null) {
    write = log.sink(options.logger);
    level = log.maxLevel(options.logLevel ?? options.log_level);
  } else if ((options.logLevel ?? options.log_level) !== undefined) {
    log.maxLevel(options.logLevel ?? options.log_level); // still checked
  }

  const { fn, types } = native();
  const handle = fn.dinero_options_new();
  if (!handle) throw fromStatus(STATUS.PANIC, 'dinero_options_new failed (out of memory)');
  let callback = null;
  let client = null;
  try {
    check(fn.dinero_options_set_json(handle, settings));
    if (write !== null && level > 0) {
      guardExit();
      callback = log.register(write, types.logCallbackPointer);
      check(fn.dinero_options_set_log_callback(handle, callback, null, level));
    }
    // The blocking exchange runs on a pool thread; the options stay untouched here meanwhile.
    client = await offThread('authenticate', [...credentials, handle]);
  } finally {
    fn.dinero_options_free(handle);
    if (client === null) log.unregister(callback);
  }
  return new Client(ADOPT, client, callback);
}

const ADOPT = Symbol('adopt');

const finalizer = new FinalizationRegistry(({ pointer, callback }) => {
  native().fn.dinero_client_free(pointer);
  log.unregister(callback);
});

/**
 * One organization's connection: credentials, a token kept valid, a connection pool and a
 * rate limit. Made by authenticate().
 *
 * Every blocking call runs on a pool thread, so many requests can be in flight at once
 * (Promise.all): they share the library's connection pool and rate limit, and a token renewal
 * happens once for all of them. close() frees the client once the requests still running have
 * finished; any use after close() throws InvalidArgumentError.
 */
export class Client {
  #pointer = null;
  #callback = null;
  #inFlight = 0;
  #closing = null;
  #resolveClosed = null;

  /** @internal use authenticate() */
  constructor(token, pointer, callback) {
    if (token !== ADOPT) throw new TypeError('use libdinero.authenticate(...) to make a Client');
    this.#pointer = pointer;
    this.#callback = callback;
    this.#inFlight = 0;
    this.#closing = null;
    finalizer.register(this, { pointer, callback }, this);
  }

  // -- the one primitive ----------------------------------------------------------------------

  /**
   * Sends one request and resolves to the answer, whatever its status code (4xx and 5xx
   * included). See index.d.ts for the options: json, params, headers, body, contentType.
   */
  async request(method, requestPath, { json, params, headers, body, contentType } = {}) {
    const methodText = cstr(method, 'method');
    const pathText = cstr(requestPath, 'path');
    // One copy of the body, moved (not cloned again) to the pool thread.
    const data = body === undefined || body === null ? null : new Uint8Array(byteBuffer(body, 'body'));
    const spec = requestSpec({ json, params, headers, data, contentType });
    const pointer = await this.#call('call', [methodText, pathText, spec, data], data === null ? [] : [data.buffer]);
    return new Response(pointer);
  }

  // -- JSON helpers ---------------------------------------------------------------------------

  /** GET and decode the JSON answer (null for an empty body); ApiError for a status >= 400. */
  get(requestPath, { params } = {}) {
    return this.#json('GET', requestPath, undefined, params);
  }

  /** POST `json` and decode the answer; ApiError for a status >= 400. */
  post(requestPath, json, { params } = {}) {
    return this.#json('POST', requestPath, json, params);
  }

  /** PUT `json` and decode the answer; ApiError for a status >= 400. */
  put(requestPath, json, { params } = {}) {
    return this.#json('PUT', requestPath, json, params);
  }

  /** DELETE (some Dinero resources want their Timestamp in the body) and decode the answer. */
  delete(requestPath, json, { params } = {}) {
    return this.#json('DELETE', requestPath, json, params);
  }

  /**
   * Every item of a Dinero list, paged by the library (page from 0, pageSize = pageSize, 1 to
   * 1000: the default, Dinero's maximum, costs the fewest requests under the rate limit): an
   * async generator. `params` are sent with every page (a page or pageSize among them is
   * replaced); an endpoint answering a bare array is one page. Stop iterating and no more
   * pages are fetched.
   */
  async *paginate(requestPath, { params, pageSize = MAX_PAGE_SIZE } = {}) {
    if (!Number.isInteger(pageSize)) {
      throw new InvalidArgumentError('pageSize must be an integer', STATUS.INVALID_ARGUMENT);
    }
    const { fn } = native();
    const out = [null];
    check(fn.dinero_request_builder_new_with('GET', cstr(requestPath, 'path'), requestSpec({ params }), null, 0, out));
    const builder = out[0];
    try {
      check(fn.dinero_pages_new(this.#live(), builder, Math.max(0, Math.min(pageSize, 0xffffffff)), out));
    } finally {
      fn.dinero_request_builder_free(builder);
    }
    const pages = out[0];
    try {
      for (;;) {
        const pointer = await this.#call('pagesNext', [pages]);
        if (!pointer) return;
        const page = new Response(pointer);
        try {
          yield* decoded(page, 'GET', requestPath);
        } finally {
          page.close();
        }
      }
    } finally {
      fn.dinero_pages_free(pages);
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
    let pointer;
    if (isBinary(source)) {
      // One copy of exactly these bytes, moved (not cloned again) to the pool thread; the
      // library checks the size, names them if no name was given, and copies what it sends.
      const copy = new Uint8Array(byteBuffer(source, 'source'));
      pointer = await this.#call('uploadBytes', [copy, name, type], [copy.buffer]);
    } else {
      const file = filePath(source, 'source');
      try {
        pointer = await this.#call('uploadFile', [file, name, type]);
      } catch (error) {
        if (error instanceof FileError) error.path = file;
        throw error;
      }
    }
    const response = new Response(pointer);
    try {
      return decoded(response, 'POST', '/v1/{organizationId}/files');
    } finally {
      response.close();
    }
  }

  /**
   * GETs `requestPath` with `Accept: accept` (default application/octet-stream) and resolves
   * to the body, byte-exact (a Buffer): an invoice PDF or a stored file. With `saveTo` the
   * library also writes it there, atomically. ApiError for a status >= 400 (nothing written);
   * FileError when saveTo cannot be written.
   */
  async download(requestPath, { accept = 'application/octet-stream', params, saveTo } = {}) {
    const target = saveTo === undefined || saveTo === null ? null : filePath(saveTo, 'saveTo');
    const response = await this.request('GET', requestPath, { params, headers: { Accept: accept } });
    try {
      if (!response.ok) throw response.apiError();
      if (target !== null) {
        this.#enter();
        try {
          await response.save(target);
        } finally {
          this.#leave();
        }
      }
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
    const { guid, response: pointer } = await this.#call('create', [pathText, jsonText]);
    const response = new Response(pointer);
    try {
      return { guid, answer: decoded(response, 'POST', requestPath) };
    } finally {
      response.close();
    }
  }

  // -- token ----------------------------------------------------------------------------------

  /** A currently valid access token (refreshed first if due), for your own HTTP calls. Treat
   *  it as a secret. */
  accessToken() {
    return this.#call('accessToken', []);
  }

  // -- lifetime -------------------------------------------------------------------------------

  get closed() {
    return this.#pointer === null || this.#closing !== null;
  }

  /** Frees the client (its token and credentials are wiped) once the requests still running
   *  have finished; resolves then. Idempotent. */
  close() {
    if (this.#closing === null) {
      if (this.#pointer === null) return Promise.resolve();
      this.#closing = new Promise((resolve) => { this.#resolveClosed = resolve; });
      if (this.#inFlight === 0) this.#free();
    }
    return this.#closing;
  }

  [Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')]() {
    return this.close();
  }

  #free() {
    const pointer = this.#pointer;
    this.#pointer = null;
    if (pointer !== null) {
      finalizer.unregister(this);
      native().fn.dinero_client_free(pointer);
      log.unregister(this.#callback);
      this.#callback = null;
    }
    this.#resolveClosed?.();
  }

  #live() {
    if (this.#pointer === null || this.#closing !== null) {
      throw new InvalidArgumentError('the client is closed', STATUS.NULL_ARGUMENT);
    }
    return this.#pointer;
  }

  #enter() {
    const pointer = this.#live();
    this.#inFlight++;
    return pointer;
  }

  #leave() {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#closing !== null) this.#free();
  }

  async #call(op, args, transfer = []) {
    const pointer = this.#enter();
    try {
      return await offThread(op, [pointer, ...args], transfer);
    } finally {
      this.#leave();
    }
  }

  async #json(method, requestPath, json, params) {
    const response = await this.request(method, requestPath, { json, params });
    try {
      return decoded(response, method, requestPath);
    } finally {
      response.close();
    }
  }

  get [Symbol.toStringTag]() {
    return 'Client';
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `<libdinero.Client ${this.closed ? 'closed' : 'open'}>`;
  }
}

/** The JSON of an OK answer (null for an empty body); ApiError for one that is not OK. */
function decoded(response, method, requestPath) {
  if (!response.ok) throw response.apiError();
  const text = response.text();
  if (!text.trim()) return null;
  try {
    return parseJson(text);
  } catch {
    throw new ProtocolError(
      `${method} ${requestPath} answered HTTP ${response.status} with a body that is not JSON`,
      STATUS.PROTOCOL,
    );
  }
}
