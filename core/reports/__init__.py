"""Reports: what a check found (findings_report.py and one module per format) and what
an ingest merged (merge_report.py), written to a file; the CLI draws them on the terminal."""
