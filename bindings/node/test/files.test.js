// uploadFile() (dinero_client_upload_file / _upload_bytes) and download() / Response.save()
// (dinero_response_save): byte-exact round trips, the 6 MB limit, FileError.
//
// These tests are about the library's upload, list and download mechanics, so their sandbox
// lists every upload and serves it at once (--list-unattached-files, --file-ready-delay-ms 0).
// Dinero is less kind: a file is listed only once attached to a voucher and may take a second
// to become readable; the test "Dinero's file timing ..." below has that.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import * as dinero from '../src/index.js';
import { startSandbox, expectError, tempDir, seenMessages } from './helpers.js';

const FILES = '/v1/{organizationId}/files';
const INVOICES = '/v1/{organizationId}/invoices';
const LIMIT = 6 * 1024 * 1024;

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (~crc) >>> 0;
}

/** A valid 1x4 RGB PNG (its IHDR and filter bytes hold NULs). */
function png() {
  const chunk = (kind, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(kind), data])));
    return Buffer.concat([length, Buffer.from(kind), data, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 4, 8, 2, 0, 0, 0]);
  const rows = Buffer.concat([0, 1, 2, 3].map((y) => Buffer.from([0, y * 64, 0, 255 - y * 64])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF_WITH_NULS = Buffer.concat([
  Buffer.from('%PDF-1.4\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
  Buffer.from('\n1 0 obj\n<< /Length 8 >>\nstream\n'), Buffer.from([0, 1, 2, 0, 0xff, 0, 13, 10, 0]),
  Buffer.from('\nendstream\nendobj\n%%EOF\n'),
]);

const KINDS = {
  text: ['kvittering.txt', Buffer.from('Kvittering\r\nKaffe 42,00 kr\nBørge Lund æøå\n'), 'text/plain'],
  png: ['kvittering.png', png(), 'image/png'],
  pdf: ['kvittering.pdf', PDF_WITH_NULS, 'application/pdf'],
};

let sandbox;
let client;
let dir;
before(async () => {
  sandbox = await startSandbox('--rate-limit', '0', '--list-unattached-files', '--file-ready-delay-ms', '0');
  client = await sandbox.connect();
});
after(async () => {
  await client.close();
  sandbox.stop();
});
beforeEach(async () => {
  await sandbox.reset();
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function listed() {
  const files = new Map();
  for await (const entry of client.paginate(FILES)) files.set(entry.FileGuid, entry);
  return files;
}

for (const [kind, [name, content, contentType]] of Object.entries(KINDS)) {
  for (const source of ['buffer', 'path']) {
    test(`a ${kind} file uploaded from a ${source} round-trips byte-exact`, async () => {
      assert.equal(content.includes(0), kind !== 'text');
      let answer;
      if (source === 'buffer') {
        answer = await client.uploadFile(content, { fileName: name });
      } else {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        answer = await client.uploadFile(file); // its own name; the type guessed from it
      }
      const guid = answer.FileGuid;
      assert.match(guid, /^[0-9a-f-]{36}$/);
      const upload = (await sandbox.requests()).at(-1);
      assert.equal(upload.method, 'POST');
      assert.match(upload.headers['content-type'], /^multipart\/form-data; boundary=/);
      const entry = (await listed()).get(guid);
      assert.equal(entry.FileName, name);
      assert.equal(entry.ContentType, contentType);
      assert.equal(entry.Size, content.length);
      assert.deepEqual(await client.download(`${FILES}/${guid}`), content);
      const response = await client.request('GET', `${FILES}/${guid}`);
      assert.equal(response.status, 200);
      assert.ok(response.body.equals(content));
      assert.equal(response.header('Content-Type'), contentType);
      response.close();
    });
  }
}

test('upload names and types', async () => {
  const pdf = (await client.uploadFile(PDF_WITH_NULS)).FileGuid;
  const image = (await client.uploadFile(new Uint8Array(png()))).FileGuid;
  const raw = (await client.uploadFile(new TextEncoder().encode('plain bytes').buffer)).FileGuid;
  const file = path.join(dir, 'scan.bin');
  fs.writeFileSync(file, Buffer.from([0, 1]));
  const named = (await client.uploadFile(pathToFileURL(file), { fileName: 'Kvittering 7.pdf', contentType: 'application/pdf' })).FileGuid;
  const danish = (await client.uploadFile(Buffer.from('%PDF-1.4\n'), { fileName: 'Kvittering Æbler 5 kr.pdf' })).FileGuid;
  const files = await listed();
  assert.deepEqual([files.get(pdf).FileName, files.get(pdf).ContentType], ['file.pdf', 'application/pdf']);
  assert.deepEqual([files.get(image).FileName, files.get(image).ContentType], ['file.png', 'image/png']);
  assert.equal(files.get(raw).ContentType, 'application/octet-stream');
  assert.deepEqual([files.get(named).FileName, files.get(named).ContentType], ['Kvittering 7.pdf', 'application/pdf']);
  assert.equal(files.get(danish).FileName, 'Kvittering Æbler 5 kr.pdf');
  assert.equal((await client.download(`${FILES}/${raw}`)).toString(), 'plain bytes');
});

test('an empty file uploads', async () => {
  const guid = (await client.uploadFile(Buffer.alloc(0), { fileName: 'empty.txt' })).FileGuid;
  assert.equal((await client.download(`${FILES}/${guid}`)).length, 0);
});

test('exactly 6 MB is sent; one byte more is refused before sending', async () => {
  const content = Buffer.alloc(LIMIT);
  for (let i = 0; i < LIMIT; i++) content[i] = i & 0xff;
  const guid = (await client.uploadFile(content, { fileName: 'big.bin' })).FileGuid;
  assert.ok((await client.download(`${FILES}/${guid}`)).equals(content));
  const file = path.join(dir, 'big.pdf');
  fs.writeFileSync(file, content);
  await client.uploadFile(file);
  assert.equal(await sandbox.routeCount('POST /v1/{org}/files'), 2);

  await sandbox.reset();
  const over = Buffer.alloc(LIMIT + 1);
  const fromBytes = await expectError(client.uploadFile(over, { fileName: 'big.bin' }), dinero.InvalidArgumentError);
  assert.match(fromBytes.message, /6 MB/);
  fs.writeFileSync(file, over);
  const fromPath = await expectError(client.uploadFile(file), dinero.InvalidArgumentError);
  assert.match(fromPath.message, /6/);
  assert.equal((await sandbox.stats()).api_requests, 0);
});

test('a 413 from Dinero is an ApiError', async () => {
  const body = JSON.stringify({ code: 43, message: 'File too large, max 6 MB' });
  await sandbox.fault({ kind: 'status', status: 413, body, content_type: 'application/json' });
  const error = await expectError(client.uploadFile(Buffer.from('%PDF-1.4 small'), { fileName: 'small.pdf' }), dinero.ApiError);
  assert.equal(error.status, 413);
  assert.equal(error.code, 43);
});

test('a missing file is a FileError with errno, code and path', async () => {
  const missing = path.join(dir, 'no-such-receipt.pdf');
  const error = await expectError(client.uploadFile(missing), dinero.FileError);
  assert.equal(error.status, dinero.Status.IO);
  assert.equal(error.errno, 2);
  assert.equal(error.code, 'ENOENT');
  assert.equal(error.path, missing);
  assert.ok(error.message.includes(missing));
  assert.equal((await sandbox.stats()).api_requests, 0);
});

test('bad upload arguments are invalid and send nothing', async () => {
  for (const call of [
    () => client.uploadFile(42),
    () => client.uploadFile(new URL('https://example.com/x.pdf')),
    () => client.uploadFile(Buffer.from('x'), { fileName: 'a"b.txt' }),
    () => client.uploadFile(Buffer.from('x'), { fileName: '../x.txt' }),
    () => client.uploadFile(Buffer.from('x'), { fileName: 'a\0b' }),
    () => client.uploadFile(Buffer.from('x'), { fileName: 'a.txt', contentType: 'text/plain\r\nX: y' }),
  ]) {
    await expectError(call(), dinero.InvalidArgumentError);
  }
  assert.equal((await sandbox.stats()).api_requests, 0);
});

async function firstInvoice() {
  const invoices = await client.get(INVOICES);
  const collection = Array.isArray(invoices) ? invoices : invoices.Collection;
  assert.ok(collection.length, 'the sandbox has no invoice');
  return collection[0].Guid;
}

test('an invoice PDF is downloaded and saved byte-exact, atomically', async () => {
  const invoice = `${INVOICES}/${await firstInvoice()}`;
  const target = path.join(dir, 'invoice.pdf');
  fs.writeFileSync(target, 'an older file, replaced atomically');
  const pdf = await client.download(invoice, { saveTo: target });
  assert.ok(Buffer.isBuffer(pdf));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(fs.readFileSync(target).equals(pdf));
  assert.deepEqual(fs.readdirSync(dir), ['invoice.pdf']); // no temporary file left
  const ours = (await sandbox.requests()).filter((r) => (r.headers['user-agent'] ?? '').startsWith('libdinero'));
  assert.equal(ours.at(-1).headers.accept, 'application/octet-stream');

  // the same bytes as a plain HTTP client gets with the library's token
  const url = sandbox.apiUrl + invoice.replace('{organizationId}', sandbox.organizationId);
  const direct = await fetch(url, { headers: { Authorization: `Bearer ${await client.accessToken()}`, Accept: 'application/octet-stream' } });
  assert.ok(Buffer.from(await direct.arrayBuffer()).equals(pdf));

  assert.ok((await client.download(invoice)).equals(pdf));
  await client.download(invoice, { saveTo: pathToFileURL(path.join(dir, 'again.pdf')) });
  assert.ok(fs.readFileSync(path.join(dir, 'again.pdf')).equals(pdf));
  const asJson = JSON.parse(await client.download(invoice, { accept: 'application/json' }));
  assert.equal(asJson.Guid, invoice.split('/').at(-1));
});

test('a response saves itself; a missing folder is a FileError', async () => {
  const invoice = `${INVOICES}/${await firstInvoice()}`;
  const response = await client.request('GET', invoice, { headers: { Accept: 'application/octet-stream' } });
  assert.equal(response.status, 200);
  await response.save(path.join(dir, 'invoice.pdf'));
  assert.ok(fs.readFileSync(path.join(dir, 'invoice.pdf')).equals(response.body));
  const error = await expectError(response.save(path.join(dir, 'missing', 'invoice.pdf')), dinero.FileError);
  assert.equal(error.code, 'ENOENT');
  assert.equal(error.path, path.join(dir, 'missing', 'invoice.pdf'));
  const saving = response.save(path.join(dir, 'late-but-started.pdf'));
  response.close(); // waits for the save that is running
  await saving;
  assert.ok(fs.existsSync(path.join(dir, 'late-but-started.pdf')));
  await expectError(response.save(path.join(dir, 'late.pdf')), dinero.InvalidArgumentError);
});

test('download saveTo in a missing folder is a FileError; nothing is created', async () => {
  const invoice = `${INVOICES}/${await firstInvoice()}`;
  const target = path.join(dir, 'no', 'such', 'folder', 'invoice.pdf');
  const error = await expectError(client.download(invoice, { saveTo: target }), dinero.FileError);
  assert.equal(error.status, 12);
  assert.equal(error.errno, 2);
  assert.equal(error.path, target);
  assert.ok(!fs.existsSync(path.join(dir, 'no')));
  sandbox.assertNoSecret(error.message);
});

test("Dinero's file timing comes through as ApiErrors: unlisted, then 404 until readable", async () => {
  // A sandbox with the default archive, its delay longer than any run: the 404 does not depend
  // on the machine's speed, and the config switch ends it.
  const dinerolike = await startSandbox('--file-ready-delay-ms', '3600000');
  const own = await dinerolike.connect();
  try {
    const guid = (await own.uploadFile(Buffer.from('%PDF-1.4 fresh'), { fileName: 'fresh.pdf' })).FileGuid;
    const listedNow = [];
    for await (const entry of own.paginate(FILES)) listedNow.push(entry);
    assert.deepEqual(listedNow, [], 'not attached to a voucher: not listed');
    const error = await expectError(own.download(`${FILES}/${guid}`), dinero.ApiError);
    assert.deepEqual([error.status, error.code], [404, 40]);
    dinerolike.assertNoSecret(error.message);
    await dinerolike.admin('POST', '/config', { file_ready_delay_ms: 0 });
    assert.equal((await own.download(`${FILES}/${guid}`)).toString(), '%PDF-1.4 fresh');
  } finally {
    await own.close();
    dinerolike.stop();
  }
});

test('download errors are ApiErrors and write nothing', async () => {
  const target = path.join(dir, 'invoice.pdf');
  const error = await expectError(client.download(`${FILES}/00000000-0000-0000-0000-000000000000`, { saveTo: target }), dinero.ApiError);
  assert.equal(error.status, 404);
  assert.ok(!fs.existsSync(target));
  await expectError(client.download(`${FILES}/x`, { saveTo: 42 }), dinero.InvalidArgumentError);
  await expectError(client.download(`${FILES}/x`, { accept: 'application/pdf\r\nX-Evil: 1' }), dinero.InvalidArgumentError);
  await client.download(INVOICES, { accept: 'application/json', params: { fields: 'Guid,Number' } });
  assert.equal((await sandbox.requests()).at(-1).query, 'fields=Guid%2CNumber');
});

test('concurrent uploads round-trip', async () => {
  const contents = Array.from({ length: 8 }, (_, i) => Buffer.concat([randomBytes(1000), Buffer.from([i])]));
  const guids = await Promise.all(contents.map((c, i) => client.uploadFile(c, { fileName: `t${i}.bin` }).then((a) => a.FileGuid)));
  const downloaded = await Promise.all(guids.map((g) => client.download(`${FILES}/${g}`)));
  downloaded.forEach((bytes, i) => assert.ok(bytes.equals(contents[i])));
});

test('no error message held a secret or the token', async () => {
  const token = await client.accessToken();
  assert.ok(seenMessages.length >= 5, 'the errors of the tests above were collected'); // not an empty loop
  for (const message of seenMessages) sandbox.assertNoSecret(message, token);
});
