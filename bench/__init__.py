"""What `make bench` and the peer kit (../shared/bench) use, above every app and never in a
shop's path: the `load_bench_data` data set, and with settings.BENCH on, the X-SQL-Statements
header and the plain-DRF baseline at /bench/plain-orders."""
