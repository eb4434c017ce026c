"""Threat stage: closest approach to defended zones, ballistic impact prediction, zone warnings."""

from bastion.threat.approach import Approach, closest_approach
from bastion.threat.impact import predict_impact
from bastion.threat.warn import WarnBook

__all__ = ["Approach", "WarnBook", "closest_approach", "predict_impact"]
