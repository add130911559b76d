<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Client;
use Dinero\Exception\ApiException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Library;
use Dinero\Response;
use Dinero\Status;

final class ClientTest extends SandboxTestCase
{
    private const CONTACTS = '/v1/{organizationId}/contacts';

    public function testAuthenticateReturnsAClientAndTakesOneToken(): void
    {
        $client = $this->sandbox()->client();
        $this->assertInstanceOf(Client::class, $client);
        $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
        $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
        $stats = $this->sandbox()->stats();
        $this->assertSame(1, $stats['tokens_issued']);
        $this->assertSame(2, $stats['api_requests']);
        $this->assertSame('cdef', Library::loadedVia(), 'in-process tests load with FFI::cdef');
    }

    public function testAccessTokenIsTheBearerTokenTheClientUses(): void
    {
        $client = $this->sandbox()->client();
        $token = $client->accessToken();
        $this->assertGreaterThan(20, strlen($token));
        $this->assertSame($token, $client->accessToken(), 'still valid: the same token');
        // The token works for our own HTTP: the sandbox accepts it.
        $context = stream_context_create(['http' => [
            'header' => "Authorization: Bearer $token\r\nConnection: close\r\n",
            'ignore_errors' => true,
        ]]);
        $answer = file_get_contents($this->sandbox()->url() . '/v1/organizations', false, $context);
        $this->assertStringContainsString('200', $http_response_header[0]);
        $this->assertIsArray(json_decode((string) $answer, true));
    }

    public function testRequestReturnsEveryStatusAsAResponse(): void
    {
        $client = $this->sandbox()->client();
        $ok = $client->request('GET', self::CONTACTS . '?page=0&pageSize=2');
        $this->assertInstanceOf(Response::class, $ok);
        $this->assertSame(200, $ok->status());
        $this->assertTrue($ok->isSuccess());
        $this->assertCount(2, $ok->json()['Collection']);

        $invalid = $client->request('POST', self::CONTACTS, ['CountryKey' => 'DK', 'IsPerson' => true]);
        $this->assertSame(400, $invalid->status());
        $this->assertFalse($invalid->isSuccess());
        $this->assertSame(42, $invalid->json()['code']);

        $missing = $client->request('GET', '/v1/{organizationId}/no-such-thing');
        $this->assertSame(404, $missing->status());
        $this->assertStringContainsString('<html', strtolower($missing->body()));
    }

    public function testRequestBodiesArrayStringAndNull(): void
    {
        $client = $this->sandbox()->client();
        $created = $client->request('POST', self::CONTACTS, ['Name' => 'Børge Lund/PHP', 'CountryKey' => 'DK', 'IsPerson' => true, 'IsMember' => false, 'UseCvr' => false]);
        $this->assertSame(201, $created->status());
        $guid = $created->json()['ContactGuid'];

        $fetched = $client->request('GET', self::CONTACTS . "/$guid")->json();
        $this->assertSame('Børge Lund/PHP', $fetched['Name'], 'UTF-8 and slashes arrive byte-exact');
        $logged = $this->lastLoggedBody('POST');
        $this->assertStringContainsString('"Børge Lund/PHP"', $logged, 'JSON_UNESCAPED_UNICODE|JSON_UNESCAPED_SLASHES');

        $raw = $client->request('POST', self::CONTACTS, '{"Name":"Raw String","CountryKey":"DK","IsPerson":false,"IsMember":false,"UseCvr":true}');
        $this->assertSame(201, $raw->status());

        $this->assertSame(200, $client->request('GET', self::CONTACTS, null)->status());

        $client->request('POST', self::CONTACTS, []);
        $this->assertSame('{}', $this->lastLoggedBody('POST'), 'an empty array is sent as an empty object');
    }

