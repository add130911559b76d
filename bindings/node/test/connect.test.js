// Visma Connect against the sandbox's /connect/*: the sign-in (authorize URL, the browser's
// answer, the code exchange), organizations chosen per client or per request, refresh tokens
// rotated to onRefreshToken on the main thread, LOGIN_REQUIRED after a revocation (once, no
// loop), a forged state, and no secret of the flow in any message.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import querystring from 'node:querystring';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import * as dinero from '../src/index.js';
import { REPO, startSandbox, expectError, seenMessages, tempDir } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:9/callback'; // a loopback redirect URI: always accepted
const CONTACTS = '/v1/{organizationId}/contacts';
let sandbox;
let connect;

// One-time refresh tokens without a grace period: a rotated token stops working at once.
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0', '--refresh-grace-ms', '0', '--connect-client-secret', `csec-${process.pid}-7e1d`);
  connect = {
    clientId: sandbox.settings.DINERO_CONNECT_CLIENT_ID,
    clientSecret: sandbox.settings.DINERO_CONNECT_CLIENT_SECRET,
    url: sandbox.settings.DINERO_CONNECT_URL,
  };
});
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

/** Options for the sandbox's Visma Connect; `tokens` collects what onRefreshToken received. */
function connectOptions(tokens, extra = {}) {
  const { authUrl, organizationId, ...options } = sandbox.options();
  return {
    ...options,
    connectUrl: connect.url,
    onRefreshToken: (token) => tokens.push({ token, main: isMainThread }),
    ...extra,
  };
}

/** What a browser does with the authorize URL: the sandbox consents at once and answers a
 *  self-submitting form; its hidden fields, form-encoded, are what reaches the redirect URI. */
async function browser(url) {
  return (await consent(url)).form.toString();
}

/** The consent page's form: where it posts (`action`) and its fields. */
async function consent(url) {
  const page = await (await fetch(url)).text();
  const unescape = (text) => text.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>')
    .replaceAll('&#39;', "'").replaceAll('&amp;', '&');
  const form = new URLSearchParams();
  for (const input of page.matchAll(/<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)) {
    form.append(unescape(input[1]), unescape(input[2]));
  }
  assert.ok(form.has('code') && form.has('state'), 'the consent page has the code and state');
  return { action: unescape(/<form[^>]*action="([^"]*)"/.exec(page)[1]), form };
}

async function signIn(tokens, extra = {}) {
  const options = connectOptions(tokens, extra);
  const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, options);
  const redirect = await browser(authorization.url);
  return dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, redirect, options);
}

async function connectStats() {
  return (await sandbox.stats()).connect;
}

test('a sign-in reaches every organization, chosen per request or per client', async () => {
  const tokens = [];
  const options = connectOptions(tokens, { uiLocales: 'da-DK' });
  const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, options);
  assert.ok(authorization.url.startsWith(`${connect.url}/connect/authorize?`), authorization.url);
  assert.match(authorization.url, /code_challenge_method=S256/);
  assert.match(authorization.url, /ui_locales=da-DK/);
  assert.equal(authorization.redirect_uri, REDIRECT);
  // The session keeps it as JSON; the text works as well as the object.
  const stored = JSON.stringify(authorization);
  const client = await dinero.connectAuthenticateCode(
    connect.clientId, connect.clientSecret, stored, await browser(authorization.url), options,
  );
  assert.equal(tokens.length, 1, 'the first refresh token arrived before the sign-in resolved');
  assert.equal((await connectStats()).code_exchanges, 1);

  const organizations = await client.organizations();
  assert.equal(organizations.length, 2, JSON.stringify(organizations));
  for (const { Id } of organizations) {
    const response = await client.request('GET', CONTACTS, { organizationId: Id });
    assert.equal(response.status, 200, response.text());
    assert.ok(Array.isArray((await client.get(CONTACTS, { organizationId: String(Id) })).Collection));
  }
  const unchosen = await expectError(client.get(CONTACTS), dinero.InvalidArgumentError);
  assert.match(unchosen.message, /organization_id/);
  await client.close();

  // Per client: the organizationId option, from the stored refresh token.
  const later = await dinero.connectAuthenticate(
    connect.clientId, connect.clientSecret, tokens.at(-1).token, connectOptions(tokens, { organizationId: organizations[1].Id }),
  );
  const items = [];
  for await (const contact of later.paginate(CONTACTS)) items.push(contact);
  assert.ok(items.length > 0);
  await later.close();
});

