<?php

declare(strict_types=1);

namespace Dinero\Tests;

use PHPUnit\Framework\TestCase;

/** One sandbox per test class, faults cleared and counters reset before each test. */
abstract class SandboxTestCase extends TestCase
{
    protected static ?Sandbox $sandbox = null;

    /** @return list<string> dinero-sandbox flags for this class */
    protected static function sandboxFlags(): array
    {
        return [];
    }

    public static function setUpBeforeClass(): void
    {
        static::$sandbox = new Sandbox(static::sandboxFlags());
    }

    public static function tearDownAfterClass(): void
    {
        static::$sandbox?->stop();
        static::$sandbox = null;
    }

    protected function setUp(): void
    {
        static::$sandbox->reset();
    }

    protected function sandbox(): Sandbox
    {
        return static::$sandbox;
    }
}
