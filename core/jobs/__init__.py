"""Every command as a job: one frozen request in, a result out; no click, no printing.

One module per command (convert, validate, ingest, claims, demo, sample_data,
calendar, plans). A job's plugins come from its request's ``plans_dirs``, or from
the ``plugins=(plugin_manager, registry)`` argument of a caller running several jobs
(the command line, ``demo``, a web page); progress goes to an optional
``progress(stage, done, total, item)`` callback. docs/jobs.md has the contract and
an example script.
"""
