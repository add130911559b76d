#!/usr/bin/env node
// personal_integration.mjs - the shape of the Node example on Dinero's personal-integration
// page, built on libdinero: an authenticate(uri, clientId, clientSecret, apiKey) function that
// posts the password grant and returns the access token, then the organization's contacts
// listed with "Authorization: Bearer <token>".
//
// The docs build the token request by hand (Basic base64(clientId:clientSecret), a form body
// grant_type=password&scope=read write&username=<API key>&password=<API key>). Here libdinero
// makes that exchange on one of its own threads (with retries and clear errors, never a secret in
// them), and calling authenticate again returns the same token until it is due, then a fresh
// one. The last step lists the same contacts through the library's own client, which pages,
// paces and renews the token by itself.
//
// Run against the sandbox, from the repository root:
//
//     make demo
//
// or by hand:
//
//     (cd bindings/node && npm ci)
//     target/release/dinero-sandbox --env-file sandbox.env &     # then export what it prints:
//     set -a; . ./sandbox.env; set +a
//     node examples/node/personal_integration.mjs
//
// Environment: DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID
// (required); DINERO_AUTH_URL, DINERO_API_URL (optional; unset means the real Dinero);
// DINERO_LIBRARY (optional: the libdinero.so to load).
// Exit status: 0 success, 1 an error, 2 bad environment. The token is never printed.

import * as dinero from '../../bindings/node/src/index.js';

const AUTH_URL = 'https://authz.dinero.dk/dineroapi/oauth/token';
const API_URL = 'https://api.dinero.dk';

const clients = new Map();

/** Exchanges the client id and secret and the organization's API key for an access token at
 *  the token endpoint `uri`; resolves to the token (valid for about an hour). */
async function authenticate(uri, clientId, clientSecret, apiKey) {
  const key = JSON.stringify([uri, clientId, clientSecret, apiKey]);
  let client = clients.get(key);
  if (!client) {
    client = await dinero.authenticate(clientId, clientSecret, apiKey, { authUrl: uri });
    clients.set(key, client);
  }
  return client.accessToken();
}

/** GET with the token, as the docs do it. */
async function getJson(url, token) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return response.json();
}

async function main() {
  const env = process.env;
  const required = ['DINERO_CLIENT_ID', 'DINERO_CLIENT_SECRET', 'DINERO_API_KEY', 'DINERO_ORGANIZATION_ID'];
  const missing = required.filter((name) => !env[name]);
  if (missing.length) {
    console.error(`error: set ${missing.join(', ')} (dinero-sandbox prints them)`);
    return 2;
  }
  const authUrl = env.DINERO_AUTH_URL || AUTH_URL;
  const apiUrl = (env.DINERO_API_URL || API_URL).replace(/\/+$/, '');
  const organizationId = env.DINERO_ORGANIZATION_ID;
  console.log(`libdinero ${dinero.libraryVersion()} (Node package ${dinero.version})`);

  let token;
  try {
    token = await authenticate(authUrl, env.DINERO_CLIENT_ID, env.DINERO_CLIENT_SECRET, env.DINERO_API_KEY);
  } catch (error) {
    if (error instanceof dinero.AuthenticationError) {
      console.error(`error: authentication failed (${error.rejected ? 'check the credentials' : 'try again later'}): ${error.message}`);
    } else {
      console.error(`error: ${error.name}: ${error.message}`);
    }
    return 1;
  }
  console.log(`access token: ${token.length} characters (not shown)`);
  const again = await authenticate(authUrl, env.DINERO_CLIENT_ID, env.DINERO_CLIENT_SECRET, env.DINERO_API_KEY);
  console.log(`second authenticate(): ${again === token ? 'the same token, no new exchange' : 'a new token'}`);

  try {
    const organizations = await getJson(`${apiUrl}/v1/organizations`, token);
    console.log(`organizations: ${organizations.map((o) => o.Name).join(', ')}`);
    const contacts = await getJson(`${apiUrl}/v1/${organizationId}/contacts?page=0&pageSize=5&fields=Name`, token);
    console.log(`contacts: ${contacts.Pagination.Result} in all; the first few:`);
    for (const contact of contacts.Collection) console.log(`   - ${contact.Name}`);

    // The same list through libdinero's client: every page, paced, the token kept valid.
    const client = await dinero.authenticate(env.DINERO_CLIENT_ID, env.DINERO_CLIENT_SECRET, env.DINERO_API_KEY, {
      organizationId, authUrl: env.DINERO_AUTH_URL, apiUrl: env.DINERO_API_URL,
    });
    clients.set('library', client);
    let count = 0;
    for await (const contact of client.paginate('/v1/{organizationId}/contacts', { params: { fields: 'Name' }, pageSize: 2 })) {
      count++;
      if (count <= 3) console.log(`   (library) ${contact.Name}`);
    }
    console.log(`${count} contact(s) through client.paginate(), 2 per request`);
    try {
      await client.post('/v1/{organizationId}/contacts', { CountryKey: 'DK', IsPerson: true });
    } catch (error) {
      if (!(error instanceof dinero.ApiError)) throw error;
      console.log(`a contact without a Name: ApiError HTTP ${error.status}, Dinero code ${error.code}: ${error.apiMessage}`);
      for (const [field, problem] of Object.entries(error.validationErrors)) console.log(`   ${field}: ${problem}`);
    }
  } catch (error) {
    console.error(`error: ${error.name}: ${error.message}`);
    return 1;
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close()));
  }
  console.log('\ndone');
  return 0;
}

process.exitCode = await main();
