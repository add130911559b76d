// The lifetime rule of every native handle the binding owns (a client, a response): it is
// freed once, after the calls still using it have finished; any use after close() is an
// InvalidArgumentError; garbage collection frees one that was never closed.

import { InvalidArgumentError } from './errors.js';
import { STATUS } from './native.js';

const finalizer = new FinalizationRegistry((release) => release());

export class Handle {
  #pointer;
  #release;
  #what;
  #busy = 0;
  #closing = null;
  #resolveClosed = null;

  /** `release(pointer)` frees the handle; collecting `owner` (never closed; null: this Handle
   *  itself) frees it too. */
  constructor(owner, pointer, release, what) {
    this.#pointer = pointer;
    this.#release = () => release(pointer);
    this.#what = what;
    finalizer.register(owner ?? this, this.#release, this);
  }

  get closed() {
    return this.#pointer === null || this.#closing !== null;
  }

  /** The pointer, for a call made now; throws once close() was called. */
  live() {
    if (this.closed) throw this.#closedError();
    return this.#pointer;
  }

  // A closed client fails as the library fails one (src/closing.rs), the same in every
  // binding; a closed response or list was freed, like a NULL handle.
  #closedError() {
    return this.#what === 'client'
      ? new InvalidArgumentError('the client is closed: it cannot be used any more', STATUS.INVALID_ARGUMENT)
      : new InvalidArgumentError(`the ${this.#what} is closed`, STATUS.NULL_ARGUMENT);
  }

  /** Runs `work(pointer)`, counted in flight: close() waits for it. */
  async use(work) {
    const pointer = this.live();
    this.#busy++;
    try {
      return await work(pointer);
    } finally {
      this.#busy--;
      if (this.#busy === 0 && this.#closing !== null) this.#free();
    }
  }

  /** Frees the handle once the work still running has finished; resolves then. Idempotent. */
  close() {
    if (this.#closing === null) {
      if (this.#pointer === null) return Promise.resolve();
      this.#closing = new Promise((resolve) => { this.#resolveClosed = resolve; });
      if (this.#busy === 0) this.#free();
    }
    return this.#closing;
  }

  #free() {
    if (this.#pointer !== null) {
      this.#pointer = null;
      finalizer.unregister(this);
      this.#release();
    }
    this.#resolveClosed?.();
  }
}
