// authenticate(): options, every way it can fail (with the library's exact message, read on the
// thread that made the call), close() and use after close, accessToken().

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import util from 'node:util';
import * as dinero from '../src/index.js';
import { startSandbox, expectError, seenMessages, tempDir } from './helpers.js';

let sandbox;
before(async () => { sandbox = await startSandbox('--rate-limit', '0'); });
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

test('authenticate resolves to an open client after one token request', async () => {
  const client = await sandbox.connect();
  assert.ok(client instanceof dinero.Client);
  assert.equal(client.closed, false);
  const stats = await sandbox.stats();
  assert.equal(stats.token_requests, 1);
  assert.equal(stats.tokens_issued, 1);
  await client.close();
});

test('clients are made by authenticate only', () => {
  assert.throws(() => new dinero.Client(), TypeError);
});

test('a wrong API key is rejected with the library\'s exact message', async () => {
  const error = await expectError(
    dinero.authenticate(sandbox.clientId, sandbox.clientSecret, 'not-the-key', sandbox.options()),
    dinero.AuthenticationError,
  );
  assert.equal(error.message, 'token endpoint rejected the API key (400 invalid_grant)');
  assert.equal(error.status, dinero.Status.AUTH_REJECTED);
  assert.equal(error.rejected, true);
  assert.equal(error.name, 'AuthenticationError');
  assert.ok(error instanceof Error);
});

test('a wrong secret is rejected without leaking it', async () => {
  const wrong = 'wrong-secret-0123456789';
  const error = await expectError(
    dinero.authenticate(sandbox.clientId, wrong, sandbox.apiKey, sandbox.options()),
    dinero.AuthenticationError,
  );
  assert.equal(error.rejected, true);
  assert.match(error.message, /client/);
  sandbox.assertNoSecret(error.message + error.stack, wrong);
});

test('a broken token endpoint is unavailable, not rejected', async () => {
  await sandbox.fault({ kind: 'status', status: 503, count: 10, target: 'token' });
  const error = await expectError(sandbox.connect({ maxRetries: 0 }), dinero.AuthenticationError);
  assert.equal(error.status, dinero.Status.AUTH_UNAVAILABLE);
  assert.equal(error.rejected, false);
});

