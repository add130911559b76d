// The error classes: one base class carrying the C status, one subclass per kind of failure.
// Every message is the library's own explanation (dinero_last_error, read on the thread of the
// failing call) or, for HTTP errors, Dinero's; none contains the client secret, the API key or
// a token.

import os from 'node:os';
import http from 'node:http';
import { STATUS } from './native.js';
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
 *  answered something unreadable (`rejected` is false: try again later). */
export class AuthenticationError extends DineroError {
  get rejected() {
    return this.status === STATUS.AUTH_REJECTED;
  }
}

/** No usable answer arrived: connection refused, reset or closed (and the subclasses). */
export class NetworkError extends DineroError {}
/** The TLS handshake failed (e.g. an untrusted certificate). */
export class TLSError extends NetworkError {}
/** The answer was not valid HTTP, was cut short, or (for the JSON helpers) was not JSON. */
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

const BY_STATUS = new Map([
  [STATUS.NULL_ARGUMENT, InvalidArgumentError],
  [STATUS.INVALID_UTF8, InvalidArgumentError],
  [STATUS.INVALID_ARGUMENT, InvalidArgumentError],
  [STATUS.AUTH_REJECTED, AuthenticationError],
  [STATUS.AUTH_UNAVAILABLE, AuthenticationError],
  [STATUS.NETWORK, NetworkError],
  [STATUS.TIMEOUT, TimeoutError],
  [STATUS.TLS, TLSError],
  [STATUS.PROTOCOL, ProtocolError],
  [STATUS.RESPONSE_TOO_LARGE, ResponseTooLargeError],
  [STATUS.IO, FileError],
]);

/** The error for a failed call, from its status and the message read on the failing thread. */
export function fromStatus(status, message, fallback = '') {
  const Class = BY_STATUS.get(status) ?? DineroError;
  return new Class(message || fallback || `libdinero status ${status}`, status);
}

/** Dinero answered with an HTTP status >= 400 (thrown by get/post/put/delete/paginate,
 *  uploadFile and download; `request` returns such answers as a Response).
 *
 *  `status` is the HTTP status here; `code` Dinero's error code (42 validation, 58 stale
 *  timestamp, ...) or undefined; `apiMessage` Dinero's own message (or the reason phrase, or the
 *  start of a plain-text body); `message` the whole sentence ("HTTP 400 (Dinero code 42):
 *  Validation error [Name: ...]"); `validationErrors` Dinero's validationErrors ({} if none);
 *  `body` the raw bytes (a Buffer); `headers` every header of the answer (a Headers map). */
export class ApiError extends DineroError {
  constructor(status, body, { code, message = '', validationErrors = {}, headers } = {}) {
    const validation = { ...(validationErrors ?? {}) };
    super(describe(status, code, message, validation), status);
    this.code = code;
    this.apiMessage = message;
    this.validationErrors = validation;
    this.body = Buffer.isBuffer(body) ? body : Buffer.from(body ?? []);
    this.headers = headers;
  }

  /** Parses Dinero's error body {"code":42,"message":"...","validationErrors":{...}};
   *  tolerates anything else (IIS's HTML 404, a plain-text 429, an empty body). */
  static fromBody(status, body, headers) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body ?? []);
    const text = bytes.toString('utf8');
    let code;
    let message = '';
    let validation = {};
    let parsed;
    let isJson = false;
    if (text.trim()) {
      try {
        parsed = parseJson(text);
        isJson = true;
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const lowered = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]));
      if (Number.isInteger(lowered.code)) code = lowered.code;
      else if (typeof lowered.code === 'string' && /^\s*\d+\s*$/.test(lowered.code)) code = Number(lowered.code);
      for (const key of ['message', 'error_description', 'error']) {
        if (typeof lowered[key] === 'string' && lowered[key]) {
          message = lowered[key];
          break;
        }
      }
      const raw = lowered.validationerrors;
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) validation = raw;
    } else if (!isJson && text.trim()) {
      message = plainTextExcerpt(text);
    }
    if (!message) message = http.STATUS_CODES[status] ?? 'HTTP error';
    return new ApiError(status, bytes, { code, message, validationErrors: validation, headers });
  }
}

function plainTextExcerpt(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('<')) return '';
  const first = trimmed.split(/\r?\n/)[0] ?? '';
  return first.length > 200 ? `${first.slice(0, 200)}...` : first;
}

function describe(status, code, message, validation) {
  let text = `HTTP ${status}`;
  if (code !== undefined) text += ` (Dinero code ${code})`;
  if (message) text += `: ${message}`;
  const details = Object.entries(validation)
    .filter(([k, v]) => !(k === 'message' && v === message))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : stringifyJson(v)}`);
  if (details.length) text += ` [${details.join('; ')}]`;
  return text;
}
