"""Structured logs: one JSON object per line on stderr (request lines are JSON already)."""

from __future__ import annotations

import json
import logging
import sys
from typing import TextIO


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        try:
            body = json.loads(message)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {"event": "log", "message": message}
        if record.exc_info:  # a 500 without its traceback cannot be diagnosed
            body["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            body["traceback"] = record.exc_text
        if record.stack_info:
            body["stack"] = record.stack_info
        return json.dumps({"time": self.formatTime(record), "level": record.levelname.lower(),
                           "logger": record.name, **body})


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a line is logged, not the stream of the
    moment it was configured: an in-process caller that redirects stderr later (tests, an
    embedding tool) gets the lines, and a stream closed since is never written to (which
    printed "--- Logging error ---" into the next command's stderr)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # StreamHandler.__init__ and setStream assign it; sys.stderr is always used


def configure_logging() -> None:
    """Send gpact's and uvicorn's logs to stderr as JSON lines (every worker calls this)."""
    handler = _Stderr()
    handler.setFormatter(JsonLines())
    for name in ("gpact", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
