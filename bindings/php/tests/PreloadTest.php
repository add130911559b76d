<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Library;

/**
 * The preload path PHP-FPM needs (ffi.enable=preload forbids FFI::cdef at run time), each in a
 * fresh `php` process: the binding must find the "DINERO" scope with FFI::scope and work.
 */
final class PreloadTest extends SandboxTestCase
{
    private const CHILD = <<<'PHP'
        $log = [];
        $client = Dinero\Client::authenticate(
            getenv('DINERO_CLIENT_ID'), getenv('DINERO_CLIENT_SECRET'), getenv('DINERO_API_KEY'),
            ['auth_url' => getenv('DINERO_AUTH_URL'), 'api_url' => getenv('DINERO_API_URL'),
             'organization_id' => getenv('DINERO_ORGANIZATION_ID'),
             'logger' => function (string $level, string $message) use (&$log): void { $log[] = "$level $message"; }]
        );
        $names = array_column(iterator_to_array($client->paginate('/v1/{organizationId}/contacts', 2)), 'Name');
        $preloaded = function_exists('opcache_get_status')
            ? (opcache_get_status(false)['preload_statistics']['classes'] ?? []) : [];
        echo json_encode([
            'via' => Dinero\Library::loadedVia(),
            'version' => Dinero\Library::version(),
            'status' => $client->request('GET', '/v1/organizations')->status(),
            'contacts' => count($names),
            'log' => $log,
            'preloaded_classes' => array_values(array_filter($preloaded, fn ($c) => str_starts_with($c, 'Dinero\\'))),
        ]), "\n";
        PHP;

    private string $dir;

    protected function setUp(): void
    {
        parent::setUp();
        $this->dir = Sandbox::tempDir('dinero-php-preload');
        chmod($this->dir, 0755);
    }

    protected function tearDown(): void
    {
        Sandbox::removeDir($this->dir);
    }

    /** ffi.preload with the generated header: the recommended set-up (works as root, no opcache needed). */
    public function testFfiPreloadHeader(): void
    {
        $header = $this->dir . '/dinero.h';
        $this->generateHeader($header);
        $result = ChildPhp::json(self::CHILD, ['-d', 'ffi.enable=preload', '-d', "ffi.preload=$header"], $this->env());
        $this->assertSame('scope', $result['via']);
        $this->assertSame(200, $result['status']);
        $this->assertGreaterThanOrEqual(3, $result['contacts']);
        $this->assertSame(Library::version(), $result['version']);
        $this->assertLogged($result);
    }

    /** ffi.preload for the scope plus opcache.preload for the classes, with opcache.preload_user (FPM as root). */
    public function testFfiPreloadWithOpcachePreloadedClasses(): void
    {
        $header = $this->dir . '/dinero.h';
        $this->generateHeader($header);
        $user = function_exists('posix_getpwuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'root') : 'root';
        $result = ChildPhp::json(self::CHILD, [
            '-d', 'ffi.enable=preload', '-d', "ffi.preload=$header",
            '-d', 'opcache.enable=1', '-d', 'opcache.enable_cli=1',
            '-d', 'opcache.preload=' . dirname(__DIR__) . '/preload.php', '-d', "opcache.preload_user=$user",
        ], $this->env());
        $this->assertSame('scope', $result['via']);
        $this->assertSame(200, $result['status']);
        $this->assertContains('Dinero\\Client', $result['preloaded_classes']);
        $this->assertContains('Dinero\\Library', $result['preloaded_classes']);
        $this->assertLogged($result);
    }

    /**
     * preload.php alone (it calls FFI::load, which PHP allows only without opcache.preload_user,
     * i.e. when not running as root): run as "nobody" when the tests run as root.
     */
    public function testOpcachePreloadScriptAlone(): void
    {
        $wrapper = [];
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            if (!is_executable('/usr/bin/setpriv')) {
                $this->markTestSkipped('running as root without setpriv to drop to nobody');
            }
            $wrapper = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
        }
        $library = (string) realpath((string) (getenv('DINERO_LIBRARY') ?: Library::libraryPath()));
        $tmp = $this->dir . '/tmp'; // where preload.php writes its header
        mkdir($tmp);
        chmod($tmp, 01777);
        // "nobody" may not be able to read the checkout (CI clones into a private folder): give
        // it a world-readable copy of the package and the library. The classes come from
        // opcache.preload, so the child needs no autoloader.
        $package = $this->dir . '/package';
        self::copyReadable(dirname(__DIR__) . '/src', $package . '/src');
        self::copyReadable(dirname(__DIR__) . '/generated', $package . '/generated');
        self::copyReadable(dirname(__DIR__) . '/preload.php', $package . '/preload.php');
        self::copyReadable($library, $package . '/libdinero.so');
        $result = ChildPhp::json(self::CHILD, [
            '-d', 'ffi.enable=preload', '-d', 'opcache.enable=1', '-d', 'opcache.enable_cli=1',
            '-d', 'opcache.preload=' . $package . '/preload.php',
        ], $this->env() + ['DINERO_LIBRARY' => $package . '/libdinero.so', 'TMPDIR' => $tmp], $wrapper, false);
        $headers = glob("$tmp/libdinero-php-*/dinero.h") ?: [];
        $this->assertCount(1, $headers, 'the header FFI::load read');
        $this->assertSame(0700, fileperms(dirname($headers[0])) & 0777, 'in a private folder');
        $this->assertSame(0600, fileperms($headers[0]) & 0777);
        $this->assertSame('scope', $result['via']);
        $this->assertSame(200, $result['status']);
        $this->assertContains('Dinero\\Client', $result['preloaded_classes']);
        $this->assertLogged($result);
    }

