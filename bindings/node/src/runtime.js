// The library as the main thread sees it: loaded once, on first use, with the pool of threads
// that make the blocking calls.

import { bind } from './native.js';
import { loadFirst } from './library.js';
import { Pool } from './pool.js';
import { fromStatus } from './errors.js';
import { liveCallbacks } from './log.js';
import fs from 'node:fs';
import { inspect } from 'node:util';
import koffi from 'koffi';

let state = null;

/** {native, pool}: the library bound on the main thread, and the worker pool (same path). */
export function runtime() {
  if (state === null) {
    const { path, value } = loadFirst((name) => bind(name));
    state = { native: value, pool: new Pool(path) };
  }
  return state;
}

export function native() {
  return runtime().native;
}

/** Calls the C function `name` here, on the main thread (for calls that never block) and
 *  returns its outputs, as offThread does; throws the matching error if it failed. */
export function callHere(name, args) {
  const result = native().call(name, args);
  if (result.status !== 0) throw fromStatus(result.status, result.message);
  return result.outputs;
}

/** Calls the C function `name` on the pool and resolves to its outputs: `args` holds a
 *  one-element array for each output parameter. Throws the failing call's own error. */
export async function offThread(name, args, transfer = []) {
  const result = await runtime().pool.run(name, args, transfer);
  if (result.status !== 0) throw fromStatus(result.status, result.message);
  return result.outputs;
}

let guarded = false;

/**
 * Keeps a process with a logger from hanging at exit. A pool thread that logs waits until the
 * main thread has run the logger (koffi relays the call to the main thread's event loop). When
 * the process exits (process.exit(), an uncaught exception) while a call is still running,
 * that event loop never runs again, and Node waits for the worker thread before exiting: a
 * deadlock. So when a logger is installed and a call is running at exit, this 'exit' listener
 * runs the listeners registered after it (and prints an uncaught exception, which Node would
 * print after them), then ends the process at once with libc's _exit() and the same exit code,
 * as the process was going to.
 */
export function guardExit() {
  if (guarded || process.platform === 'win32') return;
  guarded = true;
  let exit;
  try {
    exit = koffi.load(null).func('void _exit(int status)');
  } catch {
    return; // no _exit in this process: nothing better to do than the default
  }
  let uncaught = null;
  process.on('uncaughtExceptionMonitor', (error) => {
    // Only a fatal one: with an 'uncaughtException' handler the process goes on.
    if (process.listenerCount('uncaughtException') === 0) uncaught = error;
  });
  const listener = (code) => {
    if (liveCallbacks() === 0 || state === null || !state.pool.busy) return;
    if (uncaught !== null) {
      // Node prints an uncaught exception after the 'exit' listeners: print it now instead.
      try {
        const text = uncaught instanceof Error ? uncaught.stack ?? String(uncaught) : inspect(uncaught);
        fs.writeSync(2, `${text}\n\nNode.js ${process.version}\n`);
      } catch {
        // stderr is gone: nothing to do
      }
    }
    const listeners = process.listeners('exit');
    for (const later of listeners.slice(listeners.indexOf(listener) + 1)) {
      try {
        later.call(process, code);
      } catch {
        // as Node would, keep going
      }
    }
    exit(typeof code === 'number' ? code : Number(process.exitCode ?? 0) || 0);
  };
  process.on('exit', listener);
}
