// client.request() (dinero_request, or the request builder when params, headers or a body are
// given), Response, the JSON helpers and ApiError, paginate(), and every transport error class.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import * as dinero from '../src/index.js';
import { startSandbox, expectError, seenMessages } from './helpers.js';

const CONTACTS = '/v1/{organizationId}/contacts';
let sandbox;
let client;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0');
  client = await sandbox.connect();
});
after(async () => {
  await client.close();
  sandbox.stop();
});
beforeEach(() => sandbox.reset());

test('a response has status, body, text(), json(), header() and headers', async () => {
  const response = await client.request('GET', '/v1/organizations');
  assert.ok(response instanceof dinero.Response);
  assert.equal(response.status, 200);
  assert.equal(response.ok, true);
  assert.ok(Buffer.isBuffer(response.body));
  assert.equal(response.text(), response.body.toString('utf8'));
  assert.equal(response.json()[0].Id, Number(sandbox.organizationId));
  assert.match(response.header('Content-Type'), /^application\/json/);
  assert.equal(response.header('content-type'), response.header('CONTENT-TYPE'));
  assert.equal(response.header('X-Not-There'), undefined);
  assert.ok(response.headers instanceof Map);
  assert.ok(response.headers instanceof dinero.Headers);
  assert.equal(response.headers.get('Content-Length'), String(response.body.length));
  assert.ok(response.headers.has('CONTENT-TYPE'));
  assert.deepEqual([...response.headers.keys()], [...response.headers.keys()].map((k) => k.toLowerCase()));
  assert.throws(() => response.headers.set('x', 'y'), TypeError);
  assert.throws(() => response.headers.delete('content-type'), TypeError);
  assert.equal(JSON.parse(JSON.stringify(response.headers))['content-type'], response.header('content-type'));
  // As in every binding: names in the order they first came, repeats joined with ", ".
  const made = new dinero.Headers([['B', '1'], ['a', '2'], ['b', '3']]);
  assert.deepEqual([...made], [['b', '1, 3'], ['a', '2']]);
  response.close();
  response.close();
  assert.equal(response.closed, true);
  // status, body and headers stay readable after close
  assert.equal(response.status, 200);
  assert.match(response.header('content-type'), /json/);
  await expectError(response.save('/tmp/never-written.json'), dinero.InvalidArgumentError);
});

test('HTTP errors are responses, not exceptions', async () => {
  const response = await client.request('GET', `${CONTACTS}/00000000-0000-0000-0000-000000000000`);
  assert.equal(response.status, 404);
  assert.equal(response.ok, false);
  assert.equal(response.json().code, 40);
  response.close();
});

test('errors and responses name the request as sent', async () => {
  const error = await expectError(client.get('/v1/{organizationId}/no-such-thing', { params: { q: "Name eq 'Ø'" } }), dinero.ApiError);
  assert.equal(error.request, 'GET /v1/{organizationId}/no-such-thing?q=Name%20eq%20%27%C3%98%27');
  const response = await client.request('GET', CONTACTS, { params: { pageSize: 1 } });
  assert.equal(response.request, 'GET /v1/{organizationId}/contacts?pageSize=1');
  response.close();
  assert.equal(new dinero.ApiError(400, Buffer.alloc(0), { message: 'made by hand' }).request, '');
});

test('a printed ApiError shows no token, even from a server that quotes it back', async () => {
  const token = await client.accessToken();
  await sandbox.fault({ kind: 'status', status: 403, body: `Bearer ${token} lacks a scope`, count: 1 });
  const error = await expectError(client.get(CONTACTS), dinero.ApiError);
  assert.ok(error.body.toString().includes(token), 'the body is still there to read');
  assert.ok(error.headers.get('content-length'), 'and so are the headers');
  const bytes = Buffer.from(token.slice(0, 12)).toString('hex').match(/../g).join(' ');
  for (const shown of [util.inspect(error), util.inspect(error, { depth: 9 }), JSON.stringify(error), String(error), error.stack]) {
    assert.ok(!shown.includes(token.slice(0, 12)), `the token is in: ${shown}`);
    assert.ok(!shown.includes(bytes), `the token's bytes are in: ${shown}`);
  }
});

