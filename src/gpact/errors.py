"""Errors that reach the user as one clear line (file, field, problem) and exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file, the field (or line) and the problem."""

    def __init__(self, file: str | None, field: str | None, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(self.message())

    def message(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        where = ": ".join(parts)
        return f"{where}: {self.problem}" if where else self.problem

    def lines(self) -> list[str]:
        """The error as printed: one line per problem (a single problem here)."""
        return [self.message()]
