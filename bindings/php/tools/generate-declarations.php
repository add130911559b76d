<?php
/**
 * Derives the preprocessor-free declaration file that PHP's FFI reads (generated/dinero.ffi.h) from
 * the C header (include/dinero.h) into generated/: comments, preprocessor lines (include guard, #include,
 * #define) and the `extern "C"` wrapper are stripped, and byte parameters (`const uint8_t *`,
 * always passed with their length) are declared `const char *`, the same pointer for C, so
 * that PHP hands a string's bytes over as they are, without a copy into an FFI buffer (a
 * `uint8_t *` parameter takes FFI memory only); everything else is kept as it is.
 * The DINERO_STATUS_* macros live on as constants of Dinero\Status (a test compares them).
 *
 *     php tools/generate-declarations.php            rewrites generated/dinero.ffi.h
 *     php tools/generate-declarations.php --check    exits 1 if generated/dinero.ffi.h is stale
 *     php tools/generate-declarations.php --stdout   prints the result
 *
 * The header defaults to ../../include/dinero.h (the repository's); --header PATH overrides it.
 */

declare(strict_types=1);

const BANNER = "/* Generated from include/dinero.h by bindings/php/tools/generate-declarations.php;\n"
    . "   do not edit (run: php bindings/php/tools/generate-declarations.php). */\n";

function dinero_ffi_declarations(string $header): string
{
    // Comments first (a comment may hold a '#' or a brace), keeping line structure simple.
    $text = preg_replace('~/\*.*?\*/~s', '', $header);
    $text = preg_replace('~//[^\n]*~', '', (string) $text);
    $out = [];
    foreach (preg_split('~\r?\n~', (string) $text) as $line) {
        $line = rtrim($line);
        if (preg_match('~^\s*#~', $line)) {
            continue; // preprocessor
        }
        if (preg_match('~^\s*extern\s+"C"\s*\{\s*$~', $line) || preg_match('~^\s*\}\s*$~', $line)) {
            continue; // the extern "C" { ... } wrapper (a lone brace closes nothing else at file scope)
        }
        $out[] = $line;
    }
    $text = implode("\n", $out);
    $text = preg_replace('~const uint8_t \*(?=\w+[,)])~', 'const char *', $text);
    $text = preg_replace("~\n{3,}~", "\n\n", $text);
    return BANNER . "\n" . trim((string) $text) . "\n";
}

if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    $args = array_slice($argv, 1);
    $header = dirname(__DIR__, 3) . '/include/dinero.h';
    $target = dirname(__DIR__) . '/generated/dinero.ffi.h';
    $mode = 'write';
    for ($i = 0; $i < count($args); $i++) {
        switch ($args[$i]) {
            case '--check': $mode = 'check'; break;
            case '--stdout': $mode = 'stdout'; break;
            case '--header': $header = $args[++$i] ?? ''; break;
            default:
                fwrite(STDERR, "usage: generate-declarations.php [--check|--stdout] [--header PATH]\n");
                exit(2);
        }
    }
    $source = @file_get_contents($header);
    if ($source === false) {
        fwrite(STDERR, "error: cannot read $header\n");
        exit(2);
    }
    $generated = dinero_ffi_declarations($source);
    if ($mode === 'stdout') {
        echo $generated;
    } elseif ($mode === 'check') {
        if (@file_get_contents($target) !== $generated) {
            fwrite(STDERR, "$target is stale: run php bindings/php/tools/generate-declarations.php\n");
            exit(1);
        }
    } else {
        file_put_contents($target, $generated);
        echo "wrote $target\n";
    }
}
