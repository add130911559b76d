// Response: one HTTP answer (any status), read from a dinero_response.

import koffi from 'koffi';
import { ApiError, FileError } from './errors.js';
import { Handle } from './handle.js';
import { background, callHere, native } from './runtime.js';
import { cstr, filePath } from './convert.js';
import { parseJson } from './json.js';

/** Every header of a response: a read-only Map whose get()/has() ignore case; iterating gives
 *  the lower-case names in the order they arrived; repeated headers come joined with ", ". */
export class Headers extends Map {
  #frozen = false;

  constructor(pairs = []) {
    super();
    for (const [name, value] of pairs) {
      const key = String(name).toLowerCase();
      super.set(key, super.has(key) ? `${super.get(key)}, ${value}` : String(value));
    }
    this.#frozen = true;
  }

  get(name) {
    return super.get(String(name).toLowerCase());
  }

  has(name) {
    return super.has(String(name).toLowerCase());
  }

  set(name, value) {
    if (this.#frozen) throw new TypeError('response headers are read-only');
    return super.set(name, value);
  }

  delete() {
    throw new TypeError('response headers are read-only');
  }

  clear() {
    throw new TypeError('response headers are read-only');
  }

  /** A plain object of the lower-case names. */
  toJSON() {
    return Object.fromEntries(this);
  }
}

/**
 * The status, body and headers of one HTTP answer, whatever its status code. Status, body and
 * headers are copied out at once, so they stay readable after close(); the native response
 * lives until close() (or garbage collection) for header() and save(). A response belongs to
 * one thread at a time: the binding hands it to one of the library's threads only during save().
 */
export class Response {
  #handle;
  #ok;

  /** @internal made by the client from a dinero_response pointer (a BigInt) */
  constructor(pointer) {
    const { fn } = native();
    this.#handle = new Handle(this, pointer, fn.dinero_response_free, 'response');
    /** The HTTP status code (200, 201, 400, 429, ...). */
    this.status = fn.dinero_response_status(pointer);
    this.#ok = fn.dinero_response_is_ok(pointer);
    const length = [0];
    const data = fn.dinero_response_body(pointer, length);
    const size = Number(length[0]);
    /** The body, byte-exact (a PDF may hold NULs). */
    this.body = data && size ? Buffer.from(new Uint8Array(koffi.view(data, size))) : Buffer.alloc(0);
    /** Every header (a read-only, case-insensitive Map), a snapshot. */
    this.headers = new Headers(Object.entries(JSON.parse(fn.dinero_response_headers_json(pointer) ?? '{}')));
    /** The request this answers, as the library sent it: method, path as written, query
     *  percent-encoded ('GET /v1/{organizationId}/contacts?page=0&fields=Name'). */
    this.request = fn.dinero_response_request(pointer) ?? '';
  }

  /** @internal The library's reading of this error answer (status >= 400), as an ApiError. */
  apiError() {
    const json = native().fn.dinero_response_error_json(this.#handle.live());
    return new ApiError(this.status, this.body, { headers: this.headers, request: this.request }, parseJson(json ?? '{}'));
  }

  /** @internal The body of an OK answer as the library reads it (dinero_response_json): JSON
   *  text, 'null' for an empty body; ProtocolError for a body that is not JSON. */
  jsonText() {
    return callHere('dinero_response_json', [this.#handle.live(), [null]])[0];
  }

  /** True for a status below 400, the library's one rule (dinero_response_is_ok): 400 and
   *  above is an error answer, which the helpers throw as an ApiError. */
  get ok() {
    return this.#ok;
  }

  /** The body as text (UTF-8, as Dinero sends it; undecodable bytes become U+FFFD). */
  text() {
    return this.body.toString('utf8');
  }

  /** The body parsed as JSON (integers past 2^53 as BigInt, exact); null for an empty body.
   *  Throws SyntaxError when it is not JSON. */
  json() {
    const text = this.text();
    return /^[ \t\r\n\f]*$/.test(text) ? null : parseJson(text); // the library's empty body, as in every binding
  }

  /** A header's value, looked up without regard to case (repeated ones joined with ", "), or
   *  undefined if absent. Asks the library while the response is open, the snapshot after. */
  header(name) {
    const key = cstr(name, 'header name');
    if (this.#handle.closed) return this.headers.get(key);
    return native().fn.dinero_response_header(this.#handle.live(), key) ?? undefined;
  }

  /** Writes the body to `path` through the library, atomically (a temporary file beside it,
   *  then a rename), on one of the library's threads. Any status is written as it is (check `ok` first).
   *  FileError if the folder does not exist or cannot be written; needs the response open. */
  async save(path) {
    const target = filePath(path, 'path');
    try {
      await this.#handle.use((pointer) => background('dinero_response_save', [pointer, target]));
    } catch (error) {
      if (error instanceof FileError) error.path = target;
      throw error;
    }
  }

  get closed() {
    return this.#handle.closed;
  }

  /** Frees the native response (a save() still running finishes first). Idempotent. */
  close() {
    this.#handle.close();
  }

  [Symbol.dispose ?? Symbol.for('nodejs.dispose')]() {
    this.close();
  }

  get [Symbol.toStringTag]() {
    return 'Response';
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `<libdinero.Response ${this.status}, ${this.body.length} bytes>`;
  }
}
