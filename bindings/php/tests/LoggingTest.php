<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Client;
use Dinero\Exception\InvalidArgumentException;
use Dinero\LogLevel;
use Dinero\Callback;
use Dinero\Options;
use Dinero\Status;

/** The 'logger' option: the library's log lines forwarded to a PSR-3-style callable or object. */
final class LoggingTest extends SandboxTestCase
{
    private const CONTACTS = '/v1/{organizationId}/contacts';
    private const PSR_LEVELS = ['error', 'warning', 'info', 'debug'];

    /**
     * Secrets that cannot turn up by chance (the default client secret "dinero" is in the
     * token URL's path).
     */
    protected static function sandboxFlags(): array
    {
        return ['--client-secret', 'php-logging-secret-Qx7', '--api-key', 'php-logging-api-key-Zr4'];
    }

    /** @var list<array{string, string}> [level, message] as the logger received them */
    private array $lines = [];

    private function client(array $extra = []): Client
    {
        return $this->sandbox()->client($extra + [
            'logger' => function (string $level, string $message): void {
                $this->lines[] = [$level, $message];
            },
        ]);
    }

    /** @return list<string> the messages logged at $level */
    private function messages(?string $level = null): array
    {
        $messages = [];
        foreach ($this->lines as [$lineLevel, $message]) {
            if ($level === null || $lineLevel === $level) {
                $messages[] = $message;
            }
        }
        return $messages;
    }

    private function contactsPath(): string
    {
        return '/v1/' . $this->sandbox()->env['DINERO_ORGANIZATION_ID'] . '/contacts';
    }

    public function testTheCallableReceivesTokenRequestAndRetryLines(): void
    {
        $client = $this->client();
        $this->assertContainsMatch('~^POST /\S*token -> 200 \(attempt 1, \d+ ms\)$~', $this->messages('info'));
        $this->assertContainsMatch('~^new token from the token endpoint \(lifetime \d+ s\)$~', $this->messages('info'));

        $this->lines = [];
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
        $this->assertIsArray($client->get(self::CONTACTS, ['page' => 0, 'pageSize' => 2]));
        $path = preg_quote($this->contactsPath(), '~');
        $this->assertSame(
            [['warning', 0], ['info', 0]],
            array_map(fn (array $line) => [$line[0], 0], $this->lines),
            'one warning for the retried attempt, one info line for the answer: ' . json_encode($this->lines)
        );
        $this->assertMatchesRegularExpression("~^GET $path -> 503 \\(attempt 1, \\d+ ms\\); retrying in \\d+ ms$~", $this->lines[0][1]);
        $this->assertMatchesRegularExpression("~^GET $path -> 200 \\(attempt 2, \\d+ ms\\)$~", $this->lines[1][1]);
        foreach ($this->messages() as $message) {
            $this->assertStringNotContainsString('?', $message, 'the query is left out');
        }
    }

    public function testATransportFailureIsAnErrorLine(): void
    {
        $client = $this->client(['max_retries' => 0]);
        $this->lines = [];
        $this->sandbox()->inject(['kind' => 'drop', 'count' => 1]);
        try {
            $client->request('GET', self::CONTACTS);
            $this->fail('a dropped connection without retries is a NetworkException');
        } catch (\Dinero\Exception\NetworkException) {
        }
        $this->assertCount(1, $this->lines, json_encode($this->lines));
        $this->assertSame('error', $this->lines[0][0]);
        $this->assertMatchesRegularExpression('~^GET ' . preg_quote($this->contactsPath(), '~') . ' -> failed: .+ \(attempt 1, \d+ ms\)$~', $this->lines[0][1]);
    }

