"""The web app: server-rendered pages (Jinja2) with htmx, vendored in ``static/``.

No JavaScript build: htmx (0BSD licence, version in static/htmx.min.js) is the only script.
"""
