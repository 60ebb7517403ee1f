"""ecmx core: the generic engine (dataset, plan specs, layouts, writers, pipeline, CLI)."""

import pandas as _pd

__version__ = "0.1.0"

# pandas 2.2 (the oldest version allowed) silently downcasts object columns in
# fillna/where/replace, and pandas 3 does not: the same line of ecmx would give
# a bool column on one and an object column on the other. Opt in to the pandas 3
# behaviour so both ends of the supported range compute the same values.
if int(_pd.__version__.split(".")[0]) < 3:
    _pd.set_option("future.no_silent_downcasting", True)
