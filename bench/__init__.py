"""Throughput and latency benchmark of the generated Coffee Shop API, optionally side by side with the
real LoopBack 3 (`python -m bench.run --help`; see bench/README.md)."""