test('an empty body', async () => {
  await sandbox.fault({ kind: 'status', status: 204 });
  const response = await client.request('DELETE', `${CONTACTS}/whatever`);
  assert.equal(response.status, 204);
  assert.equal(response.body.length, 0);
  assert.equal(response.text(), '');
  assert.equal(response.json(), null);
  response.close();
  // Blank is what the library calls blank (as get() reads it), in every binding: ASCII
  // whitespace is; a no-break space or a vertical tab is not JSON.
  await sandbox.fault({ kind: 'status', status: 200, body: ' \t\r\n\f' });
  const blank = await client.request('GET', CONTACTS);
  assert.equal(blank.json(), null);
  blank.close();
  for (const body of ['\u00a0', '\v']) {
    await sandbox.fault({ kind: 'status', status: 200, body });
    const notBlank = await client.request('GET', CONTACTS);
    assert.throws(() => notBlank.json(), SyntaxError);
    notBlank.close();
  }
});

test('bodies are binary safe', async () => {
  await sandbox.fault({ kind: 'malformed', body: 'a\u0000b\u0000c' });
  const response = await client.request('GET', CONTACTS);
  assert.deepEqual(response.body, Buffer.from('a\0b\0c', 'latin1'));
  response.close();
});

test('JSON bodies are UTF-8 and byte exact', async () => {
  const contact = { Name: 'Børge Lund', CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false, City: 'Støvring' };
  const response = await client.request('POST', CONTACTS, { json: contact });
  assert.equal(response.status, 201, response.text());
  const { ContactGuid: Guid } = response.json();
  response.close();
  const [logged] = (await sandbox.requests()).slice(-1);
  assert.deepEqual(JSON.parse(logged.body), contact);
  assert.ok(logged.body.includes('Børge Lund'));
  assert.match(logged.headers['content-type'], /^application\/json/);
  assert.equal((await client.get(`${CONTACTS}/${Guid}`)).Name, 'Børge Lund');
});

test('params become a query percent-encoded by the library', async () => {
  const response = await client.request('GET', CONTACTS, {
    params: { queryFilter: "Name eq 'Børge'", skip: undefined, none: null },
  });
  assert.equal(response.status, 200, response.text());
  response.close();
  assert.equal((await sandbox.requests()).at(-1).query, 'queryFilter=Name%20eq%20%27B%C3%B8rge%27');
  (await client.request('GET', CONTACTS, { params: [['fields', 'Name,City'], ['x', 'a+b/c~d&e=f']] })).close();
  assert.equal((await sandbox.requests()).at(-1).query, 'fields=Name%2CCity&x=a%2Bb%2Fc~d%26e%3Df');
  (await client.request('GET', CONTACTS, { params: new Map([['tag', ['a', 'b']], ['flag', false], ['n', 3]]) })).close();
  assert.equal((await sandbox.requests()).at(-1).query, 'tag=a&tag=b&flag=false&n=3');
  (await client.request('GET', CONTACTS, { params: new URLSearchParams('pageSize=1') })).close();
  assert.equal((await sandbox.requests()).at(-1).query, 'pageSize=1');
});

test('params are appended with the right separator', async () => {
  const cases = [
    [CONTACTS, 'pageSize=1&deletedOnly=false'],
    [`${CONTACTS}?page=0`, 'page=0&pageSize=1&deletedOnly=false'],
    [`${CONTACTS}?`, 'pageSize=1&deletedOnly=false'],
    [`${CONTACTS}?page=0&`, 'page=0&pageSize=1&deletedOnly=false'],
  ];
  for (const [path, expected] of cases) {
    const response = await client.request('GET', path, { params: { pageSize: 1, deletedOnly: false } });
    assert.equal(response.status, 200, response.text());
    response.close();
    assert.equal((await sandbox.requests()).at(-1).query, expected);
  }
});

test('headers are sent; a later one replaces an earlier one', async () => {
  const headers = { 'X-Correlation-Id': 'abc-123', 'Accept-Language': 'da-DK', Accept: 'application/json' };
  (await client.request('GET', '/v1/organizations', { headers })).close();
  let logged = (await sandbox.requests()).at(-1).headers;
  assert.equal(logged['x-correlation-id'], 'abc-123');
  assert.equal(logged['accept-language'], 'da-DK');
  assert.match(logged.authorization, /^Bearer /);
  (await client.request('GET', '/v1/organizations', { headers: [['x-a', '1'], ['X-A', '2']] })).close();
  logged = (await sandbox.requests()).at(-1).headers;
  assert.equal(logged['x-a'], '2');
});

