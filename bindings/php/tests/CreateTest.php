<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Exception\ApiException;
use Dinero\Exception\InvalidArgumentException;
use Dinero\Exception\NetworkException;

/** Exactly-once creates: a lost answer is settled by the GUID, never by a blind repeat. */
final class CreateTest extends SandboxTestCase
{
    private const CONTACTS = '/v1/{organizationId}/contacts';
    private const CONTACT = ['Name' => 'Åse Ørum', 'CountryKey' => 'DK', 'IsPerson' => true, 'IsMember' => false, 'UseCvr' => false];

    /** @return list<string> */
    protected static function sandboxFlags(): array
    {
        return ['--rate-limit', '0'];
    }

    public function testAResetAfterTheServerStoredItStillGivesOneContact(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->reset();
        $this->sandbox()->inject(['kind' => 'reset', 'after_processing' => true, 'method' => 'POST']);
        ['guid' => $guid, 'answer' => $answer] = $client->create(self::CONTACTS, self::CONTACT);
        $this->assertSame($guid, $answer['ContactGuid']);
        $this->assertSame('Åse Ørum', $answer['Name'], 'the entity, read back');
        $this->assertSame(['contacts' => 1], $this->sandbox()->stats()['created']);
        $this->assertSame(1, $this->sandbox()->routeCount('POST /v1/{org}/contacts'));
    }

    public function testAResetBeforeItWasStoredSendsItAgainOnce(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->reset();
        $this->sandbox()->inject(['kind' => 'reset', 'method' => 'POST']);
        ['guid' => $guid, 'answer' => $answer] = $client->create(self::CONTACTS, self::CONTACT);
        $this->assertSame(['ContactGuid' => $guid], $answer);
        $this->assertSame(['contacts' => 1], $this->sandbox()->stats()['created']);
        $this->assertSame(2, $this->sandbox()->routeCount('POST /v1/{org}/contacts'));
    }

    public function testARefusalThrowsAndAnUnknowableOutcomeNamesTheGuid(): void
    {
        $client = $this->sandbox()->client();
        try {
            $client->create(self::CONTACTS, ['Name' => 'Uden land']);
            $this->fail('refused by Dinero');
        } catch (ApiException $e) {
            $this->assertSame(400, $e->getStatus());
        }
        $own = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
        $this->sandbox()->inject(['kind' => 'reset', 'after_processing' => true, 'method' => 'POST']);
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'method' => 'GET', 'count' => 10]);
        try {
            $client->create(self::CONTACTS, self::CONTACT + ['ContactGuid' => $own]);
            $this->fail('the outcome cannot be known');
        } catch (NetworkException $e) {
            $this->assertStringContainsString($own, $e->getMessage());
        }
        $this->expectException(InvalidArgumentException::class);
        $client->create('/v1/{organizationId}/products', ['Name' => 'Kaffe']);
    }

    public function testADraftsNumberArrivesExactlyEverywhere(): void
    {
        $client = $this->sandbox()->client();
        $this->sandbox()->reset();
        $invoices = '/v1/{organizationId}/invoices';
        ['guid' => $guid] = $client->create($invoices, ['ProductLines' => [['Quantity' => 1, 'BaseAmountValue' => 10]]]);
        // 2^63-1 is PHP_INT_MAX on 64-bit PHP: an exact int, never a float.
        $this->assertSame(PHP_INT_MAX, $client->get("$invoices/$guid")['Number']);
        $numbers = [];
        foreach ($client->paginate($invoices, 100, ['fields' => 'Guid,Number', 'statusFilter' => 'Draft']) as $invoice) {
            $numbers[$invoice['Guid']] = $invoice['Number'];
        }
        $this->assertSame(PHP_INT_MAX, $numbers[$guid]);
        $this->assertSame(PHP_INT_MAX, $client->request('GET', "$invoices/$guid")->json()['Number']);
        // Past PHP_INT_MAX, JSON_BIGINT_AS_STRING keeps the digits as a string, in error bodies too.
        $this->sandbox()->inject(['kind' => 'status', 'status' => 400, 'content_type' => 'application/json',
            'body' => '{"code":42,"message":"Validation error","validationErrors":{"Number":9223372036854775807},"errorMessageList":[{"Code":42,"Number":9223372036854775807,"Big":18446744073709551615}]}']);
        try {
            $client->get($invoices);
            $this->fail('an error answer');
        } catch (ApiException $e) {
            $this->assertSame('9223372036854775807', $e->getValidationErrors()['Number'], 'a message: text, exact');
            $this->assertSame(PHP_INT_MAX, $e->getErrorMessageList()[0]['Number']);
            $this->assertSame('18446744073709551615', $e->getErrorMessageList()[0]['Big']);
        }
        $this->sandbox()->inject(['kind' => 'malformed', 'body' => '{"Number":18446744073709551615}']);
        $this->assertSame('18446744073709551615', $client->get($invoices)['Number']);
    }
}
