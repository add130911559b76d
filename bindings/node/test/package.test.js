// The package surface: exports, versions, statusStr, the library lookup order, garbage
// collection as a last resort, and the example against the sandbox.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dinero from '../src/index.js';
import { candidates, ENV_VAR } from '../src/library.js';
import { REPO, startSandbox } from './helpers.js';

const run = promisify(execFile);
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INDEX = path.join(PACKAGE, 'src', 'index.js');

let sandbox;
before(async () => { sandbox = await startSandbox('--rate-limit', '0'); });
after(() => sandbox.stop());

/** Runs an ES module snippet in a fresh node with `env` on top of this one's. */
async function node(code, env = {}, flags = []) {
  const merged = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  return run(process.execPath, [...flags, '--input-type=module', '-e', code], { env: merged, cwd: PACKAGE });
}

test('the package exports the documented surface', async () => {
  const names = Object.keys(dinero).sort();
  assert.deepEqual(names, [
    'ApiError', 'AuthenticationError', 'Client', 'DineroError', 'FileError', 'Headers',
    'InvalidArgumentError', 'LibraryNotFoundError', 'LogLevel', 'LoginRequiredError', 'MAX_UPLOAD_BYTES',
    'NetworkError', 'ProtocolError', 'Response', 'ResponseTooLargeError', 'Status', 'TLSError', 'TimeoutError',
    'authenticate', 'connectAuthenticate', 'connectAuthenticateCode', 'connectAuthorizeUrl',
    'libraryPath', 'libraryVersion', 'statusStr', 'version',
  ]);
  const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(PACKAGE, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'libdinero');
  assert.equal(pkg.version, dinero.version);
  assert.equal(pkg.types, './index.d.ts');
  const self = await import('libdinero'); // the package's own exports map
  assert.equal(self.authenticate, dinero.authenticate);
});

test('versions and status names come from the library', () => {
  assert.equal(dinero.libraryVersion(), dinero.version);
  assert.equal(dinero.statusStr(dinero.Status.AUTH_REJECTED), 'authentication rejected');
  assert.equal(dinero.statusStr(0), 'ok');
  assert.equal(dinero.statusStr(999), 'unknown status');
  assert.throws(() => dinero.statusStr(-1), TypeError);
  assert.throws(() => dinero.statusStr('4'), TypeError);
});

test('every error class has its place in the hierarchy', () => {
  const { Status } = dinero;
  const cases = [
    [dinero.InvalidArgumentError, Status.INVALID_ARGUMENT], [dinero.AuthenticationError, Status.AUTH_REJECTED],
    [dinero.NetworkError, Status.NETWORK], [dinero.TLSError, Status.TLS], [dinero.ProtocolError, Status.PROTOCOL],
    [dinero.ResponseTooLargeError, Status.RESPONSE_TOO_LARGE], [dinero.TimeoutError, Status.TIMEOUT],
    [dinero.FileError, Status.IO], [dinero.DineroError, Status.PANIC],
  ];
  for (const [Class, status] of cases) {
    const error = new Class('message', status);
    assert.ok(error instanceof dinero.DineroError && error instanceof Error);
    assert.equal(error.name, Class.name);
    assert.equal(error.status, status);
  }
  for (const Class of [dinero.TLSError, dinero.ProtocolError, dinero.ResponseTooLargeError]) {
    assert.ok(new Class('m', 0) instanceof dinero.NetworkError);
  }
  const file = new dinero.FileError('cannot read /x: No such file or directory (os error 2)');
  assert.deepEqual([file.errno, file.code, file.status], [2, 'ENOENT', Status.IO]);
  assert.equal(new dinero.AuthenticationError('m', Status.AUTH_UNAVAILABLE).rejected, false);
  const api = new dinero.ApiError(418, Buffer.from('x'), { message: 'teapot' });
  assert.ok(api instanceof dinero.DineroError);
  assert.equal(api.message, 'HTTP 418: teapot');
});

test('DINERO_LIBRARY, when set, is the only candidate', () => {
  assert.deepEqual(candidates({ [ENV_VAR]: '/opt/x/libdinero.so' }), ['/opt/x/libdinero.so']);
  const order = candidates({});
  assert.equal(order[0], path.join(PACKAGE, 'lib', 'libdinero.so'));
  assert.equal(order[1], path.join(REPO, 'target', 'release', 'libdinero.so'));
  assert.deepEqual(order.slice(-2), ['libdinero.so.0', 'libdinero.so']);
});

