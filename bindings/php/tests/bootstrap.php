<?php

declare(strict_types=1);

// Composer's autoloader when `composer dump-autoload` ran; a PSR-4 loader of our own otherwise.
$autoload = dirname(__DIR__) . '/vendor/autoload.php';
if (is_file($autoload)) {
    require $autoload;
} else {
    spl_autoload_register(static function (string $class): void {
        $roots = ['Dinero\\Tests\\' => [__DIR__], 'Dinero\\' => [dirname(__DIR__) . '/src', dirname(__DIR__) . '/generated']];
        foreach ($roots as $prefix => $dirs) {
            if (str_starts_with($class, $prefix)) {
                foreach ($dirs as $dir) {
                    $file = $dir . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                    if (is_file($file)) {
                        require $file;
                        return;
                    }
                }
                return;
            }
        }
    });
}

if ((string) getenv('DINERO_SANDBOX') === '') {
    $default = dirname(__DIR__, 3) . '/target/debug/dinero-sandbox';
    putenv("DINERO_SANDBOX=$default");
}
