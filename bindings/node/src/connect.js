// Visma Connect, the sign-in of integrations offered to many companies (OAuth 2 authorization
// code with PKCE, then refresh tokens): thin mirrors of dinero_connect_*. The library checks
// the state, exchanges the code, refreshes and rotates; see the README's "Visma Connect".

import { cstr } from './convert.js';
import { background, callHere, native } from './runtime.js';
import { open, optionsHandle } from './client.js';
import { parseJson, stringifyJson } from './json.js';

/**
 * Starts a sign-in: resolves nothing over the network, returns `{url, state, code_verifier,
 * redirect_uri}` (dinero_connect_authorize_url). Send the user's browser to `url`; keep the
 * whole object (it is JSON) in the user's session for connectAuthenticateCode: it holds the
 * PKCE verifier, a secret. Options read: connectUrl, scope, uiLocales ('da-DK').
 */
export function connectAuthorizeUrl(clientId, redirectUri, options = {}) {
  const args = [cstr(clientId, 'clientId'), cstr(redirectUri, 'redirectUri')];
  const handle = optionsHandle(options);
  try {
    return parseJson(callHere('dinero_connect_authorize_url', [...args, handle, [null]])[0]);
  } finally {
    native().fn.dinero_options_free(handle);
  }
}

/**
 * Finishes a sign-in and resolves to a Client (dinero_connect_authenticate_code): `redirect`
 * is what the browser brought to the redirect URI (the POSTed form body as a string, a Buffer,
 * URLSearchParams or the parsed object, or the query string, or the whole URL, as a string or
 * a URL), `authorization`
 * what connectAuthorizeUrl returned for this sign-in (the object or its JSON). A state that
 * does not match, a refused consent or a refused code is an AuthenticationError. The first
 * refresh token reaches `onRefreshToken` before this resolves.
 */
export async function connectAuthenticateCode(clientId, clientSecret, authorization, redirect, options = {}) {
  const args = [
    cstr(clientId, 'clientId'),
    cstr(clientSecret, 'clientSecret'),
    cstr(typeof authorization === 'string' ? authorization : stringifyJson(authorization) ?? '', 'authorization'),
    cstr(redirectText(redirect), 'redirect'),
  ];
  return open(options, (handle) => background('dinero_connect_authenticate_code', [...args, handle]));
}

/** What the browser brought, as the text the library reads: a string, a URL, the raw body (a
 *  Buffer or Uint8Array, UTF-8), or the fields (URLSearchParams or a plain object). Anything
 *  else is passed on as it is, for cstr() to refuse with an InvalidArgumentError. */
function redirectText(redirect) {
  if (redirect instanceof URL) return redirect.href;
  if (redirect instanceof Uint8Array) return Buffer.from(redirect.buffer, redirect.byteOffset, redirect.byteLength).toString('utf8');
  // A body parser's fields: a plain object, or one without a prototype (querystring.parse,
  // Express's urlencoded()).
  const fields = redirect !== null && typeof redirect === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(redirect));
  if (redirect instanceof URLSearchParams || fields) {
    return new URLSearchParams(redirect).toString();
  }
  return redirect;
}

/**
 * A Client from a refresh token stored earlier (dinero_connect_authenticate): used at once, so
 * a revoked, expired or used-up one is a LoginRequiredError here (the user must sign in
 * again). Every new refresh token goes to `onRefreshToken` before it is relied on.
 */
export async function connectAuthenticate(clientId, clientSecret, refreshToken, options = {}) {
  const args = [cstr(clientId, 'clientId'), cstr(clientSecret, 'clientSecret'), cstr(refreshToken, 'refreshToken')];
  return open(options, (handle) => background('dinero_connect_authenticate', [...args, handle]));
}
