<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Library;
use PHPUnit\Framework\TestCase;

/** Library lookup (docs/design.md): DINERO_LIBRARY, the package's lib/, a checkout's target/release, the system loader. */
final class LibraryTest extends TestCase
{
    private const REPORT = 'echo json_encode(["version" => Dinero\Library::version(), "via" => Dinero\Library::loadedVia(), "from" => Dinero\Library::loadedFrom()]), "\n";';

    public function testVersionMatchesCargoToml(): void
    {
        $cargo = (string) file_get_contents(dirname(__DIR__, 3) . '/Cargo.toml');
        $this->assertMatchesRegularExpression('~^\d+\.\d+\.\d+~', Library::version());
        $this->assertStringContainsString('version = "' . Library::version() . '"', $cargo);
    }

    public function testDineroLibraryComesFirst(): void
    {
        $library = (string) getenv('DINERO_LIBRARY');
        if ($library === '') {
            $this->markTestSkipped('DINERO_LIBRARY is not set');
        }
        $result = ChildPhp::json(self::REPORT, [], ['DINERO_LIBRARY' => $library]);
        $this->assertSame(['version' => Library::version(), 'via' => 'cdef', 'from' => $library], $result);
    }

    public function testDineroLibraryNamingAMissingFileIsAClearError(): void
    {
        [$exit, $stdout, $stderr] = (new ChildPhp(
            'try { Dinero\Library::version(); } catch (Dinero\Exception\DineroException $e) { echo $e->getMessage(), "\n"; exit(3); }',
            [],
            ['DINERO_LIBRARY' => '/nonexistent/libdinero.so']
        ))->wait();
        $this->assertSame(3, $exit, $stdout . $stderr);
        $this->assertStringContainsString('DINERO_LIBRARY is set to /nonexistent/libdinero.so, which is not a file', $stdout);
    }

    public function testWithoutDineroLibraryTheRepositorysReleaseBuildIsUsed(): void
    {
        $release = dirname(__DIR__, 3) . '/target/release/libdinero.so';
        if (!is_file($release) || is_file(dirname(__DIR__) . '/lib/libdinero.so')) {
            $this->markTestSkipped('no target/release/libdinero.so, or a lib/libdinero.so shipped in the package');
        }
        $result = ChildPhp::json(self::REPORT, [], ['DINERO_LIBRARY' => false]);
        $this->assertSame(realpath($release), $result['from']);
    }

    public function testTargetReleaseIsLookedInOnlyInACheckoutAndOnlyWhenSafe(): void
    {
        // The same cases as the Python and Node bindings' tests of the lookup (docs/design.md).
        $previous = getenv('DINERO_LIBRARY');
        putenv('DINERO_LIBRARY');
        $root = sys_get_temp_dir() . '/libdinero-lookup-' . bin2hex(random_bytes(6));
        $package = "$root/vendor/libdinero/libdinero";
        $release = "$root/target/release";
        $planted = "$release/libdinero.so";
        try {
            mkdir($package, 0o755, true);
            mkdir($release, 0o755, true);
            touch($planted);
            foreach ([$root, "$root/target", $release, $planted] as $path) {
                chmod($path, 0o755);
            }
            $this->assertNotContains($planted, Library::candidates($package), 'not a checkout: never looked in');
            mkdir("$root/include");
            touch("$root/include/dinero.h");
            touch("$root/Cargo.toml");
            $this->assertSame(["$package/lib/libdinero.so", $planted, 'libdinero.so.0', 'libdinero.so'], Library::candidates($package));
            chmod($release, 0o777);
            clearstatcache();
            $this->assertNotContains($planted, Library::candidates($package), 'a folder others may write is skipped');
            chmod($release, 0o755);
            chmod($planted, 0o666);
            clearstatcache();
            $this->assertNotContains($planted, Library::candidates($package), 'a file others may write is skipped');
        } finally {
            exec('rm -rf ' . escapeshellarg($root));
            if (is_string($previous)) {
                putenv("DINERO_LIBRARY=$previous");
            }
        }
    }

    public function testUseLibraryOverridesTheLookup(): void
    {
        $library = (string) realpath(Library::loadedFrom() ?? Library::libraryPath());
        $code = 'Dinero\Library::useLibrary(' . var_export($library, true) . ');' . self::REPORT;
        $result = ChildPhp::json($code, [], ['DINERO_LIBRARY' => '/nonexistent/libdinero.so']);
        $this->assertSame($library, $result['from']);
        $this->expectException(\Dinero\Exception\DineroException::class);
        Library::version();
        Library::useLibrary('/too/late.so');
    }

    public function testAMissingLibraryFailsWithAHint(): void
    {
        [$exit, $stdout] = (new ChildPhp(
            'Dinero\Library::useLibrary("/nonexistent/libdinero.so");'
            . 'try { Dinero\Library::version(); } catch (Dinero\Exception\DineroException $e) { echo $e->getMessage(), "\n"; exit(3); }'
        ))->wait();
        $this->assertSame(3, $exit);
        $this->assertStringContainsString('libdinero could not be loaded from /nonexistent/libdinero.so', $stdout);
        $this->assertStringContainsString('DINERO_LIBRARY', $stdout);
    }
}
