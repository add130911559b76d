<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\DineroException;
use Dinero\Exception\FileException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Exception\ProtocolException;
use Dinero\Status;

/**
 * Issue 8: uploads (from bytes and from a path), downloads (invoice PDFs, stored files),
 * Response::saveTo, and request() with headers and query parameters through the C builder.
 */
final class FilesTest extends SandboxTestCase
{
    private const CONTACTS = '/v1/{organizationId}/contacts';
    private const MAX = 6_291_456; // 6 MB, Dinero's limit

    /**
     * These tests are about the library's upload, list and download mechanics, so their sandbox
     * lists every upload and serves it at once. Dinero is less kind (a file is listed only once
     * attached to a voucher and may take a second to become readable), as is the sandbox by
     * default: testDinerosFileTimingComesThroughAsApiExceptions has that.
     *
     * @return list<string>
     */
    protected static function sandboxFlags(): array
    {
        return ['--list-unattached-files', '--file-ready-delay-ms', '0'];
    }

    private string $dir;

    protected function setUp(): void
    {
        parent::setUp();
        $this->dir = Sandbox::tempDir('dinero-php-files');
    }

    protected function tearDown(): void
    {
        Sandbox::removeDir($this->dir);
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> name => [file name, content type, bytes] */
    private static function samples(): array
    {
        // A 1x1 PNG (its chunks' lengths hold NUL bytes) and a PDF with a binary stream.
        $png = (string) base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', true);
        $pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Length 12 >>\nstream\n"
            . "\x00\x01\x02\x00\xFF\xFE\r\n\x00\x00\x00\x00\nendstream\nendobj\n%%EOF\n";
        return [
            'text' => ['kvittering.txt', 'text/plain', "Kvittering 42\r\nBørge Lund, Støvring\n1 × kaffe 25,00 kr.\n"],
            'png' => ['kvittering.png', 'image/png', $png],
            'pdf' => ['kvittering.pdf', 'application/pdf', $pdf],
        ];
    }

    public function testSamplesHoldNulBytes(): void
    {
        $samples = self::samples();
        $this->assertStringStartsWith("\x89PNG\r\n\x1a\n", $samples['png'][2]);
        $this->assertStringContainsString("\0", $samples['png'][2]);
        $this->assertStringContainsString("\0", $samples['pdf'][2]);
    }

    public function testUploadBytesListAndDownloadRoundTripByteExact(): void
    {
        $client = $this->sandbox()->client();
        foreach (self::samples() as $kind => [$name, $type, $bytes]) {
            $answer = $client->uploadBytes($bytes, $name);
            $this->assertIsString($answer['FileGuid'] ?? null, $kind);
            $guid = $answer['FileGuid'];

            $listed = $this->listed($client, $guid);
            $this->assertSame($name, $listed['FileName'], $kind);
            $this->assertSame($type, $listed['ContentType'], "$kind: content type guessed from the name");
            $this->assertSame(strlen($bytes), $listed['Size'], $kind);

            $this->assertSame($bytes, $client->download(Client::FILES . "/$guid"), "$kind: byte-exact");
            $response = $client->request('GET', Client::FILES . "/$guid", null, [], ['Accept' => '*/*']);
            $this->assertSame($type, $response->header('Content-Type'), $kind);
            $this->assertSame($bytes, $response->body(), $kind);
        }
        $this->assertSame(3, $this->sandbox()->routeCount('POST /v1/{org}/files'));
    }

    public function testUploadFileFromAPathListAndDownloadRoundTripByteExact(): void
    {
        $client = $this->sandbox()->client();
        foreach (self::samples() as $kind => [$name, $type, $bytes]) {
            $path = "$this->dir/$name";
            file_put_contents($path, $bytes);
            $guid = $client->uploadFile($path)['FileGuid'];
            $listed = $this->listed($client, $guid);
            $this->assertSame($name, $listed['FileName'], "$kind: the file's own name by default");
            $this->assertSame($type, $listed['ContentType'], $kind);
            $this->assertSame(strlen($bytes), $listed['Size'], $kind);

            $saved = "$this->dir/back-$name";
            $downloaded = $client->download(Client::FILES . "/$guid", '*/*', [], $saved);
            $this->assertSame($bytes, $downloaded, $kind);
            $this->assertSame($bytes, file_get_contents($saved), "$kind: saved byte-exact");
        }
    }

    public function testFileNameAndContentTypeCanBeGiven(): void
    {
        $client = $this->sandbox()->client();
        $path = "$this->dir/scan.bin";
        file_put_contents($path, "%PDF-1.7\n\0\0");
        $guid = $client->uploadFile($path, 'Bilag 17.pdf', 'application/pdf')['FileGuid'];
        $listed = $this->listed($client, $guid);
        $this->assertSame('Bilag 17.pdf', $listed['FileName']);
        $this->assertSame('application/pdf', $listed['ContentType']);

        $guid = $client->uploadBytes('a;b', 'data', 'text/csv')['FileGuid'];
        $this->assertSame('text/csv', $this->listed($client, $guid)['ContentType']);
        $guid = $client->uploadBytes('', 'empty.txt')['FileGuid'];
        $this->assertSame(0, $this->listed($client, $guid)['Size'], 'an empty file is a file too');
    }

    public function testExactlySixMegabytesIsUploaded(): void
    {
        $client = $this->sandbox()->client();
        $bytes = str_repeat("\0\xFFdinero", self::MAX / 8);
        $this->assertSame(self::MAX, strlen($bytes));
        $guid = $client->uploadBytes($bytes, 'max.bin')['FileGuid'];
        $this->assertSame(self::MAX, $this->listed($client, $guid)['Size']);
        $this->assertSame(1, $this->sandbox()->routeCount('POST /v1/{org}/files'));
        $this->assertSame([200], array_keys($this->sandbox()->stats()['responses']), 'the upload answered 200, as Dinero does');

        $path = "$this->dir/max.pdf";
        file_put_contents($path, $bytes);
        $guid = $client->uploadFile($path)['FileGuid'];
        $this->assertSame(md5($bytes), md5($client->download(Client::FILES . "/$guid")), 'from a path, byte-exact');
    }

    public function testOneByteOverSixMegabytesIsRefusedLocally(): void
    {
        $client = $this->sandbox()->client();
        $bytes = str_repeat('x', self::MAX + 1);
        $path = "$this->dir/big.pdf";
        file_put_contents($path, $bytes);
        foreach ([
            'bytes' => static fn () => $client->uploadBytes($bytes, 'big.pdf'),
            'path' => static fn () => $client->uploadFile($path),
        ] as $how => $upload) {
            try {
                $upload();
                $this->fail("$how: a file of 6291457 bytes was uploaded");
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode(), $how);
                $this->assertStringContainsString('6 MB', $e->getMessage(), $how);
            }
        }
        $stats = $this->sandbox()->stats();
        $this->assertSame(0, $stats['api_requests'], 'nothing reached the sandbox');
        $this->assertSame(0, $this->sandbox()->routeCount('POST /v1/{org}/files'));
    }

