// JS values to the C library's arguments, checked here so that a NUL or a lone surrogate is an
// InvalidArgumentError rather than a silently truncated string. Messages name the argument,
// never its value (it may be a secret).

import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from './errors.js';
import { STATUS } from './native.js';

function typeName(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string for a `const char *` argument (koffi encodes it as UTF-8). */
export function cstr(value, what) {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${what} must be a string, not ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
  }
  if (value.includes('\0')) {
    throw new InvalidArgumentError(`${what} contains a NUL character`, STATUS.INVALID_ARGUMENT);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidArgumentError(`${what} is not valid Unicode (it holds a lone surrogate)`, STATUS.INVALID_UTF8);
  }
  return value;
}

/** null/undefined -> null (a NULL pointer), else cstr. */
export function optionalCstr(value, what) {
  return value === undefined || value === null ? null : cstr(value, what);
}

/** An option's string form; undefined means "leave the default". */
export function optionValue(key, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(`option ${key} must be a finite number`, STATUS.INVALID_ARGUMENT);
    }
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.protocol === 'file:' ? fileURLToPath(value) : value.href;
  throw new InvalidArgumentError(
    `option ${key} must be a string, number, boolean or URL, not ${typeName(value)}`,
    STATUS.INVALID_ARGUMENT,
  );
}

/** camelCase option names to the C keys (organizationId -> organization_id); snake_case as is. */
export function optionKey(name) {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Compact UTF-8 JSON (Danish letters as themselves). */
export function jsonBody(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`json body cannot be encoded: ${error.message}`, STATUS.INVALID_ARGUMENT);
  }
  if (text === undefined) {
    throw new InvalidArgumentError(`json body cannot be encoded: ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
  }
  return cstr(text, 'json body');
}

function entriesOf(value, what) {
  if (value === undefined || value === null) return [];
  if (typeof value[Symbol.iterator] === 'function' && typeof value !== 'string') {
    const pairs = value instanceof Map || value instanceof URLSearchParams || typeof value.entries === 'function' && !Array.isArray(value)
      ? [...value.entries()]
      : [...value];
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InvalidArgumentError(`${what} must be an object, a Map or a list of [name, value] pairs`, STATUS.INVALID_ARGUMENT);
      }
    }
    return pairs;
  }
  if (typeof value === 'object') return Object.entries(value);
  throw new InvalidArgumentError(`${what} must be an object, a Map or a list of [name, value] pairs, not ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
}

function paramText(value) {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return value;
  throw new InvalidArgumentError(`params values must be strings, numbers or booleans, not ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
}

/** `params` as [key, value] strings for dinero_request_builder_add_query (which percent-encodes them).
 *  null/undefined values are left out; an array value repeats the parameter. */
export function queryPairs(params) {
  const pairs = [];
  for (const [name, value] of entriesOf(params, 'params')) {
    if (value === undefined || value === null) continue;
    const key = cstr(String(name), 'params');
    for (const item of Array.isArray(value) ? value : [value]) {
      pairs.push([key, cstr(paramText(item), 'params')]);
    }
  }
  return pairs;
}

/** `headers` as [name, value] strings for dinero_request_builder_set_header (which checks them). */
export function headerPairs(headers) {
  return entriesOf(headers, 'headers').map(([name, value]) => [cstr(name, 'header name'), cstr(value, 'header value')]);
}

/** A Uint8Array view for a binary argument: Buffer, any TypedArray or DataView, ArrayBuffer,
 *  or a string (sent as UTF-8). */
export function byteBuffer(data, what) {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  if (typeof data === 'string') {
    cstr(data.replaceAll('\0', ''), what); // lone surrogates are refused; NULs are fine in a body
    return Buffer.from(data, 'utf8');
  }
  throw new InvalidArgumentError(`${what} must be a Buffer, Uint8Array, ArrayBuffer or string, not ${typeName(data)}`, STATUS.INVALID_ARGUMENT);
}

export function isBinary(value) {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer
    || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer);
}

/** A file path (a string or a file: URL) as a C string. */
export function filePath(value, what) {
  if (value instanceof URL) {
    if (value.protocol !== 'file:') {
      throw new InvalidArgumentError(`${what} must be a path or a file: URL`, STATUS.INVALID_ARGUMENT);
    }
    return cstr(fileURLToPath(value), what);
  }
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${what} must be a path (a string or a file: URL), not ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
  }
  return cstr(value, what);
}
