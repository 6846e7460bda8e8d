"""Copyright opt-outs: RFC 9309 robots.txt, TDMRep and other machine-readable reservations,
and the crawl-time audit that proves each fetched page was allowed when it was fetched."""

from gpact.rights.matcher import CompiledRules
from gpact.rights.normalize import normalize, product_token, split_url
from gpact.rights.policy import Access, RobotsPolicy, Verdict, access_for, parse_status
from gpact.rights.robots import RobotsTxt, Rule, parse

__all__ = ["Access", "CompiledRules", "RobotsPolicy", "RobotsTxt", "Rule", "Verdict",
           "access_for", "normalize", "parse", "parse_status", "product_token", "split_url"]