    /**
     * A SAPI other than the CLI (PHP's built-in web server standing in for PHP-FPM): there
     * ffi.enable=preload lets only preloaded code use FFI at all (FFI::scope and FFI::addr
     * included), so the classes must come from opcache.preload, every one the binding uses at
     * run time (Callback for the logger, too).
     */
    public function testWebSapiWithPreloadedClasses(): void
    {
        $header = $this->dir . '/dinero.h';
        $this->generateHeader($header);
        $user = function_exists('posix_getpwuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'root') : 'root';
        $preloaded = $this->serve([
            '-d', 'ffi.enable=preload', '-d', "ffi.preload=$header",
            '-d', 'opcache.enable=1', '-d', 'opcache.enable_cli=1',
            '-d', 'opcache.preload=' . dirname(__DIR__) . '/preload.php', '-d', "opcache.preload_user=$user",
        ]);
        $this->assertSame('scope', $preloaded['via'] ?? null, json_encode($preloaded));
        $this->assertSame(200, $preloaded['status']);
        $this->assertContains('Dinero\\Callback', $preloaded['preloaded_classes']);
        $this->assertLogged($preloaded);

        // Without the classes preloaded, the web SAPI refuses FFI to them: the reason is said.
        $refused = $this->serve(['-d', 'ffi.enable=preload', '-d', "ffi.preload=$header"]);
        $this->assertStringContainsString('restricted', (string) ($refused['error'] ?? ''), json_encode($refused));
    }

    /**
     * Runs self::CHILD in `php -S` with these ini settings; its JSON, or ['error' => message].
     *
     * @param list<string> $phpArgs
     * @return array<string, mixed>
     */
    private function serve(array $phpArgs): array
    {
        $docroot = $this->dir . '/www';
        @mkdir($docroot, 0755);
        file_put_contents("$docroot/index.php", "<?php\ndeclare(strict_types=1);\nrequire "
            . var_export(__DIR__ . '/bootstrap.php', true) . ";\n"
            . "try {\n" . self::CHILD . "\n} catch (\\Throwable \$e) { echo json_encode(['error' => \$e->getMessage()]); }\n");
        $server = BuiltinServer::start($phpArgs, ['-t', $docroot], $docroot, $this->dir . '/server.log', $this->env() + getenv());
        $port = $server->port;
        try {
            $answer = (string) @file_get_contents("http://127.0.0.1:$port/index.php");
            $lines = array_values(array_filter(explode("\n", trim($answer)), 'strlen'));
            $result = json_decode((string) end($lines), true);
            $this->assertIsArray($result, "php -S answered: $answer\n" . @file_get_contents($this->dir . '/server.log'));
            return $result;
        } finally {
            $server->stop();
        }
    }

    public function testWithoutPreloadTheCliFallsBackToCdef(): void
    {
        $result = ChildPhp::json(self::CHILD, ['-d', 'ffi.enable=preload'], $this->env());
        $this->assertSame('cdef', $result['via'], 'the CLI may FFI::cdef even under ffi.enable=preload');
        $this->assertLogged($result);
    }

    /** The 'logger' option works through the preloaded scope too: token, pages, the organizations. */
    /** @param array<string, mixed> $result */
    private function assertLogged(array $result): void
    {
        $log = $result['log'];
        $this->assertMatchesRegularExpression('~^info new token from the token endpoint~', $log[1] ?? '', json_encode($log));
        $this->assertMatchesRegularExpression('~^info GET /v1/organizations -> 200 \(attempt 1, \d+ ms\)$~', (string) end($log), json_encode($log));
        $this->assertGreaterThanOrEqual(1 + 1 + 2 + 1, count($log), 'token request, token, the pages of contacts, organizations');
    }

    /**
     * Another user plants the header preload() used to write at a predictable path in the
     * shared temp folder (the right content, so it was accepted and loaded by path, and could
     * be swapped for one whose FFI_LIB names their library): it is never used now.
     */
    public function testPreloadNeverUsesAHeaderPlantedByAnotherUser(): void
    {
        $library = (string) realpath((string) (getenv('DINERO_LIBRARY') ?: Library::libraryPath()));
        $tmp = $this->dir . '/shared-tmp';
        mkdir($tmp);
        chmod($tmp, 01777);
        $header = Library::preloadHeader($library);
        $planted = "$tmp/libdinero-php-" . substr(sha1($header), 0, 16) . '.h';
        file_put_contents($planted, $header);
        chmod($planted, 0666);
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            chown($planted, 65534); // "nobody"
        }
        $code = 'echo json_encode(["path" => Dinero\Library::preload(' . var_export($library, true) . ')]), "\n";';
        $result = ChildPhp::json($code, [], ['TMPDIR' => $tmp]);
        $path = $result['path'];
        $this->assertNotSame($planted, $path, 'the planted header was loaded');
        $this->assertStringStartsWith("$tmp/libdinero-php-", $path);
        $this->assertSame(0700, fileperms(dirname($path)) & 0777);
        $this->assertSame(0600, fileperms($path) & 0777);
        $this->assertSame(fileowner($this->dir), fileowner($path), 'made by the process that preloads');
        $this->assertSame($header, file_get_contents($path));
    }

