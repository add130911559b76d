// A thread of the pool (src/pool.js). It binds libdinero with its own koffi instance and runs
// each blocking call synchronously, then reads dinero_last_error on this same thread, right
// after the failing call: the library keeps the last error per thread, so the message that
// goes back with the result is the one of this call, never another call's.
//
// Handles travel as addresses (koffi 3 pointers are BigInts); the library is thread-safe for
// clients, and options, builders and responses are used here only while the main thread
// leaves them alone (one thread at a time, as dinero.h asks).

import { parentPort, workerData } from 'node:worker_threads';
import { bind, STATUS } from './native.js';

const native = bind(workerData.library);

parentPort.on('message', ({ id, name, args }) => {
  let result;
  try {
    result = native.call(name, args);
  } catch (error) {
    // A koffi conversion error or a bug of this binding: never a library status.
    result = { status: STATUS.PANIC, message: `libdinero worker: ${name} failed: ${error?.message ?? error}` };
  }
  parentPort.postMessage({ id, ...result });
});
