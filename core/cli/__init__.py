"""The command line: builds job requests and renders their results."""
