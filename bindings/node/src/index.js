// libdinero for Node.js: a client for the Dinero accounting API (personal integrations and
// Visma Connect).
//
// A thin koffi binding of the libdinero C library: authentication, token lifetime, retries,
// rate limiting and error handling all happen in the library, the same as for every other
// language. Blocking calls run on the library's own threads, never on the main thread.
//
//   import { authenticate } from 'libdinero';
//
//   const dinero = await authenticate(clientId, clientSecret, apiKey, { organizationId: '424242' });
//   for await (const contact of dinero.paginate('/v1/{organizationId}/contacts')) {
//     console.log(contact.Name);
//   }
//   await dinero.close();

import { native } from './runtime.js';

export { authenticate, Client } from './client.js';
export { connectAuthorizeUrl, connectAuthenticateCode, connectAuthenticate } from './connect.js';
export { Response, Headers } from './response.js';
export {
  ApiError, AuthenticationError, DineroError, FileError, InvalidArgumentError, LoginRequiredError,
  NetworkError, ProtocolError, ResponseTooLargeError, TLSError, TimeoutError,
} from './errors.js';
export { LibraryNotFoundError } from './library.js';
export { STATUS as Status, LOG as LogLevel, MAX_UPLOAD_BYTES } from './native.js';

/** The version of this package, the same as the C library's (libraryVersion()). */
export const version = '0.1.0';

/** The version of the loaded C library (dinero_version()). */
export function libraryVersion() {
  return native().version();
}

/** The library's short description of a status number (dinero_status_str()). */
export function statusStr(status) {
  if (!Number.isInteger(status) || status < 0 || status > 0xffffffff) {
    throw new TypeError('status must be an integer from 0 to 2^32-1');
  }
  return native().statusStr(status);
}

/** The path (or loader name) of the libdinero that was loaded. */
export function libraryPath() {
  return native().path;
}