    public function testGetDecodesJsonAndEncodesTheQueryRfc3986(): void
    {
        $client = $this->sandbox()->client();
        $organizations = $client->get('/v1/organizations');
        $this->assertIsArray($organizations);
        $this->assertSame((int) $this->sandbox()->env['DINERO_ORGANIZATION_ID'], $organizations[0]['Id']);

        $page = $client->get(self::CONTACTS, ['queryFilter' => "Name eq 'Børge Lund'", 'fields' => 'Name,ContactGuid']);
        $this->assertSame(['Børge Lund'], array_column($page['Collection'], 'Name'));
        $this->assertStringContainsString('queryFilter=Name%20eq%20%27B%C3%B8rge%20Lund%27', $this->lastTarget());

        // A query appended to a path that has one already.
        $two = $client->get(self::CONTACTS . '?pageSize=2', ['page' => 0, 'deletedOnly' => false]);
        $this->assertCount(2, $two['Collection']);
        $this->assertStringContainsString('?pageSize=2&page=0&deletedOnly=false', $this->lastTarget());
    }

    public function testPostPutDeleteRoundTrip(): void
    {
        $client = $this->sandbox()->client();
        $created = $client->post(self::CONTACTS, ['Name' => 'Ærø Test', 'CountryKey' => 'DK', 'IsPerson' => false, 'IsMember' => false, 'UseCvr' => false]);
        $this->assertIsString($created['ContactGuid']);
        $path = self::CONTACTS . '/' . $created['ContactGuid'];

        $updated = $client->put($path, ['Name' => 'Ærø Test 2', 'CountryKey' => 'DK', 'IsPerson' => false, 'IsMember' => false, 'UseCvr' => false]);
        $this->assertTrue($updated === null || is_array($updated));
        $this->assertSame('Ærø Test 2', $client->get($path)['Name']);

        $deleted = $client->delete($path);
        $this->assertTrue($deleted === null || is_array($deleted));
        $this->assertSame(1, $this->sandbox()->routeCount('DELETE /v1/{org}/contacts/{guid}'));
        $after = $client->request('GET', $path);
        $this->assertTrue($after->status() >= 400 || ($after->json()['DeletedAt'] ?? null) !== null, "gone or marked deleted: HTTP {$after->status()}");
    }

    public function testAnApiExceptionQuotesTheServerPrintableAndShort(): void
    {
        $hostile = "\e]0;owned\x07\e[2J\nERROR forged line\u{202e}" . str_repeat('x', 5000);
        $this->sandbox()->inject(['kind' => 'status', 'status' => 400, 'body' => json_encode(['code' => 7, 'message' => $hostile])]);
        try {
            $this->sandbox()->client(['max_retries' => 0])->get('/v1/organizations');
            $this->fail('no exception');
        } catch (ApiException $e) {
            $message = $e->getMessage();
            $this->assertStringStartsWith('HTTP 400 (Dinero code 7): ]0;owned [2J ERROR forged line x', $message);
            $this->assertSame(0, preg_match('~[\x{0}-\x{1f}\x{7f}-\x{9f}\x{202e}]~u', $message), substr($message, 0, 80));
            $this->assertLessThan(1100, strlen($message));
            $this->assertStringStartsWith(']0;owned [2J ERROR forged line x', (string) $e->getApiMessage());
        }
    }

    public function testHelpersThrowApiExceptionOnHttpErrors(): void
    {
        $client = $this->sandbox()->client();
        foreach (['get', 'post', 'put', 'delete'] as $method) {
            try {
                $client->$method('/v1/{organizationId}/contacts/00000000-0000-0000-0000-000000000000x', []);
                $this->fail("$method did not throw");
            } catch (ApiException $e) {
                $this->assertGreaterThanOrEqual(400, $e->getStatus(), $method);
                $this->assertSame(0, $e->getCode());
            }
        }
        try {
            $client->post(self::CONTACTS, ['CountryKey' => 'DK', 'IsPerson' => true]);
            $this->fail('a contact without Name was accepted');
        } catch (ApiException $e) {
            $this->assertSame(400, $e->getStatus());
            $this->assertSame(42, $e->getApiCode());
            $this->assertArrayHasKey('Name', $e->getValidationErrors());
            $this->assertStringContainsString('"code":42', str_replace(' ', '', $e->getBody()));
            $this->assertStringContainsString('HTTP 400', $e->getMessage());
            $this->assertSame('POST /v1/{organizationId}/contacts', $e->getRequest());
        }
    }

