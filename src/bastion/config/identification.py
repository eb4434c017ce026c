"""The scenario's `identification` and `remote_id` sections to the core's parameter objects."""

from __future__ import annotations

from bastion.config.schema_identification import IdentificationSpec, RemoteIdSpec
from bastion.core.identification import (
    FlightPlan,
    FriendlyAircraft,
    FriendlyDrone,
    IdentificationParams,
    IdentityRules,
    SpoofParams,
)
from bastion.core.params import RemoteIdReceiverParams
from bastion.core.records import Affiliation, ThreatClass


def identification_params(spec: IdentificationSpec) -> IdentificationParams:
    """The register, flight plans, rules and spoof thresholds (units already SI; ICAO upper-cased
    by the schema)."""
    r = spec.rules
    return IdentificationParams(
        aircraft=tuple(
            FriendlyAircraft(icao=a.icao, callsign=a.callsign, name=a.name)
            for a in spec.friendly_aircraft
        ),
        drones=tuple(FriendlyDrone(serial=d.serial, name=d.name) for d in spec.friendly_drones),
        flight_plans=tuple(
            FlightPlan(
                name=p.name,
                threat_class=ThreatClass(p.threat_class),
                corridor_m=tuple(p.corridor_m),
                half_width_m=p.half_width_m,
                windows_s=tuple((float(a), float(b)) for a, b in p.windows_s),
                min_alt_m=p.min_alt_m,
                max_alt_m=p.max_alt_m,
                ident=p.ident,
                count=p.count,
            )
            for p in spec.flight_plans
        ),
        rules=IdentityRules(
            drone_without_id=Affiliation(r.drone_without_id),
            aircraft_without_id=Affiliation(r.aircraft_without_id),
            unregistered_adsb=Affiliation(r.unregistered_adsb),
            unregistered_remote_id=Affiliation(r.unregistered_remote_id),
            grace_s=r.grace_s,
        ),
        spoof=SpoofParams(**spec.spoof.model_dump()),
    )


def remote_id_params(spec: RemoteIdSpec | None) -> RemoteIdReceiverParams | None:
    """The Remote ID receiver, or None when the scenario has none."""
    if spec is None:
        return None
    return RemoteIdReceiverParams(period_s=spec.period_s, sigma_position_m=spec.sigma_position_m)
