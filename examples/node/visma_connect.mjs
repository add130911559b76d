#!/usr/bin/env node
// visma_connect.mjs - a public integration's sign-in through Visma Connect, and its later runs,
// with libdinero for Node.js.
//
//   1. first run: start a listener on this machine for the redirect, make the authorize URL
//      (the library makes the state and the PKCE verifier) and print it; the user opens it,
//      signs in and consents, and the browser POSTs the answer to the listener; sign in with it
//   2. every new refresh token goes to a private file (onRefreshToken), before it is used
//   3. list the organizations the user's token reaches, and the contacts of each, choosing the
//      organization per request
//   4. later runs: a client from the stored refresh token; when Visma Connect no longer takes
//      it (revoked, expired), sign in again
//
// A web application does step 1 in two requests: it keeps the object connectAuthorizeUrl
// returns in the user's session, sends the browser to its `url`, and hands the POSTed form body
// to connectAuthenticateCode when the browser comes back to its redirect URI.
//
// Against the sandbox, from the repository root (it consents at once; any browser will do):
//
//     (cd bindings/node && npm ci)
//     target/release/dinero-sandbox --env-file sandbox.env &     # then export what it wrote:
//     set -a; . ./sandbox.env; set +a
//     DINERO_REFRESH_TOKEN_FILE=$PWD/refresh-token node examples/node/visma_connect.mjs
//
// Environment: DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET and
// DINERO_REFRESH_TOKEN_FILE (where the refresh token is kept, mode 0600) are required;
// DINERO_CONNECT_URL and DINERO_API_URL are optional (unset: the real services).
// Exit status: 0 success, 1 an error, 2 bad environment. The client secret, the code, the
// verifier and the tokens are never printed.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as dinero from '../../bindings/node/src/index.js';

const env = (name) => process.env[name] || undefined;
const clientId = env('DINERO_CONNECT_CLIENT_ID');
const clientSecret = env('DINERO_CONNECT_CLIENT_SECRET');
const tokenFile = env('DINERO_REFRESH_TOKEN_FILE');
if (!clientId || !clientSecret || !tokenFile) {
  console.error('error: set DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET and DINERO_REFRESH_TOKEN_FILE');
  process.exit(2);
}

/** Keeps a refresh token: written beside the file, private, then renamed over it, so the file
 *  always holds a whole token. Synchronous: the library waits for this before using it. */
function storeRefreshToken(refreshToken) {
  const temporary = path.join(path.dirname(tokenFile), `.${path.basename(tokenFile)}.${process.pid}`);
  fs.writeFileSync(temporary, `${refreshToken}\n`, { mode: 0o600 });
  fs.renameSync(temporary, tokenFile);
}

const options = {
  connectUrl: env('DINERO_CONNECT_URL'),
  apiUrl: env('DINERO_API_URL'),
  uiLocales: 'da-DK',
  onRefreshToken: storeRefreshToken,
};

/** The browser sign-in: a listener on 127.0.0.1 receives the redirect (a form POST). */
async function signIn() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
  const authorization = dinero.connectAuthorizeUrl(clientId, redirectUri, options);
  console.log(`open this address in a browser to sign in:\n${authorization.url}`);
  const answer = await new Promise((resolve) => {
    server.on('request', (request, response) => {
      if (request.method !== 'POST' || !request.url.startsWith('/callback')) {
        response.writeHead(404).end();
        return;
      }
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Signed in: you can close this window.\n');
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  });
  server.close();
  const client = await dinero.connectAuthenticateCode(clientId, clientSecret, authorization, answer, options);
  console.log('signed in through the browser');
  return client;
}

/** A client from the stored refresh token, or null when there is none or it no longer works. */
async function fromStoredToken() {
  if (!fs.existsSync(tokenFile)) return null;
  try {
    const client = await dinero.connectAuthenticate(clientId, clientSecret, fs.readFileSync(tokenFile, 'utf8').trim(), options);
    console.log('signed in from the stored refresh token');
    return client;
  } catch (error) {
    if (!(error instanceof dinero.LoginRequiredError)) throw error;
    console.log('the stored refresh token no longer works: sign in again');
    return null;
  }
}

try {
  const client = (await fromStoredToken()) ?? (await signIn());
  try {
    for (const organization of await client.organizations()) {
      let contacts = 0;
      const each = client.paginate('/v1/{organizationId}/contacts', { organizationId: organization.Id, params: { fields: 'Name' } });
      for await (const contact of each) if (contact.Name) contacts++;
      console.log(`organization ${organization.Id} (${organization.Name}): ${contacts} contacts`);
    }
  } finally {
    await client.close();
  }
  console.log('done');
} catch (error) {
  console.error(`error: ${error.name}: ${error.message}`);
  process.exitCode = 1;
}