    public function testDinerosErrorAnswerToAnUploadIsAnApiException(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->inject([
            'kind' => 'status', 'status' => 413, 'content_type' => 'application/json',
            'body' => '{"code":43,"message":"File is too large"}', 'path_contains' => '/files', 'count' => 2,
        ]);
        foreach ([
            static fn () => $client->uploadBytes('x', 'a.txt'),
            fn () => $client->uploadFile($this->write('b.txt', 'y')),
        ] as $upload) {
            try {
                $upload();
                $this->fail('no exception');
            } catch (ApiException $e) {
                $this->assertSame(413, $e->getStatus());
                $this->assertSame(43, $e->getApiCode());
                $this->assertStringContainsString('HTTP 413', $e->getMessage());
                $this->assertSame('POST /v1/{organizationId}/files', $e->getRequest());
            }
        }
        $this->assertSame(2, $this->sandbox()->routeCount('POST /v1/{org}/files'), 'a POST is never repeated');
    }

    public function testInvoicePdfDownloadedAndSavedEqualsWhatTheSandboxServed(): void
    {
        $client = $this->sandbox()->client();
        $invoices = $client->get('/v1/{organizationId}/invoices', ['fields' => 'Guid']);
        $this->assertNotEmpty($invoices['Collection']);
        $guid = $invoices['Collection'][0]['Guid'];
        $path = "/v1/{organizationId}/invoices/$guid";

        $file = "$this->dir/faktura.pdf";
        file_put_contents($file, 'an older version');
        $pdf = $client->download($path, saveTo: $file);
        $this->assertStringStartsWith('%PDF-', $pdf);
        $this->assertSame($pdf, file_get_contents($file), 'saved byte for byte (the old file replaced)');
        $this->assertSame(['faktura.pdf'], array_values(array_diff(scandir($this->dir) ?: [], ['.', '..'])), 'no temporary file left behind');
        $this->assertSame('application/octet-stream', $this->lastRequest()['headers']['accept'] ?? null);

        // What the sandbox serves to any HTTP client with that Accept header.
        $organization = $this->sandbox()->env['DINERO_ORGANIZATION_ID'];
        $served = $this->rawGet("/v1/$organization/invoices/$guid", $client->accessToken(), 'application/octet-stream');
        $this->assertSame($served, $pdf);

        // Response::saveTo, and the JSON form of the same invoice.
        $response = $client->request('GET', $path, null, [], ['Accept' => 'application/octet-stream']);
        $response->saveTo("$this->dir/again.pdf");
        $this->assertSame($pdf, file_get_contents("$this->dir/again.pdf"));
        $json = json_decode($client->download($path, 'application/json'), true);
        $this->assertSame($guid, $json['Guid']);
    }

