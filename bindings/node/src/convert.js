// JS values to the C library's arguments, checked here so that a NUL or a lone surrogate is an
// InvalidArgumentError rather than a silently truncated string. Messages name the argument,
// never its value (it may be a secret).

import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from './errors.js';
import { STATUS } from './native.js';
import { stringifyJson } from './json.js';

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

/** The options as one JSON object for dinero_options_set_json, which turns the values into the
 *  library's text (booleans, numbers; camelCase names; null/undefined = leave the default) and
 *  refuses the rest (objects, lists, NaN), naming the option. */
export function optionsJson(options) {
  const values = Object.fromEntries(Object.entries(options).map(([name, value]) => {
    // JSON would leave these out without a word: a misspelt callback option (onRefreshTokens)
    // would then never be called, and new refresh tokens would be lost.
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new InvalidArgumentError(`option ${name} is a ${typeof value}: the only function options are logger and onRefreshToken`, STATUS.INVALID_ARGUMENT);
    }
    return [name, value instanceof URL ? (value.protocol === 'file:' ? fileURLToPath(value) : value.href) : value];
  }));
  return cstr(encode(values, 'options'), 'options');
}

/** What the caller gave, as the request description dinero_client_call reads; the library
 *  applies the rules (the shape of params and headers, parameter values, which content type,
 *  what cannot go together). */
export function requestSpec({ json, params, headers, data, contentType, organizationId }) {
  const spec = {
    params: pairs(params), headers: pairs(headers), data: data ? true : undefined, content_type: contentType, organization_id: organizationId,
  };
  let text = encode(spec, 'request');
  if (json !== undefined) text = `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"json":${jsonBody(json)}}`;
  return text === '{}' ? null : text;
}

/** JSON text; BigInts as their digits; a string with a lone surrogate is refused, and so is a
 *  number that would not arrive as the caller wrote it: NaN and Infinity (JSON has no such
 *  numbers) and an integer past 2^53 (a double only near it: give a string or a BigInt). */
function encode(value, what) {
  return stringifyJson(value, (key, item) => {
    if (typeof item === 'string') cstr(item.replaceAll('\0', ''), what);
    if (typeof item === 'number' && (!Number.isFinite(item) || (Number.isInteger(item) && !Number.isSafeInteger(item)))) {
      const why = Number.isFinite(item) ? 'is past 2^53, so not exact: give a string or a BigInt' : 'is not a number JSON can hold';
      throw new InvalidArgumentError(`${what}${key === '' ? '' : ` (${key})`}: ${item} ${why}`, STATUS.INVALID_ARGUMENT);
    }
    return item;
  });
}

/** Compact UTF-8 JSON (Danish letters as themselves). */
export function jsonBody(value) {
  let text;
  try {
    text = stringifyJson(value, (key, item) => {
      if (typeof item === 'number' && !Number.isFinite(item)) throw new TypeError(`${item} is not a number JSON can hold`);
      return item;
    });
  } catch (error) {
    const why = error instanceof RangeError ? 'it is circular or nested too deeply' : error.message;
    throw new InvalidArgumentError(`json body cannot be encoded: ${why}`, STATUS.INVALID_ARGUMENT);
  }
  if (text === undefined) {
    throw new InvalidArgumentError(`json body cannot be encoded: ${typeName(value)}`, STATUS.INVALID_ARGUMENT);
  }
  return cstr(text, 'json body');
}

/** A Map, URLSearchParams or other iterable as the list of its [name, value] pairs; anything
 *  else as it is (the library refuses what is neither a mapping nor such a list). */
function pairs(value) {
  return typeof value?.[Symbol.iterator] === 'function' && typeof value !== 'string' ? [...value] : value;
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
