"""``python -m ecmx.core``: the ecmx command line, for scripts and benchmarks."""

from ecmx.core.cli import main

main()
