"""Structured logs: one JSON object per line on stderr (request lines are JSON already)."""

from __future__ import annotations

import json
import logging
import sys


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


def configure_logging() -> None:
    """Send gpact's and uvicorn's logs to stderr as JSON lines (every worker calls this)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    for name in ("gpact", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
