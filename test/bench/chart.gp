# chart.gp: the benchmark chart (run from test/bench/run.sh).
set terminal pngcairo size 1000,520 font ",10" noenhanced
set output "results.png"
set title "Operations per second, one backend, backend and memcached on the same vCPU (median)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set ylabel "ops/s (keys/s for get_multi), log scale"
set grid ytics
set key top left
set xtics rotate by -15
set yrange [5000:2000000]
plot "results.dat" using 2:xtic(1) title "memcache (this)", \
     "" using 3 title "pgmemcache 2.3", \
     "" using 4 title "PL/Perl (blog)", \
     "" using 5 title "Go + gomemcache, no DB", \
     "" using 6 title "C loop on a socket, no DB (floor)"
