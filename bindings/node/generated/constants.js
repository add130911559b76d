// Generated from include/dinero.h by scripts/binding_constants.py; do not edit.

export const STATUS = Object.freeze({
  OK: 0,
  NULL_ARGUMENT: 1,
  INVALID_UTF8: 2,
  INVALID_ARGUMENT: 3,
  AUTH_REJECTED: 4,
  AUTH_UNAVAILABLE: 5,
  NETWORK: 6,
  TIMEOUT: 7,
  TLS: 8,
  PROTOCOL: 9,
  PANIC: 10,
  RESPONSE_TOO_LARGE: 11,
  IO: 12,
  LOGIN_REQUIRED: 13,
  INTERRUPTED: 14,
});

export const LOG = Object.freeze({
  ERROR: 1,
  WARN: 2,
  INFO: 3,
  DEBUG: 4,
});

export const MAX_UPLOAD_BYTES = 6291456;
export const MAX_PAGE_SIZE = 1000;

/** status -> the name of its error class, less the 'Error' suffix */
export const FAMILY = Object.freeze({
  1: 'InvalidArgument',
  2: 'InvalidArgument',
  3: 'InvalidArgument',
  4: 'Authentication',
  5: 'Authentication',
  6: 'Network',
  7: 'Timeout',
  8: 'TLS',
  9: 'Protocol',
  10: 'Dinero',
  11: 'ResponseTooLarge',
  12: 'File',
  13: 'LoginRequired',
  14: 'Dinero',
});
