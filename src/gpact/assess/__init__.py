"""The assessment engine: each legal test is a small function citing its source."""

from gpact.assess.compute_facts import ComputeFigure
from gpact.assess.engine import Assessment, assess
from gpact.assess.findings import Finding, Reason

__all__ = ["Assessment", "ComputeFigure", "Finding", "Reason", "assess"]
