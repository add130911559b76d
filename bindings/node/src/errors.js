// The error classes: one base class carrying the C status, one subclass per kind of failure.
// Every message is the library's own explanation (dinero_last_error, read on the thread of the
// failing call) or, for HTTP errors, Dinero's; none contains the client secret, the API key or
// a token.

import os from 'node:os';
import { FAMILY, STATUS } from '../generated/constants.js';
import { callHere } from './runtime.js';
import { parseJson, stringifyJson } from './json.js';

/** Base of every libdinero error. `status` is the C status (a DINERO_STATUS_* number). */
export class DineroError extends Error {
  constructor(message, status = STATUS.PANIC, options) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
  }
}

/** A bad argument or option: NULL, not UTF-8 (a NUL or a lone surrogate in a string), an
 *  unknown option, a bad value, plain http to another host, use of a closed object. Nothing
 *  was sent. */
export class InvalidArgumentError extends DineroError {}

/** The token endpoint refused the credentials (`rejected` is true: check them) or failed /
 *  gave an HTTP answer that is not a token (`rejected` is false: try again later). */
export class AuthenticationError extends DineroError {
  get rejected() {
    return this.status === STATUS.AUTH_REJECTED;
  }
}

/** Visma Connect refused the refresh token (revoked, expired or already used): the user must
 *  sign in again (connectAuthorizeUrl). The client does not ask again by itself: every later
 *  call fails the same way at once. */
export class LoginRequiredError extends AuthenticationError {}

/** No usable answer arrived: connection refused, reset or closed (and the subclasses). */
export class NetworkError extends DineroError {}
/** The TLS handshake failed (e.g. an untrusted certificate). */
export class TLSError extends NetworkError {}
/** The answer was not valid HTTP, was cut short, or (for the JSON helpers, uploads and
 *  organizations()) was not the JSON expected. */
export class ProtocolError extends NetworkError {}
/** The body exceeded the max_response_bytes option; it was not read. */
export class ResponseTooLargeError extends NetworkError {}

/** timeout_ms or connect_timeout_ms expired. */
export class TimeoutError extends DineroError {}

const ERRNO_NAMES = Object.fromEntries(
  Object.entries(os.constants.errno).map(([name, number]) => [number, name]),
);

/** A local file could not be read or written (DINERO_STATUS_IO): an upload's source, or a
 *  saveTo / response.save() target in a missing or unwritable folder. `errno` is the operating
 *  system's number when the library names it (2 for a missing file), `code` its name
 *  ('ENOENT'), `path` the file involved when the binding knows it. */
export class FileError extends DineroError {
  constructor(message, status = STATUS.IO, path = undefined) {
    super(message, status);
    const found = /\(os error (\d+)\)/.exec(message);
    this.errno = found ? Number(found[1]) : undefined;
    this.code = this.errno === undefined ? undefined : ERRNO_NAMES[this.errno];
    this.path = path;
  }
}

/** The error for a failed call, from its status and the message read on the failing thread.
 *  The class follows the one mapping of every binding (FAMILY, generated from dinero.h). */
export function fromStatus(status, message) {
  const Class = CLASSES[`${FAMILY[status] ?? 'Dinero'}Error`] ?? DineroError;
  return new Class(message || `libdinero status ${status}`, status);
}

/** Dinero answered with an HTTP status >= 400 (thrown by get/post/put/delete/paginate,
 *  uploadFile and download; `request` returns such answers as a Response).
 *
 *  The library reads Dinero's error body, the same way for every language. `status` is the
 *  HTTP status here; `code` Dinero's error code (42 validation, 58 stale timestamp, ...) or
 *  undefined; `apiMessage` Dinero's own message (or the start of a plain-text body, or the
 *  reason phrase); `message` the one sentence every language shows ("HTTP 400 (Dinero code
 *  42): Validation error [Name: ...]"); `validationErrors` Dinero's validationErrors as
 *  {name: message} ({} if none); `languageSpecificMessages` and `errorMessageList` as Dinero
 *  sent them; `body` the raw bytes (a Buffer); `headers` every header of the answer. */
export class ApiError extends DineroError {
  constructor(status, body, { code, message = '', validationErrors = {}, headers, request = '' } = {}, parsed = undefined) {
    // Made by hand: the library still words it, from Dinero's shape of the same facts.
    const error = parsed ?? parse(status, Buffer.from(stringifyJson({ code, message, validationErrors })));
    super(error.description, error.status);
    this.code = error.code ?? undefined;
    this.apiMessage = error.message;
    this.validationErrors = Object.fromEntries(error.validation_errors.map((e) => [e.name, e.message]));
    this.languageSpecificMessages = error.language_specific_messages;
    this.errorMessageList = error.error_message_list;
    // Readable, but left out when the error is printed (console.error, an uncaught error):
    // the server's own bytes and headers may echo a token, which the rest has scrubbed.
    Object.defineProperties(this, {
      body: { value: bodyBytes(body), writable: true, configurable: true },
      headers: { value: headers, writable: true, configurable: true },
    });
    /** The request answered, as sent (e.g. 'GET /v1/{organizationId}/contacts?page=0'), or ''. */
    this.request = request;
  }

  /** Reads Dinero's error body {"code":42,"message":"...","validationErrors":{...}};
   *  tolerates anything else (IIS's HTML 404, a plain-text 429, an empty body). */
  static fromBody(status, body, headers) {
    const bytes = bodyBytes(body);
    return new ApiError(status, bytes, { headers }, parse(status, bytes));
  }
}

const CLASSES = {
  DineroError, InvalidArgumentError, AuthenticationError, LoginRequiredError, NetworkError, TLSError, ProtocolError,
  ResponseTooLargeError, TimeoutError, FileError,
};

/** A body's bytes as they are: a view's own bytes (a Uint16Array's too), not its elements. */
function bodyBytes(body) {
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(body ?? []);
}

/** The library's reading of an error answer (dinero_error_body_parse, on this thread). Only an
 *  HTTP status goes: koffi would wrap 65936 to 400 on its way to the uint16_t. */
function parse(status, bytes) {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new InvalidArgumentError('status must be an HTTP status (an integer from 100 to 999)', STATUS.INVALID_ARGUMENT);
  }
  return parseJson(callHere('dinero_error_body_parse', [status, bytes.length ? bytes : null, bytes.length, [null]])[0]);
}
