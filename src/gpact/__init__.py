"""gpact: EU AI Act compliance toolkit for providers of general-purpose AI models.

gpact is not legal advice. Every result names the rulebook version it was computed with.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gpact")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

NOT_LEGAL_ADVICE = (
    "gpact is not legal advice. It applies the rulebook named in this output to the facts you "
    "supplied; check the conclusions with qualified counsel."
)

__all__ = ["NOT_LEGAL_ADVICE", "__version__"]
