"""The authorisation ledger: engagement requests, human decisions, and the one door to firing.

Rules (each refusal is returned as a reason, which the pipeline records as an `input_rejected` event):
- a decision must name a known request, arrive before the request expires, come from a person with the
  engagement-authority role, and be the first decision on that request;
- `consume` hands out an approval once, and only for a request with a recorded APPROVED decision;
  anything else raises `AuthorisationError`. It is the only way an engagement is fired.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bastion.core.errors import AuthorisationError
from bastion.core.records import Authorisation, Decision, EngagementRequest

ENGAGEMENT_AUTHORITY = "engagement_authority"


@dataclass(slots=True)
class AuthorisationLedger:
    """Requests by id, their decisions, and which approvals have been used."""

    next_id: int = 1
    requests: dict[int, EngagementRequest] = field(default_factory=dict)
    decisions: dict[int, Authorisation] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    closed: set[int] = field(default_factory=set)

    def open_request(
        self, *, track_id: int, effector: str, t_s: float, expires_t_s: float, reason: str
    ) -> EngagementRequest:
        """Record a new engagement request waiting for a human decision."""
        req = EngagementRequest(
            request_id=self.next_id,
            track_id=track_id,
            effector=effector,
            t_s=t_s,
            expires_t_s=expires_t_s,
            reason=reason,
        )
        self.requests[req.request_id] = req
        self.next_id += 1
        return req

    def decide(self, auth: Authorisation) -> str | None:
        """Record a human decision; return None if accepted, else the reason it was refused."""
        req = self.requests.get(auth.request_id)
        if req is None:
            return f"decision on unknown engagement request {auth.request_id}"
        if auth.request_id in self.decisions:
            return f"engagement request {auth.request_id} was already decided"
        if auth.request_id in self.closed or auth.t_s > req.expires_t_s:
            return f"engagement request {auth.request_id} has expired"
        if auth.role != ENGAGEMENT_AUTHORITY:
            return f"{auth.operator!r} with role {auth.role!r} has no engagement authority"
        self.decisions[auth.request_id] = auth
        return None

    def consume(self, request_id: int) -> Authorisation:
        """Use the approval of a request to fire, once. Raises AuthorisationError otherwise."""
        auth = self.decisions.get(request_id)
        if auth is None or auth.decision is not Decision.APPROVED:
            raise AuthorisationError(f"engagement request {request_id} has no recorded approval")
        if request_id in self.consumed:
            raise AuthorisationError(
                f"approval of engagement request {request_id} was already used"
            )
        if request_id in self.closed:
            raise AuthorisationError(f"engagement request {request_id} is closed")
        self.consumed.add(request_id)
        return auth

    def close(self, request_id: int) -> None:
        """Close a request (expired, withdrawn or fired): no later decision or use is accepted."""
        self.closed.add(request_id)
