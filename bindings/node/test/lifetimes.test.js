// What ends while a call is still running: a worker terminated mid-call (the process lives on),
// a client closed during a download that saves to a file (the download finishes), and a client
// closed while a list is half read (its connections close at once).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSandbox, tempDir } from './helpers.js';

let sandbox;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0');
});
after(() => sandbox.stop());

/** Runs `code` (an ES module) in a child process: what it printed and how it ended. */
async function child(code) {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 30000 }, (error, stdout, stderr) => {
      resolve({ code: error?.code ?? 0, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

test('a worker terminated while its call runs does not take the process with it', async () => {
  const index = new URL('../src/index.js', import.meta.url).pathname;
  const settings = JSON.stringify({
    id: sandbox.clientId, secret: sandbox.clientSecret, key: sandbox.apiKey, options: sandbox.options(),
  });
  const result = await child(`
    import { Worker } from 'node:worker_threads';
    await fetch(${JSON.stringify(sandbox.apiUrl)} + '/_sandbox/faults', { method: 'POST',
      body: JSON.stringify({ kind: 'delay', delay_ms: 700, count: 1, path_contains: '/organizations' }) });
    const worker = new Worker(\`
      import * as d from ${JSON.stringify(index)};
      import { parentPort, workerData as o } from 'node:worker_threads';
      const c = await d.authenticate(o.id, o.secret, o.key, o.options);
      c.get('/v1/organizations').catch(() => {});
      parentPort.postMessage('started');\`, { eval: true, workerData: ${settings} });
    await new Promise((resolve) => worker.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    console.log('the process lives on');`);
  assert.equal(result.signal, null, `the process was killed: ${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /the process lives on/);
});

test('a download that saves to a file finishes though its client is closed meanwhile', async () => {
  const client = await sandbox.connect();
  const dir = tempDir();
  const target = path.join(dir, 'contacts.json');
  await sandbox.fault({ kind: 'delay', delay_ms: 400, count: 1, path_contains: '/contacts' });
  const download = client.download('/v1/{organizationId}/contacts', { saveTo: target });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closed = client.close();
  const body = await download;
  await closed;
  assert.deepEqual(fs.readFileSync(target), body);
  assert.match(body.toString(), /Collection/);
  fs.rmSync(dir, { recursive: true });
});

/** Open connections to `port` on this machine, as the kernel lists them (client sides only). */
function connectionsTo(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(1) : []))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2]?.endsWith(hex) && fields[3] === '01').length;
}

test('closing a client while a list is half read closes its connection at once', async () => {
  const own = await startSandbox('--rate-limit', '0'); // no connection to it but this client's
  const port = Number(new URL(own.apiUrl).port);
  const client = await own.connect();
  const pages = client.paginate('/v1/{organizationId}/contacts', { pageSize: 1 });
  await pages.next();
  assert.equal(connectionsTo(port), 1);
  await client.close();
  const deadline = Date.now() + 10000;
  while (connectionsTo(port) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const left = connectionsTo(port); // counted before the sandbox stops, which closes them all
  own.stop();
  assert.equal(left, 0, 'the client\'s connection is still open');
});
