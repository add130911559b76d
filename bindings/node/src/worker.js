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
const { fn } = native;

function failed(status) {
  return { status, message: native.lastError() || native.statusStr(status) };
}

function withResponse(call) {
  const out = [null];
  const status = call(out);
  return status === STATUS.OK ? { status, value: out[0] } : failed(status);
}

const OPERATIONS = {
  authenticate(clientId, clientSecret, apiKey, options) {
    return withResponse((out) => fn.dinero_authenticate(clientId, clientSecret, apiKey, options, out));
  },
  call(client, method, path, spec, data) {
    const bytes = data !== null && data.length ? data : null;
    return withResponse((out) => fn.dinero_client_call(client, method, path, spec, bytes, data === null ? 0 : data.length, out));
  },
  uploadFile(client, filePath, fileName, contentType) {
    return withResponse((out) => fn.dinero_client_upload_file(client, filePath, fileName, contentType, out));
  },
  uploadBytes(client, bytes, fileName, contentType) {
    const data = bytes.length ? bytes : null;
    return withResponse((out) => fn.dinero_client_upload_bytes(client, data, bytes.length, fileName, contentType, out));
  },
  create(client, collectionPath, jsonBody) {
    const guid = [null];
    const out = [null];
    const status = fn.dinero_client_create(client, collectionPath, jsonBody, guid, out);
    if (status !== STATUS.OK) return failed(status);
    try {
      return { status, value: { guid: native.decodeOwnedString(guid[0]), response: out[0] } };
    } finally {
      fn.dinero_string_free(guid[0]);
    }
  },
  accessToken(client) {
    const out = [null];
    const status = fn.dinero_client_access_token(client, out);
    if (status !== STATUS.OK) return failed(status);
    try {
      return { status, value: native.decodeOwnedString(out[0]) };
    } finally {
      fn.dinero_string_free(out[0]); // wipes it too
    }
  },
  pagesNext(client, pages) {
    return withResponse((out) => fn.dinero_pages_next(pages, out));
  },
  save(response, filePath) {
    const status = fn.dinero_response_save(response, filePath);
    return status === STATUS.OK ? { status } : failed(status);
  },
};

parentPort.on('message', ({ id, op, args }) => {
  let result;
  try {
    result = OPERATIONS[op](...args);
  } catch (error) {
    // A koffi conversion error or a bug of this binding: never a library status.
    result = { status: STATUS.PANIC, message: `libdinero worker: ${op} failed: ${error?.message ?? error}` };
  }
  parentPort.postMessage({ id, ...result });
});