    /** @return iterable<string, array{0: \Closure}> */
    public static function nulByteCases(): iterable
    {
        yield 'path' => [static fn (Client $c) => $c->request('GET', "/v1/organizations\0/x")];
        yield 'method' => [static fn (Client $c) => $c->request("GET\0", '/v1/organizations')];
        yield 'string body' => [static fn (Client $c) => $c->request('POST', self::CONTACTS, "{\"Name\":\"a\0b\"}")];
        yield 'header name' => [static fn (Client $c) => $c->request('GET', '/v1/organizations')->header("Content-Type\0x")];
    }

    /** @dataProvider nulByteCases */
    public function testANulByteIsAnInvalidArgumentNotATruncation(\Closure $call): void
    {
        $client = $this->sandbox()->client();
        $before = $this->sandbox()->stats()['api_requests'];
        try {
            $call($client);
            $this->fail('no exception');
        } catch (InvalidArgumentException $e) {
            $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            $this->assertStringContainsString('NUL', $e->getMessage());
        }
        $this->assertLessThanOrEqual(1, $this->sandbox()->stats()['api_requests'] - $before, 'the bad request was not sent');
    }

    public function testANulByteInCredentialsOrOptionsIsAnInvalidArgument(): void
    {
        $env = $this->sandbox()->env;
        $cases = [
            'client id' => fn () => Client::authenticate("rasmus\0x", 's', 'k', $this->sandbox()->options()),
            'secret' => fn () => Client::authenticate('rasmus', "dinero\0x", 'k', $this->sandbox()->options()),
            'api key' => fn () => Client::authenticate('rasmus', 'dinero', $env['DINERO_API_KEY'] . "\0x", $this->sandbox()->options()),
            'option value' => fn () => $this->sandbox()->client(['organization_id' => "424242\0 1"]),
            'option key' => fn () => $this->sandbox()->client(["user_agent\0" => 'x']),
        ];
        foreach ($cases as $name => $call) {
            try {
                $call();
                $this->fail("$name: no exception");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('NUL', $e->getMessage(), $name);
                $this->assertStringNotContainsString($env['DINERO_API_KEY'], $e->getMessage(), $name);
            }
        }
        $this->assertSame(0, $this->sandbox()->stats()['token_requests'], 'nothing was sent');
    }