    public function testUploadedBytesWithoutANameAreNamedByTheLibrary(): void
    {
        $client = $this->sandbox()->client();
        [, , $pdf] = self::samples()['pdf'];
        $guid = $client->uploadBytes($pdf)['FileGuid'];
        $this->assertSame('file.pdf', $this->listed($client, $guid)['FileName'], 'named from its first bytes, as in every binding');
    }

    public function testAnUploadAnsweredWithoutAJsonObjectIsAProtocolException(): void
    {
        $client = $this->sandbox()->client();
        foreach (['[]', '"stored"'] as $body) {
            $this->sandbox()->inject(['kind' => 'status', 'status' => 201, 'body' => $body, 'path_contains' => '/files']);
            try {
                $client->uploadBytes('receipt', 'r.txt');
                $this->fail("no exception for a 201 of '$body'");
            } catch (ProtocolException $e) {
                $this->assertStringContainsString('the 201 answer is not a JSON object', $e->getMessage());
            }
        }
        // Nothing at all: stored, but Dinero did not say under which FileGuid.
        $this->sandbox()->inject(['kind' => 'status', 'status' => 201, 'body' => '', 'path_contains' => '/files']);
        $this->assertSame([], $client->uploadBytes('receipt', 'r.txt'));
    }

    public function testASaveToPathWithANulIsRefusedBeforeTheRequestIsSent(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->reset();
        try {
            $client->download(Client::FILES . '/00000000-0000-4000-8000-000000000000', saveTo: "$this->dir/a\0b.pdf");
            $this->fail('no exception');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('NUL', $e->getMessage());
        }
        $this->assertSame(0, $this->sandbox()->routeCount('GET /v1/{org}/files/{guid}'), 'nothing sent');
    }

