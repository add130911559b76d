<?php

declare(strict_types=1);

namespace Dinero;

use Dinero\Exception\DineroException;
use Dinero\Exception\InvalidArgumentException;

/**
 * Loads libdinero through PHP's FFI, once per request/process.
 *
 * 1. FFI::scope('DINERO'), when the declarations were preloaded (PHP-FPM with
 *    ffi.enable=preload, where FFI::cdef is forbidden at run time; see README.md);
 * 2. otherwise FFI::cdef() with generated/dinero.ffi.h (generated from include/dinero.h without any
 *    preprocessor lines) and the library: Library::useLibrary($path) if called, else the first
 *    of candidates() that loads, in the order every binding uses (docs/design.md, "Finding the
 *    library"): DINERO_LIBRARY (a full path, then the only candidate); lib/libdinero.so
 *    shipped inside this package; in a development checkout only, the repository's
 *    target/release/libdinero.so (skipped when it or a folder above it up to the repository is
 *    writable by group or others or owned by another user); then the system loader's
 *    libdinero.so.0 and libdinero.so.
 */
final class Library
{
    public const SCOPE = 'DINERO';
    public const SYSTEM_NAME = 'libdinero.so.0';

    private static ?\FFI $ffi = null;
    private static ?string $via = null;
    private static ?string $loadedFrom = null;
    private static ?string $override = null;

    private function __construct()
    {
    }

    /** Uses this library file instead of the lookup. Call it before anything else touches libdinero. */
    public static function useLibrary(string $path): void
    {
        if (self::$ffi !== null) {
            throw new DineroException('libdinero is already loaded; call Library::useLibrary() before its first use');
        }
        self::$override = $path;
    }

    /** @internal the FFI instance every class of this package calls through */
    public static function ffi(): \FFI
    {
        return self::$ffi ??= self::load();
    }

    /** How libdinero was loaded: "scope" (preloaded), "cdef", or null when not loaded yet. */
    public static function loadedVia(): ?string
    {
        return self::$via;
    }

    /** The library file given to FFI::cdef, or null (not loaded yet, or loaded from the preloaded scope). */
    public static function loadedFrom(): ?string
    {
        return self::$loadedFrom;
    }

    /** The C library's version, e.g. "0.1.0". */
    public static function version(): string
    {
        return (string) self::ffi()->dinero_version();
    }

    /** The preprocessor-free declaration file given to FFI::cdef. */
    public static function declarationFile(): string
    {
        return dirname(__DIR__) . '/generated/dinero.ffi.h';
    }

    public static function declarations(): string
    {
        $text = @file_get_contents(self::declarationFile());
        if ($text === false) {
            throw new DineroException('cannot read ' . self::declarationFile());
        }
        return $text;
    }

    /**
     * The library the lookup picks for FFI::cdef (a path, or the bare name for the system loader).
     */
    public static function libraryPath(): string
    {
        if (self::$override !== null) {
            return self::$override;
        }
        $candidates = self::candidates();
        $env = getenv('DINERO_LIBRARY');
        if (is_string($env) && $env !== '' && !is_file($env)) {
            throw new DineroException("DINERO_LIBRARY is set to $env, which is not a file");
        }
        foreach ($candidates as $candidate) {
            if (!str_contains($candidate, '/')) {
                return $candidate; // the system loader's name
            }
            if (is_file($candidate)) {
                return (string) realpath($candidate);
            }
        }
        return self::SYSTEM_NAME;
    }

    /**
     * The paths and names tried, in order (only DINERO_LIBRARY when it is set).
     *
     * @param string|null $packageDir this package's folder (for tests of the lookup)
     * @return list<string>
     */
    public static function candidates(?string $packageDir = null): array
    {
        $env = getenv('DINERO_LIBRARY');
        if (is_string($env) && $env !== '') {
            return [$env];
        }
        $packageDir ??= dirname(__DIR__);
        $found = [$packageDir . '/lib/libdinero.so'];
        for ($dir = dirname($packageDir); ; $dir = dirname($dir)) {
            if (is_file("$dir/include/dinero.h") && is_file("$dir/Cargo.toml")) {
                $library = "$dir/target/release/libdinero.so";
                $chain = [$dir, "$dir/target", "$dir/target/release", $library];
                if (is_file($library) && array_filter($chain, self::trusted(...)) === $chain) {
                    $found[] = $library;
                }
                break;
            }
            if (dirname($dir) === $dir) {
                break;
            }
        }
        return [...$found, self::SYSTEM_NAME, 'libdinero.so'];
    }

    /** Owned by this user or root, and writable by nobody else. */
    private static function trusted(string $path): bool
    {
        $info = @stat($path);
        $uid = function_exists('posix_geteuid') ? posix_geteuid() : getmyuid();
        return $info !== false && in_array($info['uid'], [0, $uid], true) && ($info['mode'] & 0o022) === 0;
    }

