"""The plugin host: the plugin manager and the registry plugins fill at start-up."""
