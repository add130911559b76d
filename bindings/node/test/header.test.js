// Every function of include/dinero.h is declared (generated/declarations.js, through
// src/native.js) with the same parameters and result, and nothing else is; the callback type
// and the constants match too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import { REPO } from './helpers.js';
import { DECLARATIONS, LOG, LOG_CALLBACK, MAX_UPLOAD_BYTES, STATUS, bind, declarationName } from '../src/native.js';
import { native as loaded } from '../src/runtime.js';

const HEADER = fs.readFileSync(path.join(REPO, 'include', 'dinero.h'), 'utf8');

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** "const char *client_id" -> "const char *"; "size_t len" -> "size_t". */
function parameterType(parameter) {
  const text = parameter.replace(/\s+/g, ' ').trim();
  if (text === 'void' || text === '') return null;
  const match = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  const type = match && /[\s*]$/.test(match[1]) ? match[1] : text;
  return type.replace(/\s*\*/g, ' *').replace(/\* \*/g, '**').replace(/\s+/g, ' ').trim();
}

/** name -> {result, params} from C prototypes ("type name(params)"). */
function parsePrototypes(text) {
  const prototypes = new Map();
  const pattern = /([A-Za-z_][A-Za-z0-9_ \t*]*?)\b(dinero_[a-z_]+)\s*\(([^()]*)\)\s*;/g;
  for (const match of text.matchAll(pattern)) {
    const result = match[1].replace(/\s*\*/g, ' *').replace(/\* \*/g, '**').replace(/\s+/g, ' ').trim();
    const params = match[3].split(',').map(parameterType).filter((p) => p !== null);
    prototypes.set(match[2], { result, params });
  }
  return prototypes;
}

const header = parsePrototypes(stripComments(HEADER).replace(/typedef[^;]*;/g, ' '));

// Where the binding's koffi spelling differs from C on purpose.
function toC(type) {
  return type
    .replace(/^_Out_ /, '')
    .replace('dinero_owned_string *', 'char **') // the owned token, kept as a pointer
    .replace(/^dinero_owned_string$/, 'char *')
    .replace(/^(dinero_\w+_callback) \*$/, '$1'); // koffi wants the pointer spelled out
}

const binding = new Map(
  [...parsePrototypes(DECLARATIONS.map((d) => `${d.replace(/_Out_ /g, '')};`).join('\n'))].map(([name, p]) => [
    name,
    { result: toC(p.result), params: p.params.map(toC) },
  ]),
);

test('the header has the functions this test expects to find', () => {
  assert.ok(header.size >= 27, `only ${header.size} prototypes parsed from dinero.h`);
  assert.ok(header.has('dinero_authenticate') && header.has('dinero_response_free'));
});

test('every function of dinero.h is declared, with the same parameters and result', () => {
  const missing = [...header.keys()].filter((name) => !binding.has(name));
  assert.deepEqual(missing, [], 'functions of dinero.h the Node binding does not declare');
  for (const [name, c] of header) {
    assert.deepEqual(binding.get(name), c, name);
  }
});

test('nothing is declared that dinero.h does not have', () => {
  const extra = [...binding.keys()].filter((name) => !header.has(name));
  assert.deepEqual(extra, []);
  assert.equal(new Set(DECLARATIONS.map(declarationName)).size, DECLARATIONS.length);
});

test('every declaration binds in the library, with the header arity', () => {
  const native = loaded();
  for (const [name, c] of header) {
    const fn = native.fn[name];
    assert.equal(typeof fn, 'function', name);
    assert.equal(fn.info.name, name);
    assert.equal(fn.info.arguments.length, c.params.length, `${name} arity`);
  }
  // Out-parameters are declared as outputs, everything else as inputs.
  const outputs = (name) => native.fn[name].info.arguments.map((a) => a.direction);
  assert.deepEqual(outputs('dinero_authenticate'), ['Input', 'Input', 'Input', 'Input', 'Output']);
  assert.deepEqual(outputs('dinero_client_access_token'), ['Input', 'Output']);
  assert.deepEqual(outputs('dinero_response_body'), ['Input', 'Output']);
});

test('each handle is its own opaque pointer type; the owned string is never a char *', () => {
  const native = loaded();
  const pointee = (name, index) => native.fn[name].info.arguments[index].type.ref;
  assert.equal(pointee('dinero_client_free', 0).name, 'dinero_client');
  assert.equal(pointee('dinero_options_free', 0).name, 'dinero_options');
  assert.equal(pointee('dinero_request_builder_free', 0).name, 'dinero_request_builder');
  assert.equal(pointee('dinero_response_free', 0).name, 'dinero_response');
  for (const name of ['dinero_client', 'dinero_options', 'dinero_request_builder', 'dinero_pages', 'dinero_response']) {
    assert.equal(koffi.type(name).primitive, 'Void', `${name} is opaque`);
  }
  const owned = koffi.type('dinero_owned_string');
  assert.equal(owned.primitive, 'Pointer');
  assert.equal(owned.ref.primitive, 'Void', 'decoding it as a JS string would lose the pointer to free');
  assert.equal(native.fn.dinero_string_free.info.arguments[0].type.name, 'dinero_owned_string');
});

test('the log callback type matches dinero_log_callback', () => {
  const typedef = /typedef\s+void\s*\(\s*\*\s*dinero_log_callback\s*\)\s*\(([^)]*)\)\s*;/.exec(HEADER);
  assert.ok(typedef, 'dinero_log_callback typedef not found');
  const c = typedef[1].split(',').map(parameterType);
  const ours = /\(([^)]*)\)/.exec(LOG_CALLBACK)[1].split(',').map(parameterType);
  assert.deepEqual(ours, c);
  assert.ok(LOG_CALLBACK.startsWith('void dinero_log_callback('));
});

test('status and log constants match the header', () => {
  const defines = Object.fromEntries(
    [...HEADER.matchAll(/#define (DINERO_(?:STATUS|LOG)_[A-Z0-9_]+) (\d+)/g)].map((m) => [m[1], Number(m[2])]),
  );
  const ours = {
    ...Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [`DINERO_STATUS_${k}`, v])),
    ...Object.fromEntries(Object.entries(LOG).map(([k, v]) => [`DINERO_LOG_${k}`, v])),
  };
  assert.deepEqual(ours, defines);
  assert.match(HEADER, /#define DINERO_MAX_UPLOAD_BYTES 6291456/);
  assert.equal(MAX_UPLOAD_BYTES, 6291456);
});

test('binding a library without a function names what is missing', () => {
  const libc = process.platform === 'linux' ? 'libc.so.6' : null;
  if (libc === null) return;
  assert.throws(() => bind(libc), /has no usable dinero_authenticate/);
});
