<?php

declare(strict_types=1);

namespace Dinero\Tests;

use Dinero\Library;
use Dinero\LogLevel;
use Dinero\Status;
use PHPUnit\Framework\TestCase;

/** The PHP declarations follow include/dinero.h: fresh, complete, loadable, and used. */
final class DeclarationsTest extends TestCase
{
    private static function header(): string
    {
        $path = dirname(__DIR__, 3) . '/include/dinero.h';
        self::assertFileExists($path);
        return (string) file_get_contents($path);
    }

    /** @return list<string> the functions a C text declares (comments and macros ignored) */
    private static function functions(string $c): array
    {
        $c = (string) preg_replace(['~/\*.*?\*/~s', '~//[^\n]*~', '~^\s*#.*$~m'], '', $c);
        preg_match_all('~\b(dinero_[a-z0-9_]+)\s*\(~', $c, $m);
        $names = array_values(array_unique($m[1]));
        sort($names);
        return $names;
    }

    public function testTheCommittedDeclarationFileIsFresh(): void
    {
        require_once dirname(__DIR__) . '/tools/generate-declarations.php';
        $this->assertSame(
            dinero_ffi_declarations(self::header()),
            Library::declarations(),
            'generated/dinero.ffi.h is stale: run php bindings/php/tools/generate-declarations.php'
        );
    }

    public function testTheDeclarationFileIsPreprocessorFree(): void
    {
        $this->assertDoesNotMatchRegularExpression('~^\s*#~m', Library::declarations());
        $this->assertStringNotContainsString('extern "C"', Library::declarations());
    }

    public function testEveryFunctionOfTheHeaderIsDeclaredForPhp(): void
    {
        $expected = self::functions(self::header());
        $this->assertGreaterThanOrEqual(15, count($expected));
        $this->assertSame($expected, self::functions(Library::declarations()));
    }

    public function testEveryDeclaredFunctionResolvesInTheLibrary(): void
    {
        // FFI::cdef resolves every declared symbol at once ("Failed resolving C function").
        $library = (string) (Library::loadedFrom() ?? Library::libraryPath());
        $ffi = \FFI::cdef(Library::declarations(), $library);
        $this->assertSame(Library::version(), (string) $ffi->dinero_version());
    }

    public function testEveryFunctionIsUsedByTheBinding(): void
    {
        $source = '';
        foreach (glob(dirname(__DIR__) . '/src/*.php') ?: [] as $file) {
            $source .= file_get_contents($file);
        }
        // The step-by-step calls stay in the C API for C callers; the binding makes every
        // request, page walk and option set in one call (dinero_client_call,
        // dinero_pages_new_with, dinero_options_set_json) and reads all headers in one
        // (dinero_response_headers_json).
        $oneCallForms = ['dinero_request', 'dinero_client_send', 'dinero_options_set', 'dinero_request_builder_new',
            'dinero_request_builder_new_with', 'dinero_request_builder_free', 'dinero_pages_new',
            'dinero_request_builder_set_header', 'dinero_request_builder_add_query', 'dinero_request_builder_set_body',
            'dinero_response_header_count', 'dinero_response_header_name',
            // For bindings whose threads share a client: a PHP request runs one call at a time
            // on it, so freeing it (dinero_client_free) is the whole of closing it.
            'dinero_client_close',
            // For hosts with an event loop (Node): PHP waits for each call, on its own thread.
            ...array_filter(self::functions(self::header()), static fn (string $name): bool => str_ends_with($name, '_async')),
            'dinero_background_set_threads',
            // For interpreters that cannot act on Ctrl-C inside a foreign call (Python): PHP's
            // default SIGINT ends the process, and PHP has no way to ask from C whether one came.
            'dinero_options_set_interrupt_callback'];
        foreach (array_diff(self::functions(self::header()), $oneCallForms) as $name) {
            // Called directly, or (the sign-in functions) named to Client::open(), which calls it.
            $called = str_contains($source, "->$name(") || str_contains($source, "self::open('$name',");
            $this->assertTrue($called, "$name is not called by bindings/php/src");
        }
    }

