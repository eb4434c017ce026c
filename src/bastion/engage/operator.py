"""The simulated operator with engagement authority (plays the human in scenario runs).

Its reaction time is log-normal about a median; it approves with a given probability. Its decisions are
`Authorisation` records delivered back into the pipeline at their own time, exactly as a person's
decision arrives from the live service, so they are recorded and validated the same way.
"""

from __future__ import annotations

import math

import numpy as np

from bastion.core.engage_params import OperatorParams
from bastion.core.records import Authorisation, Decision, EngagementRequest


class OperatorModel:
    """Decides engagement requests after a seeded, log-normal delay."""

    def __init__(self, params: OperatorParams, rng: np.random.Generator) -> None:
        self.params = params
        self.rng = rng

    def decide(self, request: EngagementRequest) -> Authorisation:
        """This operator's decision on `request`, stamped with the time it is made."""
        p = self.params
        delay_s = float(self.rng.lognormal(math.log(p.delay_median_s), p.delay_sigma))
        approve = bool(self.rng.random() < p.approve_probability)
        return Authorisation(
            request_id=request.request_id,
            t_s=request.t_s + delay_s,
            decision=Decision.APPROVED if approve else Decision.DENIED,
            operator=p.name,
            role=p.role,
        )
