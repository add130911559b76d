// A real dinero-sandbox process for the tests: started with `--port 0 --env-file`, its DINERO_*
// settings read from the env file, killed at the end. Its admin API (/_sandbox/...) is reached
// with fetch. The binary: DINERO_SANDBOX, else the repository's target/debug, else
// target/release.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import * as dinero from '../src/index.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function sandboxBinary() {
  if (process.env.DINERO_SANDBOX) return process.env.DINERO_SANDBOX;
  for (const profile of ['debug', 'release']) {
    const candidate = path.join(REPO, 'target', profile, 'dinero-sandbox');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('no dinero-sandbox: build it or set DINERO_SANDBOX');
}

export function tempDir(prefix = 'dinero-node-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export class Sandbox {
  constructor(child, settings, dir) {
    this.child = child;
    this.settings = settings;
    this.dir = dir;
    this.apiUrl = settings.DINERO_API_URL;
    this.authUrl = settings.DINERO_AUTH_URL;
    this.clientId = settings.DINERO_CLIENT_ID;
    this.clientSecret = settings.DINERO_CLIENT_SECRET;
    this.apiKey = settings.DINERO_API_KEY;
    this.organizationId = settings.DINERO_ORGANIZATION_ID;
  }

  options(overrides = {}) {
    return {
      authUrl: this.authUrl,
      apiUrl: this.apiUrl,
      organizationId: this.organizationId,
      rateLimitPerMinute: 0,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 50,
      ...overrides,
    };
  }

  connect(overrides = {}) {
    return dinero.authenticate(this.clientId, this.clientSecret, this.apiKey, this.options(overrides));
  }

  async admin(method, adminPath, body) {
    const answer = await fetch(`${this.apiUrl}/_sandbox${adminPath}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`sandbox admin ${method} ${adminPath}: ${answer.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  stats() {
    return this.admin('GET', '/stats');
  }

  requests() {
    return this.admin('GET', '/requests');
  }

  fault(fault) {
    return this.admin('POST', '/faults', fault);
  }

  async reset() {
    await this.admin('DELETE', '/faults');
    await this.admin('POST', '/reset-stats');
  }

  async routeCount(route) {
    return (await this.stats()).routes[route] ?? 0;
  }

  /** Fails (without printing it) if a secret of this sandbox or an extra one appears in `text`. */
  assertNoSecret(text, ...extra) {
    for (const secret of [this.clientSecret, this.apiKey, ...extra]) {
      if (!secret || String(text).includes(secret)) {
        assert.fail('a secret leaked into a message');
      }
    }
  }

  stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a sandbox with distinctive credentials (so that a leak check cannot be fooled by the
 *  default secret "dinero" inside the word "libdinero") and extra `flags`. */
export async function startSandbox(...flags) {
  const dir = tempDir('dinero-sandbox-');
  const envFile = path.join(dir, 'sandbox.env');
  const out = fs.openSync(path.join(dir, 'sandbox.out'), 'w');
  const secrets = ['--client-secret', `sec-${randomUUID()}`, '--api-key', `key-${randomUUID()}`];
  const child = spawn(sandboxBinary(), ['--port', '0', '--env-file', envFile, ...secrets, ...flags], {
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const deadline = Date.now() + 15000;
  while (!fs.existsSync(envFile)) {
    if (child.exitCode !== null) {
      throw new Error(`dinero-sandbox exited with ${child.exitCode}: ${fs.readFileSync(path.join(dir, 'sandbox.out'), 'utf8')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('dinero-sandbox did not write its env file within 15 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const settings = {};
  for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) settings[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  child.unref();
  return new Sandbox(child, settings, dir);
}

/** Resolves to the error `promise` rejects with; fails if it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

/** Every error message a test saw, for the final no-secret check of each file. */
export const seenMessages = [];

export async function expectError(promise, Class, check = () => {}) {
  const error = await rejection(promise);
  seenMessages.push(String(error?.message ?? error));
  assert.ok(error instanceof Class, `expected ${Class.name}, got ${error?.name}: ${error?.message}`);
  assert.ok(error instanceof dinero.DineroError);
  check(error);
  return error;
}
