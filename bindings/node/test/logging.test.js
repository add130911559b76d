// The `logger` option (dinero_options_set_log_callback): lines from requests made on library
// threads reach the logger on the main thread, at the chosen level, never with a secret; a
// failing logger never breaks a request; the callback is released with its client.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread } from 'node:worker_threads';
import koffi from 'koffi';
import * as dinero from '../src/index.js';
import { startSandbox, expectError } from './helpers.js';

const CONTACTS = '/v1/{organizationId}/contacts';
let sandbox;
before(async () => { sandbox = await startSandbox('--rate-limit', '0'); });
after(() => sandbox.stop());
beforeEach(() => sandbox.reset());

function collector() {
  const lines = [];
  const logger = (level, message) => {
    lines.push({ level, message, main: isMainThread });
  };
  return { lines, logger, at: (level) => lines.filter((l) => l.level === level).map((l) => l.message) };
}

test('requests, retries and tokens are logged, on the main thread', async () => {
  const { lines, logger, at } = collector();
  const client = await sandbox.connect({ logger, logLevel: 'debug', maxRetries: 2 });
  assert.ok(at('info').some((m) => m.startsWith('new token from the token endpoint (lifetime ')), JSON.stringify(lines));
  lines.length = 0;

  await client.get(CONTACTS, { params: { fields: 'Name', queryFilter: "Name eq 'secret-ish'" } });
  assert.ok(at('info').some((m) => m.startsWith(`GET /v1/${sandbox.organizationId}/contacts -> 200 (attempt 1, `) && m.endsWith(' ms)')), JSON.stringify(lines));
  assert.ok(!lines.some((l) => l.message.includes('queryFilter') || l.message.includes('secret-ish')), 'the query was logged');
  lines.length = 0;

  await sandbox.fault({ kind: 'status', status: 503, count: 1 });
  const response = await client.request('GET', '/v1/organizations');
  assert.equal(response.status, 200);
  response.close();
  assert.ok(at('warn').some((m) => m.startsWith('GET /v1/organizations -> 503 (attempt 1, ') && m.includes('; retrying in ')), JSON.stringify(lines));
  assert.ok(at('info').some((m) => m.startsWith('GET /v1/organizations -> 200 (attempt 2, ')));
  assert.ok(lines.every((l) => l.main), 'a logger ran off the main thread');
  await client.close();
});

test('a console-like logger gets each level on its own method', async () => {
  const calls = [];
  const logger = Object.fromEntries(['error', 'warn', 'info', 'debug'].map((m) => [m, (message) => calls.push([m, message])]));
  const client = await sandbox.connect({ logger, maxRetries: 0 });
  await sandbox.admin('POST', '/tokens/revoke');
  await sandbox.fault({ kind: 'status', status: 503, count: 5, target: 'token' });
  await expectError(client.get('/v1/organizations'), dinero.AuthenticationError);
  assert.ok(calls.some(([m]) => m === 'info'));
  assert.ok(calls.some(([m]) => m === 'warn'), JSON.stringify(calls));
  assert.ok(calls.some(([m]) => m === 'error'), JSON.stringify(calls));
  await client.close();
});

test('logLevel chooses the detail; off installs nothing', async () => {
  const warnOnly = collector();
  const client = await sandbox.connect({ logger: warnOnly.logger, logLevel: 'warn' });
  await client.get('/v1/organizations');
  await sandbox.fault({ kind: 'status', status: 503, count: 1 });
  await client.get('/v1/organizations');
  assert.deepEqual([...new Set(warnOnly.lines.map((l) => l.level))], ['warn']);
  await client.close();

  const off = collector();
  const before = koffi.stats().callbacks;
  const silent = await sandbox.connect({ logger: off.logger, logLevel: 'off' });
  await silent.get('/v1/organizations');
  assert.equal(off.lines.length, 0);
  assert.equal(koffi.stats().callbacks, before);
  await silent.close();

  // The library reads the names for every binding: PHP's syslog ones and 'none' work here too.
  const syslog = collector();
  const warning = await sandbox.connect({ logger: syslog.logger, logLevel: 'WARNING' });
  await sandbox.fault({ kind: 'status', status: 503, count: 1 });
  await warning.get('/v1/organizations');
  assert.deepEqual([...new Set(syslog.lines.map((l) => l.level))], ['warn']);
  await warning.close();
  const none = await sandbox.connect({ logger: off.logger, logLevel: 'none' });
  assert.equal(koffi.stats().callbacks, before);
  await none.close();

  const numeric = collector();
  const errorsOnly = await sandbox.connect({ logger: numeric.logger, logLevel: dinero.LogLevel.ERROR });
  await errorsOnly.get('/v1/organizations');
  assert.equal(numeric.lines.length, 0);
  await errorsOnly.close();
});

