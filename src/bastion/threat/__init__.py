"""Threat stage: closest approach to defended zones, ballistic impact prediction, zone warnings."""

from bastion.threat.approach import Approach, closest_approach
from bastion.threat.book import ThreatBook
from bastion.threat.warn import WarnBook

__all__ = ["Approach", "ThreatBook", "WarnBook", "closest_approach"]
