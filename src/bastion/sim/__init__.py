"""Simulator: truth trajectories, a 3-D surveillance radar and ADS-B reports (pure stage).

Imports only numpy, scipy and `bastion.core`; randomness comes only from a `numpy.random.Generator`
passed in. Positions are site ENU metres, velocities ENU m/s, times run-clock seconds.
"""

from bastion.sim.adsb import adsb_reports
from bastion.sim.radar import Radar, pd_swerling1
from bastion.sim.truth import TruthWorld

__all__ = ["Radar", "TruthWorld", "adsb_reports", "pd_swerling1"]