test('a body is sent with its content type', async () => {
  const body = Buffer.from(JSON.stringify({ Name: 'Data Bytes', CountryKey: 'DK', IsPerson: false, IsMember: false, UseCvr: false }));
  const response = await client.request('POST', CONTACTS, { body, contentType: 'application/json' });
  assert.equal(response.status, 201, response.text());
  response.close();
  let logged = (await sandbox.requests()).at(-1);
  assert.deepEqual(Buffer.from(logged.body), body);
  assert.equal(logged.headers['content-type'], 'application/json');
  (await client.request('PUT', `${CONTACTS}/x`, {
    body: new Uint8Array([97, 0, 98]), headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })).close();
  logged = (await sandbox.requests()).at(-1);
  assert.equal(logged.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(logged.headers['content-length'], '3');
  (await client.request('PUT', `${CONTACTS}/x`, { body: new Uint8Array([1, 2, 3, 4]).buffer })).close();
  assert.equal((await sandbox.requests()).at(-1).headers['content-type'], 'application/octet-stream');
  (await client.request('PUT', `${CONTACTS}/x`, { body: 'Åse', contentType: 'text/plain' })).close();
  assert.equal((await sandbox.requests()).at(-1).headers['content-length'], '4');
  (await client.request('PUT', `${CONTACTS}/x`, { body: Buffer.alloc(0), contentType: 'text/plain' })).close();
  assert.equal((await sandbox.requests()).at(-1).headers['content-length'], '0');
  (await client.request('POST', CONTACTS, { json: { Name: 'Åse Ørsted', CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false }, headers: { 'X-Trace': '7' } })).close();
  logged = (await sandbox.requests()).at(-1);
  assert.equal(logged.headers['content-type'], 'application/json');
  assert.equal(logged.headers['x-trace'], '7');
  assert.ok(logged.body.includes('Åse Ørsted'));
});

test('bad headers are refused and nothing is sent', async () => {
  const cases = [
    [{ Authorization: 'Bearer stolen' }, 3], [{ authorization: 'Basic eDp5' }, 3],
    [{ Host: 'evil.example' }, 3], [{ 'Content-Length': '5' }, 3], [{ 'Transfer-Encoding': 'chunked' }, 3],
    [{ Connection: 'close' }, 3], [{ 'X-Evil': 'a\r\nX-Injected: 1' }, 3], [{ 'X-Evil': 'a\nb' }, 3],
    [{ 'X-Evil\r\nX-Injected': '1' }, 3], [{ 'Bad Name': 'x' }, 3], [{ '': 'x' }, 3],
    [{ 'X-Nul': 'a\0b' }, 3], [{ 'X-Surrogate': '\udc80' }, 2], [[['X-Ok', 5]], 3], [[['just-one']], 3], [42, 3],
  ];
  for (const [headers, status] of cases) {
    const error = await expectError(client.request('GET', '/v1/organizations', { headers }), dinero.InvalidArgumentError);
    assert.equal(error.status, status, JSON.stringify(headers));
    assert.ok(!error.message.includes('stolen'));
  }
  assert.equal((await sandbox.stats()).api_requests, 0);
});

test('bad arguments are invalid and send nothing', async () => {
  const circular = {};
  circular.self = circular;
  const calls = [
    [() => client.request('POST', CONTACTS, { json: {}, body: Buffer.from('{}') }), /not both/],
    [() => client.request('GET', CONTACTS, { contentType: 'text/plain' }), /without a body/],
    [() => client.request('POST', CONTACTS, { body: 42 }), /Buffer/],
    [() => client.request('POST', CONTACTS, { body: Buffer.from('x'), contentType: 'text/plain\r\nX: y' }), /./],
    [() => client.request('G ET', CONTACTS, { params: { a: 'b' } }), /./],
    [() => client.request('GET', `${CONTACTS}?q=a b`, { params: { a: 'b' } }), /./],
    [() => client.request('GET', `${CONTACTS}?q=a b`), /./],
    [() => client.request('FETCH', '/v1/organizations'), /FETCH/],
    [() => client.request('GET', 42), /path must be a string/],
    [() => client.request('POST', CONTACTS, { json: circular }), /json body/],
    [() => client.request('POST', CONTACTS, { json: () => 1 }), /json body/],
    [() => client.request('GET', CONTACTS, { params: { a: {} } }), /params/],
    [() => client.request('GET', CONTACTS, { params: 'a=b' }), /params/],
  ];
  for (const [call, message] of calls) {
    const error = await expectError(call(), dinero.InvalidArgumentError);
    assert.match(error.message, message);
  }
  assert.equal((await sandbox.stats()).api_requests, 0);
});

test('a failing call made off the main thread carries its own message', async () => {
  // the request runs on a library thread: the message must be that thread's last error.
  const error = await expectError(client.request('FETCH', '/v1/organizations'), dinero.InvalidArgumentError);
  assert.equal(error.message, "unsupported HTTP method 'FETCH' (expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS)");
  assert.equal(error.status, dinero.Status.INVALID_ARGUMENT);
});

test('a dropped connection is a NetworkError and a POST is never repeated', async () => {
  await sandbox.fault({ kind: 'drop', method: 'POST' });
  const error = await expectError(client.request('POST', CONTACTS, { json: { Name: 'x' } }), dinero.NetworkError);
  assert.ok([6, 9].includes(error.status));
  assert.equal(await sandbox.routeCount('POST /v1/{org}/contacts'), 1);
});

test('a reset is retried for a GET', async () => {
  await sandbox.fault({ kind: 'reset', count: 2 });
  const response = await client.request('GET', '/v1/organizations');
  assert.equal(response.status, 200);
  response.close();
  assert.equal(await sandbox.routeCount('GET /v1/organizations'), 3);
});

test('garbage and a truncated body are ProtocolErrors (NetworkErrors, told apart)', async () => {
  const strict = await sandbox.connect({ maxRetries: 0 });
  await sandbox.fault({ kind: 'garbage', count: 10 });
  const garbage = await expectError(strict.request('GET', '/v1/organizations'), dinero.ProtocolError);
  assert.equal(garbage.status, dinero.Status.PROTOCOL);
  await sandbox.reset();
  await sandbox.fault({ kind: 'truncate', count: 10 });
  const truncated = await expectError(strict.request('GET', '/v1/organizations'), dinero.ProtocolError);
  assert.ok(truncated instanceof dinero.NetworkError);
  assert.equal(truncated.status, dinero.Status.PROTOCOL);
  await strict.close();
});

test('a slow answer is a TimeoutError', async () => {
  const strict = await sandbox.connect({ timeoutMs: 300, maxRetries: 0 });
  await sandbox.fault({ kind: 'delay', delay_ms: 1500 });
  const error = await expectError(strict.request('GET', '/v1/organizations'), dinero.TimeoutError);
  assert.equal(error.status, 7);
  await strict.close();
});

test('a huge body is a ResponseTooLargeError', async () => {
  const strict = await sandbox.connect({ maxResponseBytes: 10000, maxRetries: 0 });
  await sandbox.fault({ kind: 'huge', size: 100000 });
  const error = await expectError(strict.request('GET', '/v1/organizations'), dinero.ResponseTooLargeError);
  assert.equal(error.status, 11);
  assert.ok(error instanceof dinero.NetworkError);
  await strict.close();
});

test('a revoked token is replaced once', async () => {
  await sandbox.admin('POST', '/tokens/revoke');
  const response = await client.request('GET', '/v1/organizations');
  assert.equal(response.status, 200);
  response.close();
  assert.equal((await sandbox.stats()).token_requests, 1);
});

test('a failed refresh is an AuthenticationError without a secret', async () => {
  const own = await sandbox.connect();
  await sandbox.admin('POST', '/tokens/revoke');
  await sandbox.fault({
    kind: 'status', status: 400, target: 'token', count: 10,
    body: '{"error":"invalid_grant"}', content_type: 'application/json',
  });
  const error = await expectError(own.request('GET', '/v1/organizations'), dinero.AuthenticationError);
  assert.equal(error.rejected, true);
  sandbox.assertNoSecret(error.message);
  await own.close();
});

test('get/post/put/delete decode JSON and throw ApiError for >= 400', async () => {
  const organizations = await client.get('/v1/organizations');
  assert.ok(Array.isArray(organizations));
  const created = await client.post(CONTACTS, { Name: 'Helper Hansen', CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false });
  assert.equal(typeof created.ContactGuid, 'string');
  const fetched = await client.get(`${CONTACTS}/${created.ContactGuid}`, { params: { fields: 'Name' } });
  assert.equal(fetched.Name, 'Helper Hansen');
  assert.equal((await sandbox.requests()).at(-1).query, 'fields=Name');
  await client.put(`${CONTACTS}/${created.ContactGuid}`, { Name: 'Helper Hansen II', CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false });
  assert.equal((await client.get(`${CONTACTS}/${created.ContactGuid}`)).Name, 'Helper Hansen II');
  await client.delete(`${CONTACTS}/${created.ContactGuid}`);

  const error = await expectError(client.post(CONTACTS, { CountryKey: 'DK', IsPerson: true, IsMember: false, UseCvr: false }), dinero.ApiError);
  assert.equal(error.status, 400);
  assert.equal(error.code, 42);
  assert.equal(error.apiMessage, 'Validation error');
  assert.deepEqual(error.validationErrors, { Name: 'Name is required' });
  assert.match(error.message, /^HTTP 400 \(Dinero code 42\): Validation error \[Name: Name is required\]$/);
  assert.ok(Buffer.isBuffer(error.body) && JSON.parse(error.body).code === 42);
  assert.match(error.headers.get('Content-Type'), /json/);
  assert.equal(error.name, 'ApiError');

  const html = await expectError(client.get('/v1/nowhere/at/all'), dinero.ApiError);
  assert.equal(html.status, 404);
  assert.equal(html.code, undefined);
  assert.equal(html.apiMessage, 'Not Found');

  await sandbox.fault({ kind: 'status', status: 429, body: 'API calls quota exceeded! maximum admitted 100 per 1m.', count: 10 });
  const limited = await sandbox.connect({ maxRetries: 0 });
  const quota = await expectError(limited.get('/v1/organizations'), dinero.ApiError);
  assert.equal(quota.status, 429);
  assert.equal(quota.apiMessage, 'API calls quota exceeded! maximum admitted 100 per 1m.');
  await limited.close();
});

test('a success that is not JSON is a ProtocolError from the JSON helpers', async () => {
  await sandbox.fault({ kind: 'status', status: 200, body: '<html>hi</html>', content_type: 'text/html' });
  const error = await expectError(client.get('/v1/organizations'), dinero.ProtocolError);
  assert.equal(error.status, dinero.Status.PROTOCOL);
});

test('ApiError.fromBody tolerates every shape', () => {
  const wrapped = dinero.ApiError.fromBody(400, Buffer.from('{"code":"58","Message":"Timestamp outdated"}'));
  assert.equal(wrapped.code, 58);
  assert.equal(wrapped.apiMessage, 'Timestamp outdated');
  const empty = dinero.ApiError.fromBody(503, Buffer.alloc(0));
  assert.equal(empty.apiMessage, 'Service Unavailable');
  assert.equal(empty.message, 'HTTP 503: Service Unavailable');
  assert.deepEqual(empty.validationErrors, {});
});

test('a hand-made ApiError takes only an HTTP status, and a view\'s own bytes', () => {
  // Never wrapped on the way to the library's uint16_t: 65936 is not 400.
  for (const status of [65936, -1, 400.7, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 99, 1000]) {
    assert.throws(() => dinero.ApiError.fromBody(status, Buffer.alloc(0)), dinero.InvalidArgumentError, String(status));
    assert.throws(() => new dinero.ApiError(status, Buffer.alloc(0)), dinero.InvalidArgumentError, String(status));
  }
  const text = Buffer.from('{"message":"wide"}');
  const wide = new Uint16Array(text.buffer.slice(text.byteOffset, text.byteOffset + text.length));
  assert.equal(dinero.ApiError.fromBody(400, wide).apiMessage, 'wide');
});

test('numbers that would not arrive as written are refused and nothing is sent', async () => {
  for (const [what, call] of [
    ['NaN param', () => client.get(CONTACTS, { params: { q: Number.NaN } })],
    ['Infinity header', () => client.request('GET', CONTACTS, { headers: { 'X-A': Number.POSITIVE_INFINITY } })],
    ['unsafe param', () => client.get(CONTACTS, { params: { q: 2 ** 64 } })],
    ['unsafe organization', () => client.get(CONTACTS, { organizationId: 12345678901234567890 })],
    ['NaN in a body', () => client.post(CONTACTS, { Name: 'x', Amount: Number.NaN })],
    ['Infinity in a create', () => client.create(CONTACTS, { Name: 'x', Amount: Number.POSITIVE_INFINITY })],
  ]) {
    await expectError(call(), dinero.InvalidArgumentError, (error) => assert.ok(error.message, what));
  }
  assert.equal((await sandbox.stats()).api_requests, 0);
  // Past what the library reads exactly (2^64) even a BigInt is refused; within it, it goes.
  await expectError(client.get(CONTACTS, { params: { q: 2n ** 64n } }), dinero.InvalidArgumentError);
  assert.equal((await sandbox.stats()).api_requests, 0);
  await client.get(CONTACTS, { params: { q: 2n ** 64n - 1n, pageSize: 1 } });
  assert.equal((await sandbox.requests()).at(-1).query, 'q=18446744073709551615&pageSize=1');
});

test('paginate is an async generator over every page', async () => {
  await sandbox.admin('POST', '/seed', { contacts: 7 });
  const all = [];
  for await (const contact of client.paginate(CONTACTS, { params: { fields: 'ContactGuid,Name', page: 9 }, pageSize: 3 })) {
    all.push(contact);
  }
  const total = (await client.get(CONTACTS, { params: { pageSize: 1 } })).Pagination.Result;
  assert.equal(all.length, total);
  assert.equal(new Set(all.map((c) => c.ContactGuid)).size, total);
  const pages = (await sandbox.requests()).filter((r) => r.path.endsWith('/contacts') && r.query.includes('pageSize=3'));
  assert.equal(pages.length, Math.ceil(total / 3));
  assert.ok(pages.every((r) => r.query.startsWith('fields=ContactGuid%2CName&page=')));

  await sandbox.reset();
  for await (const contact of client.paginate(CONTACTS, { pageSize: 2 })) {
    assert.ok(contact.Name);
    break; // stopping early fetches no more pages
  }
  assert.equal(await sandbox.routeCount('GET /v1/{org}/contacts'), 1);

  const organizations = [];
  for await (const organization of client.paginate('/v1/organizations')) organizations.push(organization);
  assert.equal(organizations.length, 1); // a bare array is one page

  await expectError(client.paginate(CONTACTS, { pageSize: 0 }).next(), dinero.InvalidArgumentError);
  await sandbox.fault({ kind: 'status', status: 200, body: '{"nope":1}', content_type: 'application/json' });
  await expectError(client.paginate(CONTACTS).next(), dinero.ProtocolError);
});

test('no error message held a secret or the token', async () => {
  const token = await client.accessToken();
  assert.ok(seenMessages.length > 20);
  for (const message of seenMessages) sandbox.assertNoSecret(message, token);
});

test('an ApiError quotes the server printable and short', async () => {
  const hostile = `\u001b]0;owned\u0007\u001b[2J\nERROR forged line\u202e${'x'.repeat(5000)}`;
  await sandbox.fault({ kind: 'status', status: 400, body: JSON.stringify({ code: 7, message: hostile }) });
  const error = await expectError(client.get('/v1/organizations'), dinero.ApiError);
  assert.ok(error.message.startsWith('HTTP 400 (Dinero code 7): ]0;owned [2J ERROR forged line x'), error.message.slice(0, 80));
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(error.message), error.message.slice(0, 80));
  assert.ok(error.message.length < 1100, `${error.message.length} characters`);
  assert.ok(error.apiMessage.startsWith(']0;owned [2J ERROR forged line x'), error.apiMessage.slice(0, 80));
});