    public function testStatusConstantsMatchTheHeaderMacros(): void
    {
        preg_match_all('~^#define DINERO_STATUS_([A-Z0-9_]+) (\d+)\s*$~m', self::header(), $m, PREG_SET_ORDER);
        $macros = [];
        foreach ($m as [, $name, $value]) {
            $macros[$name] = (int) $value;
        }
        $this->assertGreaterThanOrEqual(12, count($macros));
        $this->assertSame($macros, (new \ReflectionClass(Status::class))->getConstants());
    }

    public function testLogLevelConstantsMatchTheHeaderMacros(): void
    {
        preg_match_all('~^#define DINERO_LOG_([A-Z0-9_]+) (\d+)\s*$~m', self::header(), $m, PREG_SET_ORDER);
        $macros = [];
        foreach ($m as [, $name, $value]) {
            $macros[$name] = (int) $value;
        }
        $this->assertSame(['ERROR' => 1, 'WARN' => 2, 'INFO' => 3, 'DEBUG' => 4], $macros);
        $this->assertSame($macros, (new \ReflectionClass(LogLevel::class))->getConstants(\ReflectionClassConstant::IS_PUBLIC));
    }

    /** The functions and the callback type added with header listing and logging, by signature. */
    public function testHeaderListingAndLogCallbackAreDeclared(): void
    {
        $declarations = (string) preg_replace('~\s+~', ' ', Library::declarations());
        foreach ([
            'typedef void (*dinero_log_callback)(void *user_data, uint32_t level, const char *message);',
            'dinero_status dinero_options_set_log_callback(dinero_options *options, dinero_log_callback callback, void *user_data, uint32_t max_level);',
            'size_t dinero_response_header_count(const dinero_response *response);',
            'const char *dinero_response_header_name(const dinero_response *response, size_t index);',
        ] as $declaration) {
            $this->assertStringContainsString($declaration, $declarations);
        }
        // The callback type is usable from PHP: a struct field of that type takes a closure.
        $holder = Library::ffi()->new('struct { dinero_log_callback callback; }');
        $holder->callback = static function (mixed $userData, mixed $level, mixed $message): void {
        };
        $this->assertFalse(\FFI::isNull($holder->callback));
    }

    /**
     * The request builder, uploads and saving (issue 8), by signature (byte parameters as
     * `const char *` for PHP, see tools/generate-declarations.php).
     */
    public function testRequestBuilderUploadsAndSavingAreDeclared(): void
    {
        $declarations = (string) preg_replace('~\s+~', ' ', Library::declarations());
        foreach ([
            'typedef struct dinero_request_builder dinero_request_builder;',
            'dinero_status dinero_request_builder_new(const char *method, const char *path, dinero_request_builder **request_out);',
            'dinero_status dinero_request_builder_set_header(dinero_request_builder *request, const char *name, const char *value);',
            'dinero_status dinero_request_builder_add_query(dinero_request_builder *request, const char *key, const char *value);',
            'dinero_status dinero_request_builder_set_body(dinero_request_builder *request, const char *body, size_t len, const char *content_type);',
            'void dinero_request_builder_free(dinero_request_builder *request);',
            'dinero_status dinero_client_send(dinero_client *client, const dinero_request_builder *request, dinero_response **response_out);',
            'dinero_status dinero_client_upload_file(dinero_client *client, const char *file_path, const char *file_name, const char *content_type, dinero_response **response_out);',
            'dinero_status dinero_client_upload_bytes(dinero_client *client, const char *bytes, size_t len, const char *file_name, const char *content_type, dinero_response **response_out);',
            'dinero_status dinero_response_save(const dinero_response *response, const char *file_path);',
        ] as $declaration) {
            $this->assertStringContainsString($declaration, $declarations);
        }
        $this->assertSame(12, Status::IO);
        $this->assertSame('file error', Status::describe(Status::IO));
    }

    public function testTheGeneratorsCheckModeAgrees(): void
    {
        $process = proc_open(
            [PHP_BINARY, dirname(__DIR__) . '/tools/generate-declarations.php', '--check'],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes
        );
        $output = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $this->assertSame(0, proc_close($process), $output);
    }
}
