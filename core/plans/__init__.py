"""Plan configurations: schema, loading and merging, checking, the typed plan model."""
