"""``ecmx serve``: a local web page for the people who run the month (docs/web.md).

Presentation only: each page builds a job's request (core/jobs), runs it (long ones off
the request thread: runner.py) and renders its result with a template. The server binds
127.0.0.1, and every request needs the per-start token (security.py).
"""
