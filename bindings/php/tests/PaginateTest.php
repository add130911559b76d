<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Exception\ApiException;
use Dinero\Exception\InvalidArgumentException;

final class PaginateTest extends SandboxTestCase
{
    private const CONTACTS = '/v1/{organizationId}/contacts';
    private const ROUTE = 'GET /v1/{org}/contacts';

    /** @return list<string> */
    protected static function sandboxFlags(): array
    {
        return ['--seed-contacts', '23', '--rate-limit', '0'];
    }

    public function testEveryItemOncePageByPage(): void
    {
        $client = $this->sandbox()->client();
        $total = $client->get(self::CONTACTS, ['pageSize' => 1])['Pagination']['Result'];
        $this->assertGreaterThan(23, $total);
        $this->sandbox()->reset();

        $generator = $client->paginate(self::CONTACTS, 5, ['fields' => 'ContactGuid,Name']);
        $this->assertInstanceOf(\Generator::class, $generator);
        $items = iterator_to_array($generator);
        $this->assertCount($total, $items, 'keys run on across pages');
        $this->assertCount($total, array_unique(array_column($items, 'ContactGuid')));
        $this->assertSame((int) ceil($total / 5), $this->sandbox()->routeCount(self::ROUTE), 'no extra request after the last page');

        $requests = $this->sandbox()->admin('GET', '/requests');
        $this->assertStringContainsString('fields=ContactGuid%2CName&page=0&pageSize=5', (string) $requests[0]['query']);
    }

    public function testPagingIsLazy(): void
    {
        $client = $this->sandbox()->client();
        foreach ($client->paginate(self::CONTACTS, 3) as $i => $item) {
            if ($i === 4) {
                break;
            }
        }
        $this->assertSame(2, $this->sandbox()->routeCount(self::ROUTE));
    }

    public function testQueryFilterIsPassedOn(): void
    {
        $items = iterator_to_array($this->sandbox()->client()->paginate(self::CONTACTS, 2, ['queryFilter' => "Name contains 'ø'"]));
        $this->assertNotEmpty($items);
        foreach ($items as $item) {
            $this->assertStringContainsStringIgnoringCase('ø', $item['Name']);
        }
    }

    public function testABareArrayIsOnePage(): void
    {
        $items = iterator_to_array($this->sandbox()->client()->paginate('/v1/organizations', 1));
        $this->assertCount(1, $items);
        $this->assertSame(1, $this->sandbox()->routeCount('GET /v1/organizations'));
    }

    public function testAShortPageEndsWithoutPagination(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->inject(['kind' => 'status', 'status' => 200, 'content_type' => 'application/json',
            'body' => '{"Collection":[{"n":1},{"n":2}]}']);
        $this->assertSame([['n' => 1], ['n' => 2]], iterator_to_array($client->paginate(self::CONTACTS, 5)));
        $this->assertSame(1, $this->sandbox()->routeCount(self::ROUTE));
    }

    public function testAnHttpErrorStopsWithApiException(): void
    {
        $client = $this->sandbox()->client(['max_retries' => 0]);
        $seen = 0;
        try {
            foreach ($client->paginate(self::CONTACTS, 4) as $item) {
                if (++$seen === 1) {
                    // the first page has arrived: make the next one fail
                    $this->sandbox()->inject(['kind' => 'status', 'status' => 500]);
                }
            }
            $this->fail('no exception');
        } catch (ApiException $e) {
            $this->assertSame(500, $e->getStatus());
        }
        $this->assertSame(4, $seen, 'the first page was yielded before the error');
    }

    public function testPageSizeMustBePositive(): void
    {
        $this->expectException(InvalidArgumentException::class);
        iterator_to_array($this->sandbox()->client()->paginate(self::CONTACTS, 0));
    }
}
