"""Engagement stage, modelled only: rules of engagement, assignment, human authorisation, assessment.

Bastion never drives real weapon hardware and never emits fire-control commands. An engagement can only
be fired through `AuthorisationLedger.consume`, which demands a recorded human approval by a person
with the engagement-authority role; the engagement book keeps its ledger to itself, so a decision can
only reach it as a step input, validated and recorded as an event. A track identified friend or
assumed friend is never nominated or fired upon under any weapons state (`roe.PERMITS`).

Modules: `effectors` (envelopes, windows, validation), `paths` (predicted paths), `areas` (assets and
no-fire zones), `roe` (weapons states), `wta` (greedy and optimal assignment), `plan` (windows to
assignment), `ledger` (requests and decisions), `assess` (kill assessment), `magazine` (rounds,
reloads), `operator` (the simulated human), `book` (the stage's state and step).
"""

from bastion.engage.book import EngageBook, EngageOutput
from bastion.engage.effectors import effector_window, first_intercept, validate_effector
from bastion.engage.ledger import ENGAGEMENT_AUTHORITY, AuthorisationLedger, LedgerView
from bastion.engage.operator import OperatorModel
from bastion.engage.plan import Plan, Planner
from bastion.engage.roe import PERMITS, RulesOfEngagement
from bastion.engage.wta import WtaProblem, WtaResult, solve_greedy, solve_optimal

__all__ = [
    "ENGAGEMENT_AUTHORITY",
    "PERMITS",
    "AuthorisationLedger",
    "EngageBook",
    "EngageOutput",
    "LedgerView",
    "OperatorModel",
    "Plan",
    "Planner",
    "RulesOfEngagement",
    "WtaProblem",
    "WtaResult",
    "effector_window",
    "first_intercept",
    "solve_greedy",
    "solve_optimal",
    "validate_effector",
]
