# Stores every key of standard input with Perl's Cache::Memcached.
use strict;
use Cache::Memcached;
my $m = Cache::Memcached->new({ servers => [@ARGV] });
while (my $k = <STDIN>) {
	chomp $k;
	$m->set($k, 'p') or die "set $k failed\n";
}
