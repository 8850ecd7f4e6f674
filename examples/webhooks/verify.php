<?php
// Checks a flashsale webhook's Flashsale-Signature header (PHP 7.3+, no extensions beyond hash).
// In a receiver: verify(getenv('FLASHSALE_WEBHOOK_SECRET'), $_SERVER['HTTP_FLASHSALE_SIGNATURE'] ?? '',
//                       file_get_contents('php://input'))
function verify(string $secret, string $header, string $body, int $toleranceS = 300): bool
{
    $parts = [];
    foreach (explode(',', $header) as $part) {
        [$key, $value] = array_pad(explode('=', $part, 2), 2, '');
        $parts[$key] = $value;
    }
    $t = $parts['t'] ?? '';
    if (!ctype_digit($t) || abs(time() - (int) $t) > $toleranceS) {
        return false; // missing, or too old: a replay
    }
    $expected = hash_hmac('sha256', $t . '.' . $body, $secret);
    return hash_equals($expected, $parts['v1'] ?? '');
}

// As a script: FLASHSALE_WEBHOOK_SECRET=whsec_... php verify.php 'HEADER' < body (exit 0: valid).
if (PHP_SAPI === 'cli' && isset($argv[1]) && realpath($argv[0]) === __FILE__) {
    exit(verify(getenv('FLASHSALE_WEBHOOK_SECRET'), $argv[1], stream_get_contents(STDIN)) ? 0 : 1);
}