test('target/release is looked in only in a checkout, and only when safe', () => {
  // The same cases as the Python and PHP bindings' tests of the lookup (docs/design.md).
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'libdinero-lookup-'));
  try {
    const pkg = path.join(root, 'node_modules', 'libdinero');
    const release = path.join(root, 'target', 'release');
    const planted = path.join(release, 'libdinero.so');
    fs.mkdirSync(pkg, { recursive: true });
    fs.mkdirSync(release, { recursive: true });
    fs.writeFileSync(planted, '');
    for (const p of [root, path.join(root, 'target'), release, planted]) fs.chmodSync(p, 0o755);
    assert.ok(!candidates({}, pkg).includes(planted), 'not a checkout: never looked in');
    fs.mkdirSync(path.join(root, 'include'));
    fs.writeFileSync(path.join(root, 'include', 'dinero.h'), '');
    fs.writeFileSync(path.join(root, 'Cargo.toml'), '');
    assert.deepEqual(candidates({}, pkg), [path.join(pkg, 'lib', 'libdinero.so'), planted, 'libdinero.so.0', 'libdinero.so']);
    fs.chmodSync(release, 0o777);
    assert.ok(!candidates({}, pkg).includes(planted), 'a folder others may write is skipped');
    fs.chmodSync(release, 0o755);
    fs.chmodSync(planted, 0o666);
    assert.ok(!candidates({}, pkg).includes(planted), 'a file others may write is skipped');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a wrong DINERO_LIBRARY is a LibraryNotFoundError, with no fall-back', async () => {
  const code = `import * as d from ${JSON.stringify(INDEX)};
    try { d.libraryVersion(); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
  const { stdout } = await node(code, { DINERO_LIBRARY: '/nonexistent/libdinero.so' });
  assert.match(stdout, /^LibraryNotFoundError: cannot load libdinero \(DINERO_LIBRARY is set/);
  assert.match(stdout, /\/nonexistent\/libdinero.so: no such file/);
  assert.ok(!stdout.includes('target/release'));
});

test('without DINERO_LIBRARY the repository\'s target/release is found', async () => {
  const code = `import * as d from ${JSON.stringify(INDEX)}; console.log(d.libraryPath());`;
  const { stdout } = await node(code, { DINERO_LIBRARY: undefined });
  assert.equal(stdout.trim(), path.join(REPO, 'target', 'release', 'libdinero.so'));
});

test('garbage collection frees a forgotten client and its log callback', async () => {
  const code = `
    import koffi from 'koffi';
    import * as d from ${JSON.stringify(INDEX)};
    d.libraryVersion(); // loads the library, which registers its one callback for outcomes
    const before = koffi.stats().callbacks;
    let client = await d.authenticate(${JSON.stringify(sandbox.clientId)}, ${JSON.stringify(sandbox.clientSecret)},
      ${JSON.stringify(sandbox.apiKey)}, { ...${JSON.stringify(sandbox.options())}, logger: () => {} });
    let response = await client.request('GET', '/v1/organizations');
    const during = koffi.stats().callbacks;
    client = null; response = null;
    for (let i = 0; i < 50 && koffi.stats().callbacks !== before; i++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    console.log(before, during, koffi.stats().callbacks);`;
  const { stdout } = await node(code, {}, ['--expose-gc']);
  const [before, during, afterGc] = stdout.trim().split(' ').map(Number);
  assert.equal(during, before + 1);
  assert.equal(afterGc, before);
});

test('the example runs against the sandbox', async () => {
  const { stdout, stderr } = await run(process.execPath, [path.join(REPO, 'examples', 'node', 'personal_integration.mjs')], {
    env: { ...process.env, ...sandbox.settings },
  });
  assert.match(stdout, /access token: \d+ characters \(not shown\)/);
  assert.match(stdout, /second authenticate\(\): the same token, no new exchange/);
  assert.match(stdout, /Børge Lund/);
  assert.match(stdout, /ApiError HTTP 400, Dinero code 42/);
  assert.match(stdout, /\ndone\n/);
  sandbox.assertNoSecret(stdout + stderr);
  const missing = await run(process.execPath, [path.join(REPO, 'examples', 'node', 'personal_integration.mjs')], {
    env: { PATH: process.env.PATH },
  }).catch((error) => error);
  assert.equal(missing.code, 2);
});

test('index.d.ts declares every runtime export', async () => {
  const fs = await import('node:fs/promises');
  const declarations = await fs.readFile(path.join(PACKAGE, 'index.d.ts'), 'utf8');
  const declared = new Set([...declarations.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), Object.keys(dinero).sort());
});