test('each rotated refresh token reaches onRefreshToken on the main thread, in order', async () => {
  const tokens = [];
  const client = await signIn(tokens, { organizationId: sandbox.organizationId });
  for (let round = 0; round < 2; round++) {
    await sandbox.admin('POST', '/tokens/expire'); // the next request must refresh
    assert.equal((await client.request('GET', CONTACTS)).status, 200);
  }
  await client.close();
  assert.equal(tokens.length, 3, 'the sign-in and two refreshes');
  assert.equal(new Set(tokens.map((t) => t.token)).size, 3, 'every refresh token is new');
  assert.ok(tokens.every((t) => t.main), 'onRefreshToken ran off the main thread');
  assert.equal((await connectStats()).refreshes, 2);

  // The replaced ones are used up; the newest signs in later.
  const old = await expectError(
    dinero.connectAuthenticate(connect.clientId, connect.clientSecret, tokens[0].token, connectOptions([])),
    dinero.LoginRequiredError,
  );
  assert.equal(old.status, dinero.Status.LOGIN_REQUIRED);
  assert.ok(old instanceof dinero.AuthenticationError);
  const again = await dinero.connectAuthenticate(connect.clientId, connect.clientSecret, tokens[2].token, connectOptions(tokens));
  await again.close();
});

test('after a revocation every call is LoginRequiredError, without asking again', async () => {
  const tokens = [];
  const client = await signIn(tokens, { organizationId: sandbox.organizationId });
  await sandbox.admin('POST', '/connect/revoke');
  await sandbox.admin('POST', '/tokens/expire');
  await sandbox.reset();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.get(CONTACTS)));
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof dinero.LoginRequiredError, String(result.reason));
    seenMessages.push(result.reason.message);
  }
  await expectError(client.get(CONTACTS), dinero.LoginRequiredError);
  assert.ok((await connectStats()).refreshes <= 1, 'the refused refresh token was not tried again');
  await client.close();
});

test('a forged state is refused before the code is exchanged', async () => {
  const options = connectOptions([]);
  const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, options);
  const redirect = new URLSearchParams(await browser(authorization.url));
  redirect.set('state', 'forged-state');
  const error = await expectError(
    dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, redirect, options),
    dinero.AuthenticationError,
  );
  assert.equal(error.status, dinero.Status.AUTH_REJECTED);
  assert.match(error.message, /state/);
  assert.equal((await connectStats()).code_exchanges, 0);
});

test('bad arguments are invalid and send nothing', async () => {
  await expectError(dinero.connectAuthenticate(connect.clientId, connect.clientSecret, 'tok\0en', connectOptions([])), dinero.InvalidArgumentError);
  await expectError(
    dinero.connectAuthenticate(connect.clientId, connect.clientSecret, 'token', connectOptions([], { onRefreshToken: 'not a function' })),
    dinero.InvalidArgumentError,
  );
  assert.throws(() => dinero.connectAuthorizeUrl(connect.clientId, 42), dinero.InvalidArgumentError);
  assert.equal((await connectStats()).requests, 0);
});

test('the browser\'s answer may come as a Buffer, a URL or a body parser\'s fields; other types are invalid and send nothing', async () => {
  for (const shape of [(form) => Buffer.from(form), (form) => new URL(`${REDIRECT}?${form}`), (form) => querystring.parse(form)]) {
    const options = connectOptions([]);
    const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, options);
    const client = await dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, shape(await browser(authorization.url)), options);
    assert.ok(Array.isArray(await client.organizations()));
    await client.close();
  }
  await sandbox.reset();
  const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, connectOptions([]));
  for (const bad of [null, undefined, 42, ['code', 'x']]) {
    await expectError(dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, bad, connectOptions([])), dinero.InvalidArgumentError);
  }
  assert.equal((await connectStats()).requests, 0);
});

test('a function under any name but logger and onRefreshToken is refused, not dropped', async () => {
  for (const name of ['onRefreshTokens', 'refresh_token_callback', 'on_refresh_token']) {
    const error = await expectError(
      dinero.connectAuthenticate(connect.clientId, connect.clientSecret, 'token', connectOptions([], { [name]: () => {} })),
      dinero.InvalidArgumentError,
    );
    assert.match(error.message, new RegExp(`option ${name} is a function`));
  }
  assert.equal((await connectStats()).requests, 0);
});

test('no message holds the client secret, a code, a verifier or a refresh token', async () => {
  const tokens = [];
  const options = connectOptions(tokens);
  const authorization = dinero.connectAuthorizeUrl(connect.clientId, REDIRECT, options);
  const redirect = await browser(authorization.url);
  const client = await dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, redirect, options);
  await client.close();
  // The same code again, and a wrong secret: refused, in words without the secrets.
  await expectError(dinero.connectAuthenticateCode(connect.clientId, connect.clientSecret, authorization, redirect, options), dinero.AuthenticationError);
  await expectError(dinero.connectAuthenticate(connect.clientId, 'wrong-secret-5b1c', tokens[0].token, options), dinero.AuthenticationError);
  const secrets = [
    connect.clientSecret, 'wrong-secret-5b1c', authorization.code_verifier,
    new URLSearchParams(redirect).get('code'), ...tokens.map((t) => t.token),
  ];
  assert.ok(seenMessages.length >= 5);
  for (const message of seenMessages) {
    for (const secret of secrets) assert.ok(!message.includes(secret), 'a secret leaked into a message');
  }
});

