<?php
/**
 * opcache.preload script for libdinero's PHP binding (PHP-FPM with ffi.enable=preload, where
 * FFI::cdef is forbidden at run time). It compiles the Dinero\ classes into opcache and
 * registers the FFI scope "DINERO", which Dinero\Library then finds with FFI::scope().
 *
 *     opcache.enable=1
 *     opcache.preload=/path/to/bindings/php/preload.php
 *     opcache.preload_user=www-data        ; required when the master process runs as root
 *     ffi.enable=preload
 *
 * The FFI part: when ffi.preload already registered the scope (the recommended set-up, see
 * README.md), this script only preloads the classes. Otherwise it loads the declarations with
 * FFI::load(), which PHP refuses under opcache.preload_user (that is, whenever the master
 * process runs as root): use ffi.preload there. The library comes from the usual lookup
 * (DINERO_LIBRARY in the environment of the process that preloads, then lib/, then
 * target/release, then the system loader); the header FFI::load needs (it names the library in
 * FFI_LIB) is written into a new private folder (random name, mode 0700) of the system temp
 * directory, where no other user can swap it.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Dinero\\')) {
        foreach (['/src/', '/generated/'] as $dir) {
            $file = __DIR__ . $dir . str_replace('\\', '/', substr($class, strlen('Dinero\\'))) . '.php';
            if (is_file($file)) {
                require $file;
                return;
            }
        }
    }
});

foreach ([
    'Exception\DineroException', 'Exception\InvalidArgumentException', 'Exception\AuthenticationException',
    'Exception\NetworkException', 'Exception\TLSException', 'Exception\ProtocolException',
    'Exception\ResponseTooLargeException', 'Exception\TimeoutException', 'Exception\FileException',
    'Exception\LoginRequiredException',
    'Exception\ApiException', 'Status', 'ErrorClass', 'Limits', 'LogLevelNumbers', 'LogLevel', 'Callback', 'Library',
    'Options', 'Response', 'Client',
] as $class) {
    class_exists('Dinero\\' . $class);
}

try {
    FFI::scope(Dinero\Library::SCOPE); // already there: ffi.preload did it
} catch (FFI\Exception) {
    if ((string) ini_get('opcache.preload_user') !== '') {
        error_log('libdinero: FFI::load() cannot run under opcache.preload_user; set ffi.preload as well '
            . '(bindings/php/README.md); only the classes were preloaded');
    } else {
        Dinero\Library::preload();
    }
}
