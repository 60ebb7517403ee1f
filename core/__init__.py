"""ecmx core: the generic engine (dataset, plan specs, layouts, writers, pipeline, CLI)."""

__version__ = "0.1.0"