    public function testNoLineContainsASecret(): void
    {
        $env = $this->sandbox()->env;
        $this->assertSame('php-logging-secret-Qx7', $env['DINERO_CLIENT_SECRET']);
        $client = $this->client(['log_level' => 'debug']);
        $tokens = [$client->accessToken()];
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 2]);
        $client->get(self::CONTACTS);
        // A 401 makes the client replace its token: a warning, a token request, a new token.
        $this->sandbox()->inject(['kind' => 'status', 'status' => 401, 'count' => 1]);
        $client->get(self::CONTACTS);
        $tokens[] = $client->accessToken();
        $client->request('POST', self::CONTACTS, ['Name' => 'Secretive', 'CountryKey' => 'DK', 'IsPerson' => true, 'IsMember' => false, 'UseCvr' => false]);

        $messages = $this->messages();
        $this->assertGreaterThanOrEqual(8, count($messages), json_encode($this->lines));
        $this->assertContainsMatch('~refused the token \(401\)~', $this->messages('warning'));
        foreach ($this->lines as [$level, $message]) {
            $this->assertContains($level, self::PSR_LEVELS);
            foreach ([$env['DINERO_CLIENT_SECRET'], $env['DINERO_API_KEY'], ...$tokens] as $secret) {
                $this->assertNotSame('', $secret);
                $this->assertStringNotContainsString($secret, $message);
            }
        }
    }

    public function testLogLevelFilters(): void
    {
        // 'warning': no line for a token or a plain request, the retry's warning comes.
        $client = $this->client(['log_level' => 'warning']);
        $client->get(self::CONTACTS);
        $this->assertSame([], $this->lines);
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
        $client->get(self::CONTACTS);
        $this->assertCount(1, $this->lines, json_encode($this->lines));
        $this->assertSame('warning', $this->lines[0][0]);
        unset($client);

        // 'error' (and LogLevel::ERROR): a retried request that ends well says nothing.
        foreach (['error', 'ERROR', LogLevel::ERROR, 'critical'] as $level) {
            $this->lines = [];
            $client = $this->client(['log_level' => $level]);
            $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
            $client->get(self::CONTACTS);
            $this->assertSame([], $this->lines, "log_level $level");
        }

        // 'debug' lets everything through, 'info' (the default) too for these lines.
        foreach (['debug', 'info', null] as $level) {
            $this->lines = [];
            $client = $this->client($level === null ? [] : ['log_level' => $level]);
            $client->get(self::CONTACTS);
            $this->assertCount(3, $this->messages('info'), json_encode($this->lines));
        }
    }

    public function testTheLibrarysOtherLevelNames(): void
    {
        // The names the library reads for every binding: console's 'warn' is 'warning', and
        // 'off' installs no logger at all.
        $client = $this->client(['log_level' => 'WARN']);
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
        $client->get(self::CONTACTS);
        $this->assertSame(['warning'], array_column($this->lines, 0), json_encode($this->lines));
        unset($client);

        $this->lines = [];
        $live = Callback::live();
        $client = $this->client(['log_level' => 'off']);
        $this->assertSame($live, Callback::live(), "'off' registers no logger");
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
        $client->get(self::CONTACTS);
        $this->assertSame([], $this->lines);
    }

    public function testBadLoggerOrLevelIsInvalid(): void
    {
        foreach ([['log_level' => 'verbose'], ['log_level' => 0], ['log_level' => 5], ['log_level' => 1.5],
                  ['logger' => 42], ['logger' => 'no_such_function'], ['logger' => new \stdClass()]] as $options) {
            try {
                $this->sandbox()->client($options);
                $this->fail('accepted ' . var_export($options, true));
            } catch (InvalidArgumentException $e) {
                $this->assertSame(Status::INVALID_ARGUMENT, $e->getCode());
                $this->assertMatchesRegularExpression("~option '(logger|log_level)'~", $e->getMessage());
            }
        }
        $this->assertSame(0, $this->sandbox()->stats()['tokens_issued'], 'refused before anything was sent');
        // null means no logger.
        $this->assertSame(200, $this->sandbox()->client(['logger' => null])->request('GET', '/v1/organizations')->status());
    }

    public function testAThrowingLoggerDoesNotBreakRequests(): void
    {
        $calls = 0;
        $loggers = [
            function (string $level, string $message) use (&$calls): void {
                $calls++;
                throw new \RuntimeException("logger broke on: $message");
            },
            function (string $level, string $message) use (&$calls): void {
                $calls++;
                trigger_error('a warning PHPUnit turns into an exception', E_USER_WARNING);
            },
            function (int $wrongSignature) use (&$calls): void { // a TypeError on every call
                $calls++;
            },
        ];
        foreach ($loggers as $i => $logger) {
            $before = $calls;
            $client = $this->sandbox()->client(['logger' => $logger, 'log_level' => 'debug']);
            $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 2]);
            $this->assertIsArray($client->get(self::CONTACTS), "logger $i");
            $this->assertSame(200, $client->request('GET', '/v1/organizations')->status());
            $this->assertNotEmpty($client->accessToken());
            if ($i < 2) {
                $this->assertGreaterThanOrEqual(6, $calls - $before, "logger $i was called for every line");
            }
        }
    }

    public function testAPsr3LikeObject(): void
    {
        $logger = new class () {
            /** @var list<array{mixed, string, array<mixed>}> */
            public array $records = [];

            /** @param array<mixed> $context */
            public function log($level, string|\Stringable $message, array $context = []): void
            {
                $this->records[] = [$level, (string) $message, $context];
            }
        };
        $client = $this->sandbox()->client(['logger' => $logger, 'log_level' => 'info']);
        $this->sandbox()->inject(['kind' => 'status', 'status' => 503, 'count' => 1]);
        $client->get(self::CONTACTS);
        $levels = array_column($logger->records, 0);
        $this->assertSame(['info', 'info', 'warning', 'info'], $levels, json_encode($logger->records));
        $this->assertMatchesRegularExpression('~^new token from the token endpoint~', $logger->records[1][1]);
        $this->assertStringContainsString('; retrying in ', $logger->records[2][1]);
        $this->assertSame([], $logger->records[3][2], 'an empty context');

        // An invokable object with a log() method is taken as a PSR-3 logger.
        $both = new class () {
            public array $via = [];

            public function log($level, string|\Stringable $message, array $context = []): void
            {
                $this->via[] = 'log';
            }

            public function __invoke(string $level, string $message): void
            {
                $this->via[] = 'invoke';
            }
        };
        $this->sandbox()->client(['logger' => $both]);
        $this->assertSame(['log', 'log'], $both->via);
    }

    public function testOtherCallables(): void
    {
        $recorder = new class () {
            public array $lines = [];

            public function record(string $level, string $message): void
            {
                $this->lines[] = "$level: $message";
            }

            public static array $static = [];

            public static function recordStatic(string $level, string $message): void
            {
                self::$static[] = "$level: $message";
            }
        };
        $this->sandbox()->client(['logger' => [$recorder, 'record']]);
        $this->sandbox()->client(['logger' => [$recorder::class, 'recordStatic']]);
        $this->assertCount(2, $recorder->lines);
        $this->assertSame($recorder->lines[1], $recorder::$static[1]);
    }

    /** The closure handed to C lives with the client, whatever happens to the caller's references. */
    public function testTheCallbackLivesAsLongAsTheClient(): void
    {
        $received = new \ArrayObject();
        $make = function () use ($received): Client {
            $logger = static function (string $level, string $message) use ($received): void {
                $received[] = $message;
            };
            return $this->sandbox()->client(['logger' => $logger]);
        };
        $client = $make();
        gc_collect_cycles();
        $count = count($received);
        $client->get(self::CONTACTS);
        $this->assertSame($count + 1, count($received));

        // Many clients with loggers, made and freed: no crash, each logs for itself.
        for ($i = 0; $i < 50; $i++) {
            $lines = 0;
            $short = $this->sandbox()->client(['logger' => function () use (&$lines): void {
                $lines++;
            }]);
            $short->request('GET', '/v1/organizations');
            unset($short);
            $this->assertSame(3, $lines);
        }
        gc_collect_cycles();
        $client->get(self::CONTACTS);
        $this->assertSame($count + 2, count($received));
    }

    /**
     * PHP's FFI keeps every closure it turned into a C function pointer until the end of the
     * request, so a trampoline per client would grow a CLI worker that makes a client per job:
     * the binding has one per process, and a client's logger goes when the client goes.
     */
    public function testLoggersDoNotAccumulate(): void
    {
        $live = Callback::live();
        $destructed = 0;
        $make = static function () use (&$destructed): object {
            return new class ($destructed) {
                public function __construct(private int &$destructed)
                {
                }

                public function log($level, string|\Stringable $message, array $context = []): void
                {
                }

                public function __destruct()
                {
                    $this->destructed++;
                }
            };
        };
        $client = $this->sandbox()->client(['logger' => $make()]);
        $this->assertSame($live + 1, Callback::live());
        unset($client);
        $this->assertSame($live, Callback::live());
        $this->assertSame(1, $destructed, 'the logger itself is released with its client');

        new Options(['logger' => $make()]); // warm-up: the one trampoline
        $before = memory_get_usage();
        for ($i = 0; $i < 2000; $i++) {
            $options = new Options(['logger' => $make(), 'log_level' => 'debug']);
            unset($options);
        }
        gc_collect_cycles();
        $this->assertSame($live, Callback::live());
        $this->assertSame(2002, $destructed);
        $this->assertLessThan(64 * 1024, memory_get_usage() - $before, 'no memory kept per logger');
    }

    /** @param list<string> $messages */
    private function assertContainsMatch(string $pattern, array $messages): void
    {
        foreach ($messages as $message) {
            if (preg_match($pattern, $message)) {
                $this->addToAssertionCount(1);
                return;
            }
        }
        $this->fail("no message matches $pattern in " . json_encode($messages));
    }
}
