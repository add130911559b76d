// libdinero's log lines, forwarded to the `logger` option of authenticate().
//
// Each client made with a logger gets its own registered koffi callback (released when the
// client is freed). The library calls it on the thread that made the request: one of its own.
// koffi relays such a call to the main thread's event loop and that thread waits until it
// has run, so the logger always runs on the main thread, in order, while its request runs.
// It catches every exception: a failing logger never reaches the library or the request.

import koffi from 'koffi';
import { InvalidArgumentError } from './errors.js';
import { LOG, STATUS } from './native.js';
import { callHere } from './runtime.js';
import { cstr } from './convert.js';

export const LEVEL_NAMES = Object.freeze({ [LOG.ERROR]: 'error', [LOG.WARN]: 'warn', [LOG.INFO]: 'info', [LOG.DEBUG]: 'debug' });

/** The C max_level for a logLevel option: a name the library reads (dinero_log_level_parse:
 *  'error', 'warn', 'info' (the default), 'debug', 'off', the syslog names, any case), or a
 *  DINERO_LOG_* number (0 = off). */
export function maxLevel(logLevel) {
  if (logLevel === undefined || logLevel === null) return LOG.INFO;
  if (typeof logLevel === 'string') return callHere('dinero_log_level_parse', [cstr(logLevel, 'logLevel'), [0]])[0];
  if (Number.isInteger(logLevel) && logLevel >= 0 && logLevel <= LOG.DEBUG) return logLevel;
  throw new InvalidArgumentError(`logLevel must be a level name or 0-4, got ${typeof logLevel}`, STATUS.INVALID_ARGUMENT);
}

/** A function (level, message) => void for a logger: a function itself, or an object with
 *  error/warn/info/debug methods (console, pino, winston, ...). */
export function sink(logger) {
  if (typeof logger === 'function') return logger;
  if (logger !== null && typeof logger === 'object') {
    const methods = ['error', 'warn', 'info', 'debug'];
    if (methods.some((m) => typeof logger[m] === 'function')) {
      return (level, message) => {
        const method = typeof logger[level] === 'function' ? level
          : typeof logger.log === 'function' ? 'log' : methods.find((m) => typeof logger[m] === 'function');
        logger[method](message);
      };
    }
  }
  throw new InvalidArgumentError(
    'logger must be a function (level, message) or an object with error/warn/info/debug methods',
    STATUS.INVALID_ARGUMENT,
  );
}

/** Registers a C log callback forwarding to `write`; returns the koffi callback (unregister it
 *  when no client can call it any more). */
export function register(write, callbackPointerType) {
  return koffi.register((_userData, level, message) => {
    try {
      write(LEVEL_NAMES[level] ?? (level > LOG.DEBUG ? 'debug' : 'error'), message ?? '');
    } catch {
      // nothing may unwind into C
    }
  }, callbackPointerType);
}

export function unregister(callback) {
  koffi.unregister(callback);
}
