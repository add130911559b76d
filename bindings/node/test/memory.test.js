// A long loop keeps memory flat: responses (read, decoded, or an ApiError's), tokens, refused
// calls and uploads are all freed, on the library's threads as well as the caller's. Native
// memory shows in the process's RSS, not in V8's heap, so that is what is measured, after a
// garbage collection at both ends (the handles' finalizers run then too).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as dinero from '../src/index.js';
import { startSandbox } from './helpers.js';

const REQUESTS = Number(process.env.DINERO_MEMORY_REQUESTS ?? 20000);
// As many at a time as measured, and long: the allocator's arenas for the library's threads
// grow for some 40,000 requests (to about 30 MiB more) before they level off, and that must
// happen before the measure. A leak of the responses alone then adds over 20 MiB, the
// baseline a few.
const WARM_UP = Number(process.env.DINERO_MEMORY_WARM_UP ?? 40000);
const CONCURRENCY = 4;
const BOUND_MIB = 12;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let sandbox;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0');
});
after(() => sandbox.stop());

async function settledRssMib() {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().rss / 2 ** 20;
}

async function work(client, count) {
  for (let i = 0; i < count; i += 1) {
    const response = await client.request('GET', '/v1/{organizationId}/contacts', { params: { pageSize: 2 } });
    assert.equal(response.status, 200);
    response.header('Content-Type');
    response.json();
    response.close();
    if (i % 50 === 0) {
      await client.accessToken();
      await client.get('/v1/{organizationId}/nothing/here/at/all').catch((error) => assert.ok(error instanceof dinero.ApiError));
      await client.request('FETCH', '/x').catch((error) => assert.ok(error instanceof dinero.InvalidArgumentError));
      await client.uploadFile(Buffer.from('%PDF-1.4\n\0'.repeat(100)), { fileName: 'memory.pdf' });
    }
  }
}

test('memory stays flat over many requests', async () => {
  const client = await sandbox.connect();
  try {
    const inParallel = async (count) => {
      await Promise.all(Array.from({ length: CONCURRENCY }, () => work(client, Math.floor(count / CONCURRENCY))));
    };
    await inParallel(WARM_UP);
    const beforeMib = await settledRssMib();
    const perWorker = Math.floor(REQUESTS / CONCURRENCY);
    await inParallel(REQUESTS);
    const afterMib = await settledRssMib();
    const growth = afterMib - beforeMib;
    console.log(`[memory] ${perWorker * CONCURRENCY} requests, ${CONCURRENCY} at a time, after ${WARM_UP} warm-up: RSS ${beforeMib.toFixed(1)} -> ${afterMib.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MiB)`);
    assert.ok(growth < BOUND_MIB, `RSS grew ${growth.toFixed(1)} MiB over ${REQUESTS} requests`);
  } finally {
    await client.close();
  }
});
