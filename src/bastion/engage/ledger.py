"""The authorisation ledger: engagement requests, human decisions, and the one door to firing.

Rules (each refusal is returned as a reason, which the engagement stage records as an
`input_rejected` event):
- a decision must name a known request, come from a named person with the engagement-authority role,
  be made after the request and before it expires or is closed, and be the first decision on it;
- `consume` hands out an approval once, and only for an open request with a recorded APPROVED
  decision; anything else raises `AuthorisationError`. It is the only way an engagement is fired.

The ledger's tables are read-only views from the outside (`requests`, `decisions`, `consumed`,
`closed`): a recorded decision can only come in through `decide`. The engagement stage keeps its
ledger to itself and shows the world a `LedgerView`, which can read but neither decide nor consume,
so a decision can only reach it as a step input, where it is validated and recorded as an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bastion.core.errors import AuthorisationError
from bastion.core.records import Authorisation, Decision, EngagementRequest

ENGAGEMENT_AUTHORITY = "engagement_authority"


class AuthorisationLedger:
    """Requests by id, their decisions, and which approvals have been used."""

    __slots__ = ("_closed", "_consumed", "_decisions", "_next_id", "_requests")

    def __init__(self) -> None:
        self._next_id = 1
        self._requests: dict[int, EngagementRequest] = {}
        self._decisions: dict[int, Authorisation] = {}
        self._consumed: set[int] = set()
        self._closed: set[int] = set()

    @property
    def requests(self) -> Mapping[int, EngagementRequest]:
        """Every request so far, by id (read-only)."""
        return MappingProxyType(self._requests)

    @property
    def decisions(self) -> Mapping[int, Authorisation]:
        """Accepted decisions by request id (read-only)."""
        return MappingProxyType(self._decisions)

    @property
    def consumed(self) -> frozenset[int]:
        """Requests whose approval has been used to fire."""
        return frozenset(self._consumed)

    @property
    def closed(self) -> frozenset[int]:
        """Requests that take no further decision or use."""
        return frozenset(self._closed)

    def open_request(
        self, *, track_id: int, effector: str, t_s: float, expires_t_s: float, reason: str
    ) -> EngagementRequest:
        """Record a new engagement request waiting for a human decision."""
        req = EngagementRequest(
            request_id=self._next_id,
            track_id=track_id,
            effector=effector,
            t_s=t_s,
            expires_t_s=expires_t_s,
            reason=reason,
        )
        self._requests[req.request_id] = req
        self._next_id += 1
        return req

    def decide(self, auth: Authorisation) -> str | None:
        """Record a human decision; return None if accepted, else the reason it was refused."""
        req = self._requests.get(auth.request_id)
        if req is None:
            return f"decision on unknown engagement request {auth.request_id}"
        if auth.request_id in self._decisions:
            prior = self._decisions[auth.request_id]
            return (
                f"engagement request {auth.request_id} was already decided "
                f"({prior.decision.value} by {prior.operator!r} at {prior.t_s:.1f} s)"
            )
        if auth.request_id in self._closed or auth.t_s > req.expires_t_s:
            return f"engagement request {auth.request_id} has expired or was withdrawn"
        if auth.t_s < req.t_s:
            return f"decision at {auth.t_s:.1f} s predates engagement request {auth.request_id}"
        if not auth.operator.strip():
            return f"decision on engagement request {auth.request_id} names no operator"
        if auth.role != ENGAGEMENT_AUTHORITY:
            return f"{auth.operator!r} with role {auth.role!r} has no engagement authority"
        self._decisions[auth.request_id] = auth
        return None

    def consume(self, request_id: int) -> Authorisation:
        """Use the approval of a request to fire, once. Raises AuthorisationError otherwise."""
        auth = self._decisions.get(request_id)
        if auth is None or auth.decision is not Decision.APPROVED:
            raise AuthorisationError(f"engagement request {request_id} has no recorded approval")
        if request_id in self._consumed:
            raise AuthorisationError(
                f"approval of engagement request {request_id} was already used"
            )
        if request_id in self._closed:
            raise AuthorisationError(f"engagement request {request_id} is closed")
        self._consumed.add(request_id)
        return auth

    def close(self, request_id: int) -> None:
        """Close a request (expired, withdrawn or fired): no later decision or use is accepted."""
        self._closed.add(request_id)


class LedgerView:
    """Read-only view of a ledger: its requests, decisions, used approvals and closed requests."""

    __slots__ = ("_ledger",)

    def __init__(self, ledger: AuthorisationLedger) -> None:
        self._ledger = ledger

    @property
    def requests(self) -> Mapping[int, EngagementRequest]:
        """Every request so far, by id (read-only)."""
        return self._ledger.requests

    @property
    def decisions(self) -> Mapping[int, Authorisation]:
        """Accepted decisions by request id (read-only)."""
        return self._ledger.decisions

    @property
    def consumed(self) -> frozenset[int]:
        """Requests whose approval has been used to fire."""
        return self._ledger.consumed

    @property
    def closed(self) -> frozenset[int]:
        """Requests that take no further decision or use."""
        return self._ledger.closed
