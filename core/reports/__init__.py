"""Reports: what a check found (findings_report.py and one module per format) and what
an ingest merged (merge_report.py), on the terminal or in a file."""
