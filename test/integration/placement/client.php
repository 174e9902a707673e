<?php
// client.php MODE SERVER...: stores every key of standard input with a PHP
// client. MODE: memcache_standard, memcache_consistent (PHP memcache),
// memcached (PHP memcached defaults), memcached_ketama (OPT_LIBKETAMA_COMPATIBLE).
$mode = $argv[1];
$servers = array_slice($argv, 2);
if (strpos($mode, 'memcache_') === 0) {
	ini_set('memcache.hash_strategy', $mode === 'memcache_standard' ? 'standard' : 'consistent');
	ini_set('memcache.hash_function', 'crc32');
	$m = new Memcache();
	foreach ($servers as $s) {
		list($h, $p) = explode(':', $s);
		$m->addServer($h, (int)$p);
	}
	$set = function ($k) use ($m) { return $m->set($k, 'h', 0, 0); };
} else {
	$m = new Memcached();
	// The ASCII protocol check of PHP memcached refuses non-ASCII keys; the
	// binary protocol takes any key (placement does not depend on it).
	$m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
	if ($mode === 'memcached_ketama') {
		$m->setOption(Memcached::OPT_LIBKETAMA_COMPATIBLE, true);
	}
	foreach ($servers as $s) {
		list($h, $p) = explode(':', $s);
		$m->addServer($h, (int)$p);
	}
	$set = function ($k) use ($m) { return $m->set($k, 'h'); };
}
while (($k = fgets(STDIN)) !== false) {
	$k = rtrim($k, "\n");
	if (!$set($k)) {
		fwrite(STDERR, "set $k failed\n");
		exit(1);
	}
}
