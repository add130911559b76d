// The library as the main thread sees it: loaded once, on first use. Blocking calls run on the
// library's own threads (its dinero_*_async functions); each outcome comes back through one
// registered callback, which koffi runs on this thread's event loop. In a worker, they run on
// the worker's own thread instead (see onThisThread).

import koffi from 'koffi';
import { isMainThread } from 'node:worker_threads';
import { bind } from './native.js';
import { loadFirst } from './library.js';
import { fromStatus } from './errors.js';

let state = null;

/** How many blocking calls may run at once: DINERO_NODE_THREADS (1-64, more is 64), default 8.
 *  A value that is not a whole number of at least 1 ("1e3", "4abc", "3.9") is not guessed at:
 *  the default, with a warning that names it. */
export function maxThreads(env = process.env) {
  const text = env.DINERO_NODE_THREADS?.trim();
  if (text === undefined || text === '') return 8;
  if (/^\d+$/.test(text) && Number(text) >= 1) return Math.min(Number(text), 64);
  process.emitWarning(`libdinero: DINERO_NODE_THREADS=${JSON.stringify(text)} is not a whole number from 1 to 64; using 8`);
  return 8;
}

/** The library bound on the main thread (loaded on first use). */
export function native() {
  if (state === null) {
    const { value } = loadFirst((name) => bind(name));
    value.fn.dinero_background_set_threads(maxThreads());
    state = value;
    // One callback for every call's outcome, for the life of the process.
    done = koffi.register(finish, value.types.callbacks.dinero_done_callback);
  }
  return state;
}

/** Calls the C function `name` here, on the main thread (for calls that never block) and
 *  returns its outputs (each output parameter a one-element array in `args`); throws the
 *  matching error if it failed. */
export function callHere(name, args) {
  const result = native().call(name, args);
  if (result.status !== 0) throw fromStatus(result.status, result.message);
  return result.outputs;
}

const pending = new Map();
let nextId = 1;
let done = null;
let keepAlive = null;

/** The outcome of one call, on this thread: settles its promise, whatever goes wrong here
 *  (koffi drops what a callback throws, which would leave the promise pending for ever). */
function finish(userData, status, message, handle, text) {
  const id = Number(userData);
  const call = pending.get(id);
  forget(id);
  const lib = native();
  try {
    let value = '';
    try {
      value = lib.decodeOwnedString(text);
    } finally {
      if (text) lib.fn.dinero_string_free(text); // wipes a token
    }
    if (status !== 0) call?.reject(fromStatus(status, message || lib.statusStr(status)));
    else call?.resolve({ handle: handle || null, text: value });
  } catch (error) {
    call?.reject(error);
  }
}

/** Drops a call that has settled; the last one lets the process exit again. */
function forget(id) {
  pending.delete(id);
  if (pending.size === 0) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
}

/**
 * Calls the C function `${name}_async` with `args` and the done callback: the library makes the
 * blocking call on a thread of its own. Resolves to {handle, text} (what it handed out), or
 * rejects with that call's own error. The handles in `args` must stay alive until it settles.
 */
export function background(name, args) {
  if (!isMainThread) return Promise.resolve().then(() => onThisThread(name, args));
  const lib = native();
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    // The library's threads are not the event loop's: keep the process alive until each
    // call has come back.
    keepAlive ??= setInterval(() => {}, 2 ** 31 - 1);
    let status;
    try {
      status = lib.fn[`${name}_async`](...args, done, BigInt(id));
    } catch (error) {
      forget(id); // koffi refused an argument: nothing was started
      reject(error);
      return;
    }
    if (status !== 0) finish(id, status, lib.lastError(), null, null); // nothing was started
  });
}

/**
 * In a worker: the blocking call itself (`name`, not its _async form), on the worker's own
 * thread, with what it hands out as background() would give it. The library's threads would
 * hand the outcome to a callback of this worker's, which a terminated worker no longer has:
 * calling it aborts the whole process. A worker is a thread of its own, there to block;
 * terminate() then waits for the call to return.
 */
function onThisThread(name, args) {
  const texts = native().fn[name].info.arguments
    .filter(({ direction }) => direction !== 'Input')
    .map(({ type }) => type.ref?.name === 'dinero_owned_string');
  const outputs = callHere(name, [...args, ...texts.map(() => [null])]);
  return {
    handle: outputs.find((_, i) => !texts[i]) || null,
    text: outputs.find((_, i) => texts[i]) ?? '',
  };
}
