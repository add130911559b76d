// Many requests at once (Promise.all) on one client: they run in parallel on the library's own
// threads, a token expiry is handled with one token request for all of them, each failing call
// gets its own error message, and close() waits for the requests still in flight.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as dinero from '../src/index.js';
import fs from 'node:fs';
import { startSandbox, expectError } from './helpers.js';
import { maxThreads } from '../src/runtime.js';

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0');
  client = await sandbox.connect();
});
after(async () => {
  await client.close();
  sandbox.stop();
});
beforeEach(() => sandbox.reset());

/** The library's threads in this process (named dinero-async; idle ones live on 30 s). */
function backgroundThreads() {
  return fs.readdirSync('/proc/self/task')
    .filter((task) => fs.readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'dinero-async')
    .length;
}

test('requests run in parallel off the main thread', async () => {
  await sandbox.fault({ kind: 'delay', delay_ms: 600, count: 4 });
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 20);
  const statuses = await Promise.all([1, 2, 3, 4].map(async () => {
    const response = await client.request('GET', '/v1/organizations');
    response.close();
    return response.status;
  }));
  clearInterval(timer);
  assert.deepEqual(statuses, [200, 200, 200, 200]);
  const stats = await sandbox.stats();
  assert.equal(stats.peak_in_flight, 4, 'the sandbox had all four requests at once: not parallel');
  assert.ok(ticks > 0, 'no timer ran while the requests waited: the event loop was blocked');
});

test('a token expiry across many concurrent requests makes one token request', async () => {
  await client.get('/v1/organizations'); // the current token works
  await sandbox.reset();
  await sandbox.admin('POST', '/tokens/expire');
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (
    i % 2 ? client.get('/v1/organizations') : client.get('/v1/{organizationId}/contacts', { params: { pageSize: 1 } })
  )));
  assert.equal(results.length, 40);
  const stats = await sandbox.stats();
  assert.equal(stats.token_requests, 1, JSON.stringify(stats));
  assert.equal(stats.tokens_issued, 1);
  assert.equal(stats.api_requests - (stats.responses['401'] ?? 0), 40);
  assert.ok(backgroundThreads() > 1, 'the library used more than one thread');
});

test('three server-side expiries during a burst make three token requests', async () => {
  for (let round = 0; round < 3; round++) {
    await sandbox.admin('POST', '/tokens/expire');
    await Promise.all(Array.from({ length: 16 }, () => client.get('/v1/organizations')));
  }
  const stats = await sandbox.stats();
  assert.equal(stats.token_requests, 3, JSON.stringify(stats));
  assert.ok((stats.responses['401'] ?? 0) >= 3);
});

test('each concurrent failure carries its own message', async () => {
  const calls = [];
  for (let i = 0; i < 60; i++) {
    calls.push(i % 3 === 0 ? client.request('FETCH', '/v1/organizations')
      : i % 3 === 1 ? client.request('GET', '/v1/organizations?q=a b')
        : client.request('GET', '/v1/organizations'));
  }
  const settled = await Promise.allSettled(calls);
  const messages = [new Set(), new Set()];
  settled.forEach((result, i) => {
    if (i % 3 === 2) {
      assert.equal(result.status, 'fulfilled');
      result.value.close();
      return;
    }
    assert.equal(result.status, 'rejected');
    assert.ok(result.reason instanceof dinero.InvalidArgumentError);
    messages[i % 3].add(result.reason.message);
  });
  assert.equal(messages[0].size, 1);
  assert.equal(messages[1].size, 1);
  assert.match([...messages[0]][0], /FETCH/);
  assert.notEqual([...messages[0]][0], [...messages[1]][0]);
  assert.ok([...messages[1]][0].length > 0);
});

test('concurrent authentications with different failures keep their messages apart', async () => {
  const good = sandbox.connect();
  const badKey = dinero.authenticate(sandbox.clientId, sandbox.clientSecret, 'wrong-key', sandbox.options());
  const badSecret = dinero.authenticate(sandbox.clientId, 'wrong-secret', sandbox.apiKey, sandbox.options());
  const [ok, key, secret] = await Promise.allSettled([good, badKey, badSecret]);
  assert.equal(ok.status, 'fulfilled');
  await ok.value.close();
  assert.equal(key.reason.message, 'token endpoint rejected the API key (400 invalid_grant)');
  assert.ok(secret.reason instanceof dinero.AuthenticationError);
  assert.notEqual(secret.reason.message, key.reason.message);
});

test('close() waits for requests in flight, then frees the client', async () => {
  const own = await sandbox.connect();
  await sandbox.fault({ kind: 'delay', delay_ms: 1500 });
  const pending = own.request('GET', '/v1/organizations');
  await new Promise((resolve) => setTimeout(resolve, 150));
  let freed = false;
  const closed = own.close().then(() => { freed = true; }); // not under the running request
  assert.equal(own.closed, true);
  await expectError(own.get('/v1/organizations'), dinero.InvalidArgumentError);
  await new Promise((resolve) => setTimeout(resolve, 100)); // the request still has > 1 s to go
  assert.equal(freed, false, 'the client was freed while a request still used it');
  const response = await pending;
  assert.equal(response.status, 200);
  response.close();
  await closed;
});

test('no more than DINERO_NODE_THREADS (default 8) calls run at once', async () => {
  await sandbox.fault({ kind: 'delay', delay_ms: 150, count: 16 });
  await Promise.all(Array.from({ length: 16 }, () => client.get('/v1/organizations')));
  assert.equal((await sandbox.stats()).peak_in_flight, 8, 'eight at a time, never more');
  assert.ok(backgroundThreads() <= 8);
});

test('DINERO_NODE_THREADS is read strictly: a value that is not a whole number is not guessed at', async () => {
  const warned = [];
  const listener = (warning) => warned.push(warning.message);
  process.on('warning', listener);
  try {
    assert.deepEqual(['4', ' 16 ', '100', '', undefined].map((v) => maxThreads({ DINERO_NODE_THREADS: v })), [4, 16, 64, 8, 8]);
    assert.deepEqual(['1e3', '4abc', '3.9', '0', '-2'].map((v) => maxThreads({ DINERO_NODE_THREADS: v })), [8, 8, 8, 8, 8]);
    await new Promise((resolve) => setImmediate(resolve)); // warnings come on the next tick
    assert.equal(warned.filter((m) => m.includes('DINERO_NODE_THREADS')).length, 5, 'one for each value refused');
  } finally {
    process.off('warning', listener);
  }
});
