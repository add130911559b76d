// The C declarations of include/dinero.h bound with koffi, and the one way to call them (call()).
//
// Each handle is its own opaque pointer type. The strings the library hands out (a token, a
// GUID, a JSON text: a `char **` out-parameter) are pointers to an opaque type,
// `dinero_owned_string`, never `char *`: koffi would decode a `char *` into a JS string at once
// and lose the pointer that dinero_string_free needs. Borrowed `const char *` results are
// decoded by koffi (a copy, which is what we want).
//
// Only the main thread binds the library: blocking calls run on the library's own threads
// (runtime.js, the dinero_*_async functions). test/header.test.js checks DECLARATIONS, the callback type and the
// constants against include/dinero.h, both ways (scripts/node_declarations.py writes them).

import koffi from 'koffi';
import { CALLBACKS, DECLARATIONS, HANDLES } from '../generated/declarations.js';
import { STATUS } from '../generated/constants.js';

// The DINERO_STATUS_* / DINERO_LOG_* numbers and the limits, generated from include/dinero.h
// by scripts/binding_constants.py; the koffi prototypes of every function and callback type,
// generated from it by scripts/node_declarations.py.
export { STATUS, LOG, MAX_UPLOAD_BYTES, MAX_PAGE_SIZE } from '../generated/constants.js';
export { CALLBACKS, DECLARATIONS } from '../generated/declarations.js';

/** typedef void (*dinero_log_callback)(void *user_data, uint32_t level, const char *message); */
export const LOG_CALLBACK = CALLBACKS.dinero_log_callback;

let types = null;

/** The koffi types, declared once (koffi type names are global to the process's koffi). */
export function declareTypes() {
  if (types === null) {
    koffi.alias('dinero_status', 'uint32_t');
    const handles = Object.fromEntries(HANDLES.map((name) => [name, koffi.opaque(name)]));
    // A char * the library hands out, kept as a pointer (a BigInt) rather than decoded.
    const ownedString = koffi.pointer('dinero_owned_string', koffi.opaque('dinero_owned_char'));
    // Each callback typedef as the pointer type koffi.register wants, by its C name.
    const callbacks = Object.fromEntries(Object.entries(CALLBACKS).map(([name, proto]) => [name, koffi.pointer(koffi.proto(proto))]));
    types = { handles, ownedString, callbacks };
  }
  return types;
}

function nameOf(prototype) {
  return /([A-Za-z_][A-Za-z0-9_]*)\(/.exec(prototype)[1];
}

/**
 * Binds every declaration in the library at `path` (a full path or a name for the system
 * loader). Throws (with the missing name) if the library is older than this binding.
 */
export function bind(path) {
  declareTypes();
  const library = koffi.load(path);
  const fn = {};
  for (const prototype of DECLARATIONS) {
    const name = nameOf(prototype);
    try {
      fn[name] = library.func(prototype);
    } catch (error) {
      throw new Error(`the libdinero at ${path} has no usable ${name} (${error.message}): it is older than this binding`);
    }
  }
  return {
    path,
    library,
    fn,
    types,
    /** This thread's last error message. Call it right after the failing call, on the same thread. */
    lastError() {
      return fn.dinero_last_error() ?? '';
    },
    statusStr(status) {
      return fn.dinero_status_str(status) ?? '';
    },
    version() {
      return fn.dinero_version() ?? '';
    },
    /**
     * Calls the C function `name` (one answering a dinero_status) with `args`, where each
     * output parameter is a one-element array (koffi writes the result into it). Returns
     * {status, outputs} with the outputs in order, or {status, message} when the call failed
     * (this thread's last error: call it on the thread that made the call). An owned string
     * (a token, a GUID, a JSON text) is decoded and freed (so wiped): only its text is kept.
     */
    call(name, args) {
      const status = fn[name](...args);
      if (status !== STATUS.OK) return { status, message: this.lastError() || this.statusStr(status) };
      const outputs = [];
      fn[name].info.arguments.forEach(({ direction, type }, index) => {
        if (direction === 'Input') return;
        const value = args[index][0];
        if (type.ref?.name !== 'dinero_owned_string') {
          outputs.push(value);
          return;
        }
        try {
          outputs.push(this.decodeOwnedString(value));
        } finally {
          fn.dinero_string_free(value);
        }
      });
      return { status, outputs };
    },
    /** The text of an owned string (a dinero_owned_string pointer); the caller still frees it. */
    decodeOwnedString(pointer) {
      return pointer ? koffi.decode.string(pointer) : '';
    },
  };
}

export { nameOf as declarationName };