test('options accept camelCase or C keys, numbers, booleans, strings and URLs', async () => {
  const dir = tempDir();
  const client = await dinero.authenticate(sandbox.clientId, sandbox.clientSecret, sandbox.apiKey, {
    auth_url: new URL(sandbox.authUrl),
    apiUrl: sandbox.apiUrl,
    organization_id: Number(sandbox.organizationId),
    timeoutMs: 5000,
    maxRetries: 2,
    rateLimitPerMinute: 0,
    userAgent: 'node-test',
    tokenCache: new URL(`file://${dir}/token`),
    scope: undefined,
    caFile: null,
  });
  const organizations = await client.get('/v1/organizations');
  assert.equal(organizations[0].Id, Number(sandbox.organizationId));
  const [request] = (await sandbox.requests()).slice(-1);
  assert.match(request.headers['user-agent'], /^node-test libdinero\//);
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an unknown option names the valid ones', async () => {
  const error = await expectError(sandbox.connect({ colour: 'blue' }), dinero.InvalidArgumentError);
  assert.equal(error.status, dinero.Status.INVALID_ARGUMENT);
  assert.match(error.message, /colour/);
  assert.match(error.message, /organization_id/);
  assert.equal((await sandbox.stats()).token_requests, 0);
});

test('bad option values and types are invalid arguments', async () => {
  for (const bad of [{ maxRetries: 99 }, { timeoutMs: 'soon' }, { apiUrl: 'http://example.com' },
    { timeoutMs: Number.NaN }, { timeoutMs: {} }, { userAgent: ['x'] }, { scope: 'a\0b' }]) {
    await expectError(sandbox.connect(bad), dinero.InvalidArgumentError);
  }
  await expectError(dinero.authenticate('a', 'b', 'c', 'not an object'), dinero.InvalidArgumentError);
  assert.equal((await sandbox.stats()).token_requests, 0);
});

test('bad credential strings are refused before anything is sent', async () => {
  const cases = [
    [42, sandbox.clientSecret, sandbox.apiKey, dinero.Status.INVALID_ARGUMENT],
    [sandbox.clientId, 'se\0cret', sandbox.apiKey, dinero.Status.INVALID_ARGUMENT],
    [sandbox.clientId, sandbox.clientSecret, 'key\uD800', dinero.Status.INVALID_UTF8],
    [sandbox.clientId, sandbox.clientSecret, '', dinero.Status.INVALID_ARGUMENT],
    [sandbox.clientId, 'line\nbreak', sandbox.apiKey, dinero.Status.INVALID_ARGUMENT],
  ];
  for (const [id, secret, key, status] of cases) {
    const error = await expectError(dinero.authenticate(id, secret, key, sandbox.options()), dinero.InvalidArgumentError);
    assert.equal(error.status, status);
    sandbox.assertNoSecret(error.message, 'se\0cret', 'line\nbreak');
  }
  assert.equal((await sandbox.stats()).token_requests, 0);
});

test('connection refused is a NetworkError', async () => {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const error = await expectError(
    dinero.authenticate('id', 'secret-xyz', 'key-xyz', {
      authUrl: `http://127.0.0.1:${port}/token`, maxRetries: 0, connectTimeoutMs: 2000,
    }),
    dinero.NetworkError,
  );
  assert.equal(error.status, dinero.Status.NETWORK);
});

test('a slow token endpoint is a TimeoutError', async () => {
  await sandbox.fault({ kind: 'delay', delay_ms: 1500, count: 1, target: 'token' });
  const error = await expectError(sandbox.connect({ timeoutMs: 300, maxRetries: 0 }), dinero.TimeoutError);
  assert.equal(error.status, dinero.Status.TIMEOUT);
});

test('close is idempotent and use after close throws', async () => {
  const client = await sandbox.connect();
  await client.close();
  await client.close();
  client.close();
  assert.equal(client.closed, true);
  for (const call of [
    () => client.get('/v1/organizations'),
    () => client.request('GET', '/v1/organizations'),
    () => client.request('GET', '/v1/organizations', { params: { a: 1 } }),
    () => client.accessToken(),
    () => client.uploadFile(Buffer.from('x'), { fileName: 'x.txt' }),
    () => client.download('/v1/organizations'),
    () => client.paginate('/v1/{organizationId}/contacts').next(),
  ]) {
    const error = await expectError(call(), dinero.InvalidArgumentError);
    // As the library words it for Python's client (and C's, after dinero_client_close).
    assert.equal(error.message, 'the client is closed: it cannot be used any more');
    assert.equal(error.status, dinero.Status.INVALID_ARGUMENT);
  }
});

test('accessToken returns a token that is reused', async () => {
  const client = await sandbox.connect();
  const token = await client.accessToken();
  assert.equal(typeof token, 'string');
  assert.ok(token.length > 20);
  assert.ok((await client.accessToken()) === token, 'the same token again'); // a failure prints no token
  assert.equal((await sandbox.stats()).token_requests, 1);
  await client.close();
});

test('the async dispose symbol closes the client', async () => {
  const client = await sandbox.connect();
  const dispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');
  await client[dispose]();
  assert.equal(client.closed, true);
});

test('no secret reaches an error\'s text, stack or inspected form', async () => {
  for (const [secret, key] of [
    ['trace-secret-31f7', 'wrong-api-key-9d4c'], // refused by the token endpoint
    ['trace-secret-31f7', 'nul-api-key-\0-77b'], // refused before the call
    [Buffer.from('bytes-secret-5e2a'), 'wrong-api-key-9d4c'], // not a string
  ]) {
    const error = await expectError(dinero.authenticate(sandbox.clientId, secret, key, sandbox.options()), dinero.DineroError);
    const shown = [error.message, error.stack, util.inspect(error, { depth: 5, showHidden: true }), JSON.stringify(error)].join('\n');
    for (const part of ['trace-secr', 'bytes-secr', 'wrong-api-k', 'nul-api-key', 'Ynl0ZXMt']) {
      assert.ok(!shown.includes(part), `${part} is in the error`);
    }
  }
});

test('no error message held a secret', () => {
  assert.ok(seenMessages.length > 10);
  for (const message of seenMessages) sandbox.assertNoSecret(message);
});

test('an untrusted certificate is a TLSError; caFile makes it trusted', async () => {
  const { startSandbox: start, tempDir: temp } = await import('./helpers.js');
  const ca = `${temp()}/ca.pem`;
  const tls = await start('--rate-limit', '0', '--tls', '--ca-out', ca);
  try {
    assert.match(tls.apiUrl, /^https:/);
    const error = await expectError(tls.connect({ maxRetries: 0 }), dinero.TLSError);
    assert.equal(error.status, dinero.Status.TLS);
    assert.ok(error instanceof dinero.NetworkError);
    tls.assertNoSecret(error.message);
    const client = await tls.connect({ caFile: ca });
    assert.equal((await client.get('/v1/organizations'))[0].Id, Number(tls.organizationId));
    await client.close();
  } finally {
    tls.stop();
    fs.rmSync(path.dirname(ca), { recursive: true, force: true });
  }
});
