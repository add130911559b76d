// The onRefreshToken option: each new Visma Connect refresh token, handed to the application
// before the library relies on it (dinero_options_set_refresh_token_callback).
//
// The library calls the C callback on whichever of its threads refreshed (a request, an
// exchange). koffi relays every such call to the main thread's event loop
// and the calling thread waits until the function has returned, so `store` always runs on the
// main thread, one call at a time, and the token is stored before the access token that came
// with it is used. `store` must therefore store synchronously (fs.writeFileSync, a synchronous
// database driver): a Promise it returns is not waited for.

import { InvalidArgumentError } from './errors.js';
import { STATUS } from './native.js';
import koffi from 'koffi';

/** `onRefreshToken` checked: null when absent, else the function. */
export function refreshTokenStore(onRefreshToken) {
  if (onRefreshToken === undefined || onRefreshToken === null) return null;
  if (typeof onRefreshToken !== 'function') {
    throw new InvalidArgumentError('onRefreshToken must be a function (refreshToken) => void', STATUS.INVALID_ARGUMENT);
  }
  return onRefreshToken;
}

/** Registers the C callback calling `store(refreshToken)`; unregister it with log.unregister. */
export function registerRefreshToken(store, callbackPointerType) {
  // Said without the error's text, which could quote the token.
  const warn = (error) => process.emitWarning(
    `libdinero: onRefreshToken failed (${error?.name ?? typeof error}); the new refresh token may not be stored`,
  );
  return koffi.register((_userData, refreshToken) => {
    try {
      const result = store(refreshToken);
      // A Promise is not waited for (the refreshing thread cannot wait for the event loop to
      // turn), but its failure is reported rather than left unhandled.
      if (typeof result?.then === 'function') result.then(undefined, warn);
    } catch (error) {
      warn(error); // nothing may unwind into C
    }
  }, callbackPointerType);
}