/** Runs examples/node/visma_connect.mjs; a consent page it prints is submitted like a browser. */
function runExample(tokenFile) {
  const child = spawn(process.execPath, [path.join(REPO, 'examples', 'node', 'visma_connect.mjs')], {
    env: { ...process.env, ...sandbox.settings, DINERO_REFRESH_TOKEN_FILE: tokenFile },
  });
  let stdout = '';
  let stderr = '';
  let submitted = null;
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    const url = /^(http\S+\/connect\/authorize\?\S+)$/m.exec(stdout);
    if (url && submitted === null) {
      submitted = consent(url[1]).then(({ action, form }) => fetch(action, { method: 'POST', body: form }));
    }
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60000); // a hang fails, never blocks
  return new Promise((resolve) => {
    child.on('close', async (code) => {
      clearTimeout(deadline);
      if (submitted !== null) assert.equal((await submitted).status, 200);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the example signs in through a browser, then from the stored refresh token', async () => {
  const dir = tempDir();
  const tokenFile = path.join(dir, 'refresh-token');
  const first = await runExample(tokenFile);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /signed in through the browser/);
  assert.match(first.stdout, new RegExp(`organization ${sandbox.organizationId} \\(.*\\): \\d+ contacts`));
  assert.match(first.stdout, /\ndone\n$/);
  assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
  const second = await runExample(tokenFile);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout, /signed in from the stored refresh token/);
  assert.doesNotMatch(second.stdout, /connect\/authorize/);
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  for (const output of [first, second]) {
    sandbox.assertNoSecret(output.stdout + output.stderr, connect.clientSecret, token);
  }
  await sandbox.admin('POST', '/connect/revoke');
  const revoked = await runExample(tokenFile);
  assert.equal(revoked.code, 0, revoked.stdout + revoked.stderr);
  assert.match(revoked.stdout, /no longer works: sign in again[\s\S]*signed in through the browser/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('process.exit() while a refresh is due to reach onRefreshToken does not hang', async () => {
  const tokens = [];
  const client = await signIn(tokens);
  await client.close();
  const { execFile } = await import('node:child_process');
  const index = new URL('../src/index.js', import.meta.url).pathname;
  const admin = `${sandbox.apiUrl}/_sandbox`;
  const code = `
    import * as d from ${JSON.stringify(index)};
    const client = await d.connectAuthenticate(${JSON.stringify(connect.clientId)}, ${JSON.stringify(connect.clientSecret)},
      ${JSON.stringify(tokens.at(-1).token)}, { ...${JSON.stringify(connectOptions([], { organizationId: sandbox.organizationId, onRefreshToken: undefined }))},
      onRefreshToken: () => {} });
    await fetch(${JSON.stringify(`${admin}/tokens/expire`)}, { method: 'POST' });
    await fetch(${JSON.stringify(`${admin}/faults`)}, { method: 'POST',
      body: JSON.stringify({ kind: 'delay', delay_ms: 800, count: 1, target: 'connect' }) });
    client.get('/v1/{organizationId}/contacts').catch(() => {});
    process.on('exit', (code) => console.log('later exit listener ran with', code));
    setTimeout(() => process.exit(3), 200);`;
  const result = await new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 15000 }, (error, stdout, stderr) => {
      resolve({ code: error?.code ?? 0, killed: error?.killed ?? false, stdout, stderr });
    });
  });
  assert.equal(result.killed, false, 'the child hung at exit');
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /later exit listener ran with 3/);
});

test('an onRefreshToken that throws or rejects is a warning without the token, and the client works', async () => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    const seen = [];
    const client = await signIn([], {
      organizationId: sandbox.organizationId,
      onRefreshToken: (token) => { seen.push(token); throw new Error(`database down while storing ${token}`); },
    });
    assert.equal((await client.request('GET', CONTACTS)).status, 200);
    await client.close();
    const later = await dinero.connectAuthenticate(connect.clientId, connect.clientSecret, seen[0], connectOptions([], {
      organizationId: sandbox.organizationId,
      onRefreshToken: async (token) => { seen.push(token); throw new Error(`rejected ${token}`); },
    }));
    await later.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 2, JSON.stringify(warnings));
    for (const warning of warnings) {
      assert.match(warning, /onRefreshToken failed \(Error\)/);
      for (const token of seen) assert.ok(!warning.includes(token), 'a refresh token reached a warning');
    }
  } finally {
    process.off('warning', onWarning);
  }
});
