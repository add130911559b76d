// The threads that run libdinero's blocking calls off the main thread.
//
// Each is a worker_threads Worker with its own koffi binding of the same library (src/worker.js).
// A call goes to an idle worker (a new one is started while there are fewer than the maximum),
// or waits in a queue. The worker makes the C call and, if it failed, reads dinero_last_error
// on its own thread before answering, so a message is always the one of its own call.
//
// Idle workers are unref'd: they never keep the process alive. The maximum is
// DINERO_NODE_THREADS (1-64, default 8): the number of requests that can be in flight at once.

import { Worker } from 'node:worker_threads';
import { DineroError } from './errors.js';
import { STATUS } from './native.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

export function maxThreads(env = process.env) {
  const configured = Number.parseInt(env.DINERO_NODE_THREADS ?? '', 10);
  return Number.isInteger(configured) && configured >= 1 ? Math.min(configured, 64) : 8;
}

export class Pool {
  #library;
  #max;
  #idle = [];
  #workers = new Set();
  #queue = [];
  #nextId = 1;

  constructor(library, max = maxThreads()) {
    this.#library = library;
    this.#max = max;
  }

  get size() {
    return this.#workers.size;
  }

  /** True while a call runs on some worker or waits for one. */
  get busy() {
    return this.#queue.length > 0 || [...this.#workers].some((worker) => worker.job !== null);
  }

  /** Runs the C function `name` on a worker: resolves to {status, message?, outputs?}.
   *  `transfer`: ArrayBuffers moved to the worker rather than copied. */
  run(name, args, transfer = []) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, name, args, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch() {
    while (this.#queue.length) {
      let worker = this.#idle.pop();
      if (!worker) {
        if (this.#workers.size >= this.#max) return;
        worker = this.#spawn();
      }
      const job = this.#queue.shift();
      worker.job = job;
      worker.ref();
      worker.postMessage({ id: job.id, name: job.name, args: job.args }, job.transfer);
    }
  }

  #spawn() {
    const worker = new Worker(WORKER_URL, {
      workerData: { library: this.#library },
      // None of the main thread's flags: a worker runs only this package's code, and some
      // flags make a worker refuse to start (--input-type, --expose-gc, ...).
      execArgv: [],
    });
    worker.job = null;
    this.#workers.add(worker);
    worker.on('message', (message) => {
      const { job } = worker;
      worker.job = null;
      worker.unref();
      this.#idle.push(worker);
      if (job && job.id === message.id) job.resolve(message);
      this.#dispatch();
    });
    const lost = (reason) => {
      if (!this.#workers.delete(worker)) return;
      this.#idle = this.#idle.filter((w) => w !== worker);
      const { job } = worker;
      worker.job = null;
      if (job) {
        job.reject(new DineroError(`a libdinero worker thread stopped: ${reason}`, STATUS.PANIC));
      }
      this.#dispatch();
    };
    worker.on('error', (error) => lost(error?.message ?? String(error)));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    return worker;
  }
}