    /**
     * @internal The library's reading of an HTTP error answer (dinero_error_body_parse).
     *
     * @return array<string, mixed>
     */
    public static function parseError(int $status, string $body): array
    {
        $ffi = self::ffi();
        $out = $ffi->new('char*');
        self::check($ffi->dinero_error_body_parse($status, $body, strlen($body), \FFI::addr($out)), 'reading an error answer');
        // Big integers stay exact (as strings past PHP_INT_MAX), as in every answer.
        return json_decode(self::takeString($out), true, 512, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
    }

    /**
     * A header for FFI::load() or the ffi.preload ini setting: the declarations after
     * `#define FFI_SCOPE "DINERO"` and `#define FFI_LIB "<library>"` (FFI_LIB is handed to the
     * system loader as it is, so it must be an absolute path or a name the loader finds).
     */
    public static function preloadHeader(?string $library = null): string
    {
        $library ??= self::libraryPath();
        if (is_file($library)) {
            $library = (string) realpath($library);
        }
        if (preg_match('~["\\\\\x00-\x1f]~', $library)) {
            throw new InvalidArgumentException('the library path cannot go into FFI_LIB: it holds a quote, a backslash or a control character', Status::INVALID_ARGUMENT);
        }
        return '#define FFI_SCOPE "' . self::SCOPE . "\"\n"
            . '#define FFI_LIB "' . $library . "\"\n"
            . self::declarations();
    }

    /**
     * For an opcache.preload script (see preload.php): writes the preload header and loads it
     * with FFI::load, which during preloading registers the "DINERO" scope for every later
     * request. Returns the header's path.
     *
     * The header names the library PHP will load (FFI_LIB), so no other user may write it or
     * swap it; the library writes it (dinero_private_file_write). By default it goes into a new
     * folder with a random name in the system temp directory, created by this process with mode
     * 0700, as a file created exclusively with mode 0600, and that exact file is loaded. A
     * $headerFile of your own must be in a folder owned by you or root that others cannot write
     * (or that is sticky, as /tmp is), and a file already there must be yours, not a symbolic
     * link, and not writable by others; it is replaced through an exclusively created temporary
     * file and a rename.
     */
    public static function preload(?string $library = null, ?string $headerFile = null): string
    {
        $header = self::preloadHeader($library);
        $ffi = self::ffi();
        // A folder name ending in X's is made new, the X's replaced at random (as mkdtemp does).
        $headerFile ??= rtrim(sys_get_temp_dir(), '/') . '/libdinero-php-' . str_repeat('X', 24) . '/dinero.h';
        $out = $ffi->new('char*');
        $status = $ffi->dinero_private_file_write(self::cString($headerFile, 'the header path'), $header, strlen($header), \FFI::addr($out));
        self::check($status, 'writing the preload header');
        $headerFile = self::takeString($out);
        if (\FFI::load($headerFile) === null) {
            throw new DineroException("FFI::load($headerFile) failed");
        }
        return $headerFile;
    }

    /** @internal The text of a `char *` the library handed out, which is then freed (and wiped). */
    public static function takeString(\FFI\CData $out): string
    {
        try {
            return \FFI::string($out);
        } finally {
            self::ffi()->dinero_string_free($out);
        }
    }

    /**
     * @internal Throws the exception that matches a non-OK status; reads this thread's
     * dinero_last_error() first, so call it right after the failing call.
     */
    public static function check(int $status, string $what): void
    {
        if ($status === Status::OK) {
            return;
        }
        $ffi = self::ffi();
        $detail = (string) $ffi->dinero_last_error();
        $name = (string) $ffi->dinero_status_str($status);
        throw DineroException::fromStatus($status, "$what: $name" . ($detail !== '' ? ": $detail" : ''));
    }

    /**
     * @internal A secret for a `const char *` parameter, as a C string of its own: a trace
     * taken while the library runs (a logger or the refresh-token callback throwing) lists the
     * FFI call's arguments, and would show a PHP string whole (pass the copy's address as a
     * `void *`: a dump of a `char[]` shows its characters). Wipe it after the call with wipe().
     */
    public static function secret(#[\SensitiveParameter] string $value, string $what): \FFI\CData
    {
        self::cString($value, $what);
        $copy = self::ffi()->new('char[' . (strlen($value) + 1) . ']');
        \FFI::memcpy($copy, $value, strlen($value));
        return $copy;
    }

    /** @internal Zeroes a C string secret() made. */
    public static function wipe(\FFI\CData $copy): void
    {
        \FFI::memset($copy, 0, \FFI::sizeof($copy));
    }

    /**
     * @internal A string for a `const char *` parameter: PHP would cut it at a NUL byte without
     * a word, so a NUL is an InvalidArgumentException instead.
     */
    public static function cString(#[\SensitiveParameter] string $value, string $what): string
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgumentException("$what contains a NUL byte", Status::INVALID_ARGUMENT);
        }
        return $value;
    }

    private static function load(): \FFI
    {
        if (!extension_loaded('ffi')) {
            throw new DineroException("PHP's FFI extension (ext-ffi) is not loaded");
        }
        if (self::$override === null) {
            try {
                $ffi = \FFI::scope(self::SCOPE);
                self::$via = 'scope';
                return $ffi;
            } catch (\FFI\Exception) {
                // not preloaded: fall through to FFI::cdef
            }
        }
        $library = self::libraryPath();
        try {
            try {
                $ffi = \FFI::cdef(self::declarations(), $library);
            } catch (\FFI\Exception $e) {
                if ($library !== self::SYSTEM_NAME) {
                    throw $e;
                }
                $library = 'libdinero.so'; // the last candidate: the loader's unversioned name
                $ffi = \FFI::cdef(self::declarations(), $library);
            }
        } catch (\FFI\Exception $e) {
            $hint = str_contains($e->getMessage(), 'restricted')
                ? ' (with ffi.enable=preload, as under PHP-FPM, preload libdinero: see bindings/php/README.md)'
                : ' (set DINERO_LIBRARY to the full path of libdinero.so)';
            $tried = self::$override === null ? ' (looked for: ' . implode(', ', self::candidates()) . ')' : '';
            throw new DineroException("libdinero could not be loaded from $library$tried: {$e->getMessage()}$hint", 0, $e);
        }
        self::$via = 'cdef';
        self::$loadedFrom = $library;
        return $ffi;
    }
}