    public function testDownloadOfAMissingThingIsAnApiExceptionAndSavesNothing(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->download(Client::FILES . '/00000000-0000-4000-8000-000000000000', saveTo: "$this->dir/nothing.pdf");
            $this->fail('no exception');
        } catch (ApiException $e) {
            $this->assertSame(404, $e->getStatus());
        }
        $this->assertFileDoesNotExist("$this->dir/nothing.pdf");
    }

    public function testDinerosFileTimingComesThroughAsApiExceptions(): void
    {
        // A sandbox with the default archive, its delay longer than any run: the 404 does not
        // depend on the machine's speed, and the config switch ends it.
        $sandbox = new Sandbox(['--file-ready-delay-ms', '3600000']);
        try {
            $client = $sandbox->client();
            $guid = $client->uploadBytes('%PDF-1.4 fresh', 'fresh.pdf')['FileGuid'];
            $this->assertSame([], iterator_to_array($client->paginate(Client::FILES, 100)), 'not attached to a voucher: not listed');
            try {
                $client->download(Client::FILES . "/$guid");
                $this->fail('readable at once');
            } catch (ApiException $e) {
                $this->assertSame([404, 40], [$e->getStatus(), $e->getApiCode()]);
            }
            $sandbox->admin('POST', '/config', ['file_ready_delay_ms' => 0]);
            $this->assertSame('%PDF-1.4 fresh', $client->download(Client::FILES . "/$guid"));
            $this->assertSame([], iterator_to_array($client->paginate(Client::FILES, 100)), 'readable is not attached');
        } finally {
            $sandbox->stop();
        }
    }

    public function testAMissingFileToUploadIsAFileException(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->uploadFile("$this->dir/no-such-receipt.pdf");
            $this->fail('no exception');
        } catch (FileException $e) {
            $this->assertInstanceOf(DineroException::class, $e);
            $this->assertSame(Status::IO, $e->getCode());
            $this->assertStringContainsString('no-such-receipt.pdf', $e->getMessage());
            $this->assertSame(2, $e->getErrno(), 'ENOENT, as in every binding');
        }
        try {
            $client->uploadFile($this->dir); // a folder
            $this->fail('a folder was uploaded');
        } catch (DineroException $e) {
            $this->assertContains($e->getCode(), [Status::IO, Status::INVALID_ARGUMENT]);
        }
        $this->assertSame(0, $this->sandbox()->stats()['api_requests'], 'nothing was sent');
    }

    public function testSavingIntoAMissingFolderIsAFileException(): void
    {
        $client = $this->sandbox()->client();
        $guid = $client->uploadBytes("a\0b", 'a.bin')['FileGuid'];
        $target = "$this->dir/no/such/folder/a.bin";
        try {
            $client->download(Client::FILES . "/$guid", saveTo: $target);
            $this->fail('no exception');
        } catch (FileException $e) {
            $this->assertSame(Status::IO, $e->getCode());
            $this->assertSame(2, $e->getErrno(), 'the folder is missing: ENOENT');
        }
        $response = $client->request('GET', Client::FILES . "/$guid", null, [], ['Accept' => '*/*']);
        try {
            $response->saveTo($target);
            $this->fail('no exception');
        } catch (FileException $e) {
            $this->assertSame(Status::IO, $e->getCode());
        }
        $this->assertSame("a\0b", $response->body(), 'the response is still usable');
        $this->assertDirectoryDoesNotExist("$this->dir/no");
    }

    public function testTheQueryIsEncodedByTheLibrary(): void
    {
        $client = $this->sandbox()->client();
        $page = $client->get(self::CONTACTS, ['queryFilter' => "Name eq 'Børge'"]);
        $this->assertIsArray($page['Collection']);
        $this->assertSame('queryFilter=Name%20eq%20%27B%C3%B8rge%27', $this->lastRequest()['query']);

        $client->request('GET', self::CONTACTS . '?pageSize=1', null, [
            'fields' => 'Name,ContactGuid',
            'note' => '100% & more=yes',
            'deletedOnly' => false,
            'page' => 0,
            'skipped' => null,
            'list' => ['a', 'b'],
        ]);
        $this->assertSame(
            'pageSize=1&fields=Name%2CContactGuid&note=100%25%20%26%20more%3Dyes&deletedOnly=false&page=0&list%5B0%5D=a&list%5B1%5D=b',
            $this->lastRequest()['query'],
            'appended after the query the path has; encoded once; null left out; arrays as key[i]'
        );

        // paginate() goes through get(), so through the builder too.
        $names = [];
        foreach ($client->paginate(self::CONTACTS, 2, ['queryFilter' => "Name eq 'Børge Lund'"]) as $contact) {
            $names[] = $contact['Name'];
        }
        $this->assertSame(['Børge Lund'], $names);
        $this->assertStringContainsString('queryFilter=Name%20eq%20%27B%C3%B8rge%20Lund%27', $this->lastRequest()['query']);
    }

    public function testHeadersAreSentAndValidatedByTheLibrary(): void
    {
        $client = $this->sandbox()->client();
        $response = $client->request('GET', '/v1/organizations', null, [], ['X-Request-Id' => 'php-42', 'Accept-Language' => 'da-DK']);
        $this->assertSame(200, $response->status());
        $headers = $this->lastRequest()['headers'];
        $this->assertSame('php-42', $headers['x-request-id'] ?? null);
        $this->assertSame('da-DK', $headers['accept-language'] ?? null);
        $this->assertStringStartsWith('Bearer ', (string) ($headers['authorization'] ?? ''), 'the library still authenticates');

        $this->sandbox()->reset();
        foreach ([
            'Authorization' => ['Authorization' => 'Bearer stolen'],
            'authorization (any case)' => ['authorization' => 'x'],
            'Host' => ['Host' => 'evil.example'],
            'Content-Length' => ['Content-Length' => '1'],
            'CR LF in a value' => ['X-Note' => "a\r\nX-Evil: 1"],
            'LF in a value' => ['X-Note' => "a\nb"],
            'a space in a name' => ['Bad Name' => 'x'],
            'a colon in a name' => ['X-A:b' => 'x'],
            'an empty name' => ['' => 'x'],
            'NUL in a value' => ['X-Note' => "a\0b"],
            'an array value' => ['X-Note' => ['a']],
            'a list of lines' => ['X-Note: a'],
        ] as $case => $headers) {
            try {
                $client->request('GET', '/v1/organizations', null, [], $headers);
                $this->fail("$case: sent");
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode(), $case);
            }
        }
        $this->assertSame(0, $this->sandbox()->stats()['api_requests'], 'nothing was sent');
    }

    public function testABinaryBodyThroughTheBuilderIsSentByteExact(): void
    {
        // A multipart upload made by hand: the body holds NUL bytes and is sent as it is.
        $client = $this->sandbox()->client();
        $bytes = self::samples()['pdf'][2];
        $boundary = 'php-test-' . bin2hex(random_bytes(8));
        $body = "--$boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hand.pdf\"\r\n"
            . "Content-Type: application/pdf\r\n\r\n$bytes\r\n--$boundary--\r\n";
        $response = $client->request('POST', Client::FILES, $body, [], ['Content-Type' => "multipart/form-data; boundary=$boundary"]);
        $this->assertSame(200, $response->status(), $response->body());
        $this->assertSame($bytes, $client->download(Client::FILES . '/' . $response->json()['FileGuid']));

        // An array body through the builder is JSON, as on the short path.
        $created = $client->request('POST', self::CONTACTS, ['Name' => 'Builder Ærø', 'CountryKey' => 'DK', 'IsPerson' => false, 'IsMember' => false, 'UseCvr' => false], [], ['X-Request-Id' => '1']);
        $this->assertSame(201, $created->status());
        $this->assertSame('application/json', $this->lastRequest()['headers']['content-type'] ?? null);
    }

    public function testANulByteInABodyWithoutContentTypeIsStillRefused(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->request('POST', self::CONTACTS, "{\"Name\":\"a\0b\"}", ['x' => '1']);
            $this->fail('sent');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('NUL', $e->getMessage());
        }
        foreach ([
            'query key' => static fn () => $client->get(self::CONTACTS, ["a\0b" => '1']),
            'query value' => static fn () => $client->get(self::CONTACTS, ['a' => "1\0"]),
            'file path' => static fn () => $client->uploadFile("/tmp/a\0b"),
            'file name' => static fn () => $client->uploadBytes('x', "a\0.txt"),
            'save path' => static fn () => $client->download('/v1/organizations', saveTo: "/tmp/a\0b"),
        ] as $case => $call) {
            try {
                $call();
                $this->fail("$case: accepted");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('NUL', $e->getMessage(), $case);
            }
        }
        $this->assertLessThanOrEqual(1, $this->sandbox()->stats()['api_requests'], 'only the download before its save');
    }

    public function testApiExceptionsAndResponsesNameTheQuery(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->get('/v1/{organizationId}/no-such-thing', ['q' => "Name eq 'Ø'"]);
            $this->fail('no exception');
        } catch (ApiException $e) {
            $this->assertSame(404, $e->getStatus());
            $this->assertStringContainsString("GET /v1/{organizationId}/no-such-thing?q=Name%20eq%20%27%C3%98%27", $e->getRequest());
        }
        $response = $client->request('GET', self::CONTACTS, null, ['pageSize' => 1]);
        $this->assertSame('GET /v1/{organizationId}/contacts?pageSize=1', $response->request());
    }

    public function testBadMethodOrPathIsRefusedByTheBuilder(): void
    {
        $client = $this->sandbox()->client();
        foreach ([['FETCH', '/v1/organizations'], ['GET', '/v1/organi zations'], ['GET', "/v1/x\r\nX-Evil: 1"]] as [$method, $path]) {
            try {
                $client->request($method, $path, null, ['a' => 'b']);
                $this->fail("$method $path was sent");
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            }
        }
        $this->expectException(InvalidArgumentException::class);
        $client->get(self::CONTACTS, ['a' => new \stdClass()]);
    }

    /** @return array<string, mixed> the listed metadata of an uploaded file */
    private function listed(Client $client, string $guid): array
    {
        foreach ($client->paginate(Client::FILES, 100) as $file) {
            if (strcasecmp($file['FileGuid'], $guid) === 0) {
                return $file;
            }
        }
        $this->fail("file $guid is not listed");
    }

    /** @return array<string, mixed> the last request the sandbox logged */
    private function lastRequest(): array
    {
        $requests = $this->sandbox()->admin('GET', '/requests');
        $this->assertNotEmpty($requests);
        return end($requests);
    }

    private function write(string $name, string $bytes): string
    {
        file_put_contents("$this->dir/$name", $bytes);
        return "$this->dir/$name";
    }

    private function rawGet(string $path, string $token, string $accept): string
    {
        $context = stream_context_create(['http' => [
            'header' => "Authorization: Bearer $token\r\nAccept: $accept\r\nConnection: close\r\n",
            'ignore_errors' => true,
        ]]);
        $answer = file_get_contents($this->sandbox()->url() . $path, false, $context);
        $this->assertIsString($answer);
        $this->assertStringContainsString('200', $http_response_header[0]);
        return $answer;
    }
}
