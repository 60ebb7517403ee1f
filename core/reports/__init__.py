"""Reports of findings and of inbound merges, one module per format."""
