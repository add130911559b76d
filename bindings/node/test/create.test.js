// Exactly-once creates, and exact 64-bit numbers (a draft invoice's Number) as BigInt.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dinero from '../src/index.js';
import { startSandbox, expectError } from './helpers.js';
import { parseJson, stringifyJson } from '../src/json.js';

const CONTACTS = '/v1/{organizationId}/contacts';
const INVOICES = '/v1/{organizationId}/invoices';
const CONTACT = { Name: 'Åse Ørum', CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false };

let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0');
  client = await sandbox.connect();
});
after(async () => {
  await client?.close();
  sandbox?.stop();
});

test('a reset after the server stored it still gives one contact', async () => {
  await sandbox.reset();
  await sandbox.fault({ kind: 'reset', after_processing: true, method: 'POST' });
  const { guid, answer } = await client.create(CONTACTS, CONTACT);
  assert.equal(answer.ContactGuid, guid);
  assert.equal(answer.Name, 'Åse Ørum'); // read back
  assert.deepEqual((await sandbox.stats()).created, { contacts: 1 });
  assert.equal(await sandbox.routeCount('POST /v1/{org}/contacts'), 1);
});

test('a reset before it was stored sends it again, once', async () => {
  await sandbox.reset();
  await sandbox.fault({ kind: 'reset', method: 'POST' });
  const { guid, answer } = await client.create(CONTACTS, CONTACT);
  assert.deepEqual(answer, { ContactGuid: guid });
  assert.deepEqual((await sandbox.stats()).created, { contacts: 1 });
  assert.equal(await sandbox.routeCount('POST /v1/{org}/contacts'), 2);
});

test('a refusal is an ApiError; an unknowable outcome names the GUID', async () => {
  await sandbox.reset();
  await expectError(client.create(CONTACTS, { Name: 'Uden land' }), dinero.ApiError, (e) => assert.equal(e.status, 400));
  const own = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  await sandbox.fault({ kind: 'reset', after_processing: true, method: 'POST' });
  await sandbox.fault({ kind: 'status', status: 503, method: 'GET', count: 10 });
  await expectError(client.create(CONTACTS, { ...CONTACT, ContactGuid: own }), dinero.NetworkError,
    (e) => assert.ok(e.message.includes(own), e.message));
  await expectError(client.create('/v1/{organizationId}/products', { Name: 'Kaffe' }), dinero.InvalidArgumentError);
});

test("a draft's Number 9223372036854775807 arrives exactly, as a BigInt, everywhere", async () => {
  await sandbox.reset();
  const { guid, answer } = await client.create(INVOICES, { ProductLines: [{ Quantity: 1, BaseAmountValue: 10 }] });
  assert.equal(typeof answer.TimeStamp, 'string');
  const draft = await client.get(`${INVOICES}/${guid}`);
  assert.equal(draft.Number, 9223372036854775807n);
  assert.equal(typeof draft.TotalInclVat, 'number', 'other numbers stay numbers');
  const response = await client.request('GET', `${INVOICES}/${guid}`);
  assert.equal(response.json().Number, 9223372036854775807n);
  response.close();
  const page = await client.get(INVOICES, { params: { fields: 'Guid,Number', statusFilter: 'Draft' } });
  assert.ok(page.Collection.some((i) => i.Number === 9223372036854775807n));
  // Sent back, a BigInt is written as the exact integer.
  await client.put(`/v1.2/{organizationId}/invoices/${guid}`, { ...draft, Description: 'Høst' });
  const logged = (await sandbox.requests()).at(-1);
  assert.ok(logged.body.includes('"Number":9223372036854775807'), logged.body);
  // In an error body too.
  await sandbox.fault({ kind: 'status', status: 400, content_type: 'application/json',
    body: '{"code":42,"message":"Validation error","validationErrors":{"Number":9223372036854775807},"errorMessageList":[{"Code":42,"Number":9223372036854775807,"Big":18446744073709551615}]}' });
  await expectError(client.get(INVOICES), dinero.ApiError, (e) => {
    assert.equal(e.validationErrors.Number, '9223372036854775807'); // a message: text, exact
    assert.equal(e.errorMessageList[0].Number, 9223372036854775807n);
    assert.equal(e.errorMessageList[0].Big, 18446744073709551615n);
  });
});

test('only unsafe integers become BigInt; strings and other numbers are untouched', () => {
  const text = String.raw`{"a":"9223372036854775807","b":9223372036854775807,"c":-9223372036854775808,`
    + String.raw`"d":9007199254740991,"e":1.5e300,"f":12345678901234567.5,"g":["x\"9999999999999999",[18446744073709551615]]}`;
  assert.deepEqual(parseJson(text), {
    a: '9223372036854775807', b: 9223372036854775807n, c: -9223372036854775808n,
    d: 9007199254740991, e: 1.5e300, f: 12345678901234567.5, g: ['x"9999999999999999', [18446744073709551615n]],
  });
  assert.equal(stringifyJson({ n: 9223372036854775807n, s: 'ø', m: [1n] }), '{"n":9223372036854775807,"s":"ø","m":[1]}');
  assert.throws(() => parseJson('{"n": 99999999999999999'), SyntaxError);
});