    public function testOptionValuesIntBoolAndString(): void
    {
        // int: converted to its decimal text.
        $client = $this->sandbox()->client(['timeout_ms' => 5000, 'max_retries' => 0, 'user_agent' => 'php-test/1']);
        $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
        $requests = $this->sandbox()->admin('GET', '/requests');
        $this->assertStringStartsWith('php-test/1', (string) (end($requests)['headers']['user-agent'] ?? ''));

        // bool: spelled "true"/"false"; no option takes one today, so the library refuses it.
        try {
            $this->sandbox()->client(['max_retries' => true]);
            $this->fail('a bool max_retries was accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            $this->assertStringContainsString('max_retries', $e->getMessage());
        }
        // a float that is not whole: refused by the library, as in every binding, naming the
        // option; a whole one is its number, and null leaves the default.
        try {
            $this->sandbox()->client(['timeout_ms' => 1.5]);
            $this->fail('a float was accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('timeout_ms', $e->getMessage());
        }
        $client = $this->sandbox()->client(['timeout_ms' => 5000.0, 'user_agent' => null]);
        $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
        $requests = $this->sandbox()->admin('GET', '/requests');
        $this->assertStringStartsWith('libdinero/', (string) (end($requests)['headers']['user-agent'] ?? ''), 'null: the default');
    }

    public function testUnknownOptionsAndBadValuesAreInvalidArguments(): void
    {
        try {
            $this->sandbox()->client(['no_such_option' => 'x']);
            $this->fail('accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            $this->assertStringContainsString("unknown option 'no_such_option'", $e->getMessage());
            $this->assertStringContainsString('api_url', $e->getMessage(), 'the message lists the valid keys');
        }
        $this->expectException(InvalidArgumentException::class);
        $this->sandbox()->client(['max_retries' => 99]);
    }

    public function testBadMethodAndSpaceInPathAreRefusedBeforeSending(): void
    {
        $client = $this->sandbox()->client();
        foreach ([['FETCH', '/v1/organizations'], ['GET', '/v1/organi zations'], ['GET', "/v1/x\r\nX-Evil: 1"]] as [$method, $path]) {
            try {
                $client->request($method, $path);
                $this->fail("$method $path was sent");
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            }
        }
        $this->assertSame(0, $this->sandbox()->stats()['api_requests']);
    }

    public function testOrganizationIdIsFilledIntoPaths(): void
    {
        $client = $this->sandbox()->client();
        $client->get(self::CONTACTS, ['pageSize' => 1]);
        $this->assertSame(1, $this->sandbox()->routeCount('GET /v1/{org}/contacts'));
        $this->assertStringStartsWith('/v1/' . $this->sandbox()->env['DINERO_ORGANIZATION_ID'] . '/contacts', $this->lastTarget());
    }

    public function testQueryNumbersGoExactlyAndNanIsRefused(): void
    {
        $client = $this->sandbox()->client();
        $client->request('GET', '/v1/{organizationId}/contacts', null, ['a' => 0.1 + 0.2, 'b' => 123456789012345.67, 'c' => 7, 'pageSize' => 1]);
        $this->assertStringEndsWith('?a=0.30000000000000004&b=123456789012345.67&c=7&pageSize=1', $this->lastTarget());
        foreach ([NAN, INF, -INF] as $number) {
            try {
                $client->request('GET', '/v1/{organizationId}/contacts', null, ['q' => $number]);
                $this->fail("$number was sent");
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
            }
        }
        // A hand-made ApiException takes only an HTTP status (65936 is not 400).
        foreach ([65936, -1, PHP_INT_MAX, 99] as $status) {
            try {
                new \Dinero\Exception\ApiException($status, '');
                $this->fail("status $status was taken");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('HTTP status', $e->getMessage());
            }
        }
    }

    public function testDestructFreesAndResponsesOutliveTheirClient(): void
    {
        $client = $this->sandbox()->client();
        $response = $client->request('GET', '/v1/organizations');
        unset($client); // the client is freed here; the response owns its own data
        $this->assertSame(200, $response->status());
        $this->assertIsArray($response->json());

        // A client used after an explicit __destruct() is an invalid argument, as the one
        // mapping of statuses says (NULL_ARGUMENT: InvalidArgumentException).
        $client = $this->sandbox()->client();
        $client->__destruct();
        try {
            $client->get('/v1/organizations');
            $this->fail('a freed client was used');
        } catch (InvalidArgumentException $e) {
            $this->assertSame(Status::NULL_ARGUMENT, $e->getCode());
        }
    }

    /** The path and query of the last request the sandbox logged (never its headers: they hold the token). */
    private function lastTarget(): string
    {
        $requests = $this->sandbox()->admin('GET', '/requests');
        $last = end($requests);
        $query = (string) ($last['query'] ?? '');
        return $last['path'] . ($query !== '' ? "?$query" : '');
    }

    public function testHandleOwnersCannotBeCloned(): void
    {
        $client = $this->sandbox()->client();
        $response = $client->request('GET', '/v1/organizations');
        foreach ([$client, $response] as $owner) {
            try {
                $copy = clone $owner;
                $this->fail('cloned ' . get_class($copy));
            } catch (\Error $e) {
                $this->assertStringContainsString('private', $e->getMessage());
            }
        }
    }

    private function lastLoggedBody(string $method): string
    {
        $requests = $this->sandbox()->admin('GET', '/requests');
        foreach (array_reverse($requests) as $entry) {
            if (($entry['method'] ?? '') === $method) {
                return (string) ($entry['body'] ?? '');
            }
        }
        return '';
    }
}
