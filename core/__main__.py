"""``python -m ecmx.core``: the ecmx command line, for scripts and benchmarks."""

from ecmx.core.cli.main import main

if __name__ == "__main__":
    main()