    /** A header path of the caller's choosing is refused where another user could swap it. */
    public function testAChosenHeaderPathMustBeSafeFromOtherUsers(): void
    {
        $library = (string) realpath((string) (getenv('DINERO_LIBRARY') ?: Library::libraryPath()));
        $preload = fn (string $file): array => ChildPhp::json(
            'try { echo json_encode(["path" => Dinero\Library::preload(' . var_export($library, true) . ', '
            . var_export($file, true) . ')]), "\n"; } catch (Dinero\Exception\DineroException $e) { echo json_encode(["error" => $e->getMessage()]), "\n"; }'
        );
        $private = $this->dir . '/private';
        mkdir($private, 0700);
        $this->assertSame("$private/dinero.h", $preload("$private/dinero.h")['path'] ?? null);
        $this->assertSame(0600, fileperms("$private/dinero.h") & 0777);

        $open = $this->dir . '/open';
        mkdir($open);
        chmod($open, 0777);
        $this->assertStringContainsString('other users may write it', $preload("$open/dinero.h")['error'] ?? '');

        symlink("$private/dinero.h", "$private/link.h");
        $this->assertStringContainsString('symbolic link', $preload("$private/link.h")['error'] ?? '');

        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            file_put_contents("$private/theirs.h", Library::preloadHeader($library));
            chown("$private/theirs.h", 65534);
            $this->assertStringContainsString('belongs to another user', $preload("$private/theirs.h")['error'] ?? '');
        }
    }

    public function testPreloadHeaderShape(): void
    {
        $header = Library::preloadHeader('/opt/lib/libdinero.so.0');
        $this->assertStringStartsWith("#define FFI_SCOPE \"DINERO\"\n#define FFI_LIB \"/opt/lib/libdinero.so.0\"\n", $header);
        $this->assertStringEndsWith(Library::declarations(), $header);
        $this->expectException(\Dinero\Exception\InvalidArgumentException::class);
        Library::preloadHeader("/opt/\"quoted\"/libdinero.so");
    }

    private function generateHeader(string $path): void
    {
        $library = (string) realpath((string) (getenv('DINERO_LIBRARY') ?: Library::libraryPath()));
        $command = [PHP_BINARY, dirname(__DIR__) . '/bin/dinero-preload-header', '--library', $library, '--output', $path];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $output = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $this->assertSame(0, proc_close($process), $output);
        $this->assertStringContainsString("#define FFI_LIB \"$library\"", (string) file_get_contents($path));
        chmod($path, 0644);
    }

    /** @return array<string, string> */
    private function env(): array
    {
        return $this->sandbox()->env;
    }

    /** Copies a file or a folder so that any user can read it (folders 0755, files 0644). */
    private static function copyReadable(string $from, string $to): void
    {
        if (is_dir($from)) {
            mkdir($to, 0755, true);
            chmod($to, 0755);
            foreach (scandir($from) ?: [] as $entry) {
                if ($entry !== '.' && $entry !== '..') {
                    self::copyReadable("$from/$entry", "$to/$entry");
                }
            }
            return;
        }
        copy($from, $to);
        chmod($to, 0644);
    }
}