test('a bad logLevel or logger is an InvalidArgumentError', async () => {
  for (const options of [{ logger: () => {}, logLevel: 'loud' }, { logger: () => {}, logLevel: 9 },
    { logLevel: {} }, { logger: 42 }, { logger: {} }]) {
    await expectError(sandbox.connect(options), dinero.InvalidArgumentError);
  }
  assert.equal((await sandbox.stats()).token_requests, 0);
});

test('no log line holds a secret or the token', async () => {
  const { lines, logger } = collector();
  const client = await sandbox.connect({ logger, logLevel: 'debug' });
  const token = await client.accessToken();
  await sandbox.admin('POST', '/tokens/revoke');
  await client.get('/v1/organizations');
  await dinero.authenticate(sandbox.clientId, sandbox.clientSecret, 'wrong-key-123', sandbox.options({ logger, logLevel: 'debug' })).catch(() => {});
  assert.ok(lines.length >= 4);
  for (const { message } of lines) sandbox.assertNoSecret(message, token, 'wrong-key-123');
  await client.close();
});

test('a throwing logger does not break requests', async () => {
  let calls = 0;
  const client = await sandbox.connect({ logger: () => { calls++; throw new Error('logger broke'); } });
  const results = await Promise.all(Array.from({ length: 10 }, () => client.get('/v1/organizations')));
  assert.equal(results.length, 10);
  assert.ok(calls >= 10);
  await client.close();
});

test('concurrent requests all log; the callback is released with its client', async () => {
  const before = koffi.stats().callbacks;
  const { lines, logger } = collector();
  const client = await sandbox.connect({ logger });
  assert.equal(koffi.stats().callbacks, before + 1);
  await Promise.all(Array.from({ length: 20 }, () => client.get('/v1/organizations')));
  assert.equal(lines.filter((l) => l.message.startsWith('GET /v1/organizations -> 200')).length, 20);
  await client.close();
  assert.equal(koffi.stats().callbacks, before);
  // a failed authenticate releases its callback too
  await expectError(dinero.authenticate(sandbox.clientId, sandbox.clientSecret, 'nope', sandbox.options({ logger })), dinero.AuthenticationError);
  assert.equal(koffi.stats().callbacks, before);
});

// A library thread that logs waits for the main thread; at exit the main thread never comes back.
// These run in a child process: it must end with its own exit code, without hanging.
async function exitingChild(ending) {
  const { execFile } = await import('node:child_process');
  const index = new URL('../src/index.js', import.meta.url).pathname;
  const code = `
    import * as d from ${JSON.stringify(index)};
    const client = await d.authenticate(${JSON.stringify(sandbox.clientId)}, ${JSON.stringify(sandbox.clientSecret)},
      ${JSON.stringify(sandbox.apiKey)}, { ...${JSON.stringify(sandbox.options())}, logger: () => {} });
    await fetch(${JSON.stringify(sandbox.apiUrl)} + '/_sandbox/faults', { method: 'POST',
      body: JSON.stringify({ kind: 'delay', delay_ms: 800, count: 4 }) });
    for (let i = 0; i < 4; i++) client.get('/v1/organizations').catch(() => {});
    process.on('exit', (code) => console.log('later exit listener ran with', code));
    setTimeout(() => { ${ending} }, 200);`;
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 15000 }, (error, stdout, stderr) => {
      resolve({ code: error?.code ?? 0, killed: error?.killed ?? false, stdout, stderr, elapsed: Date.now() - started });
    });
  });
}

test('process.exit() with requests in flight and a logger does not hang', async () => {
  const result = await exitingChild('process.exit(3);');
  assert.equal(result.killed, false, 'the child hung at exit');
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /later exit listener ran with 3/);
  await sandbox.reset();
});

test('an uncaught exception with requests in flight and a logger does not hang', async () => {
  const result = await exitingChild("throw new Error('boom');");
  assert.equal(result.killed, false, 'the child hung at exit');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Error: boom/);
  await sandbox.reset();
});
