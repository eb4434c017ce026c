"""The offline replay of the warning rule (`evals.warn_tune`) gives the live pipeline's warnings."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bastion.evals.warn import THREAT
from bastion.evals.warn_setup import ZONES
from bastion.evals.warn_tune import (
    first_warnings,
    probabilities,
    score,
    thresholds,
    traced_group,
)


def test_replay_matches_the_live_warnings() -> None:
    threat = replace(THREAT, warn_hold_s=0.2)
    seed = np.random.SeedSequence(101).spawn(2)[0].spawn(1)[0]  # a tuning seed's first group
    tr, res = traced_group(seed, 8, threat)
    names = [z.name for z in ZONES]
    assert threat.warn_late_fraction > 0.0  # the two-stage rule, as the live stage runs it
    assert threat.warn_probability_first != threat.warn_probability  # and the falling threshold
    thr = thresholds(tr, threat)
    first = first_warnings(tr, probabilities(tr, threat.lethal_radius_m), thr, threat.warn_hold_s)
    live = np.full(first.shape, math.inf)
    for k, r in enumerate(res.rounds):
        for zone, t in r.warned_t_s.items():
            live[k, names.index(zone)] = t
    assert tr.at_risk.any() and np.isfinite(live).any()
    np.testing.assert_allclose(first, live)
    s = score(tr, first)
    assert s.recall == 1.0 and s.zones_warned == int(np.isfinite(live).sum())
