"""Engagement stage, modelled only: nominations, human authorisation, simulated effectors, assessment.

Bastion never drives real weapon hardware and never emits fire-control commands. An engagement can only
be fired through `AuthorisationLedger.consume`, which demands a recorded human approval, and a track
identified friendly is never nominated or fired upon.
"""

from bastion.engage.book import EngageBook, EngageOutput
from bastion.engage.effectors import first_intercept
from bastion.engage.ledger import ENGAGEMENT_AUTHORITY, AuthorisationLedger
from bastion.engage.operator import OperatorModel

__all__ = [
    "ENGAGEMENT_AUTHORITY",
    "AuthorisationLedger",
    "EngageBook",
    "EngageOutput",
    "OperatorModel",
    "first_intercept",
]
