"""The REST API (FastAPI) and the application factory shared with the web pages."""
