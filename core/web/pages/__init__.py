"""One module per page; each has ``routes``, its Starlette routes (app.py gathers them)."""
