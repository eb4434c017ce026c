"""CoT type atoms from MIL-STD-2525 (the CoT "a" tree), per Bastion identity.

An atom's type is ``a-<affiliation>-<battle dimension>-<function...>``: the second letter is the
standard identity, ``A`` is air, and the function letters follow MIL-STD-2525's hierarchy as in
MITRE's CoT type table (CoTtypes.xml):

    affiliation   f friend, a assumed friend, n neutral, u unknown, s suspect, h hostile
    A             air track (no function known)
    A-M-F-Q       air / military / fixed wing / drone (RPV, UAV)    <- fixed-wing attack drone
    A-M-H-Q       air / military / rotary wing / drone (RPV, UAV)   <- multirotor
    A-W-M-S-S     air / weapon / missile in flight / surface-to-surface   <- rocket, mortar round
                  (MIL-STD-2525 has no unguided-rocket symbol; the SSM is the nearest air weapon)

Manned aircraft and birds stay plain ``A``: civil or military cannot be told from a radar track,
and 2525 has no bird. Alerts use ``b-a-g`` (alarm: geofence), cleared by an event with the same uid
whose stale time has passed.
"""

from __future__ import annotations

from bastion.core.records import Affiliation, ThreatClass

AFFILIATION_LETTER = {
    Affiliation.FRIEND: "f",
    Affiliation.ASSUMED_FRIEND: "a",
    Affiliation.NEUTRAL: "n",
    Affiliation.UNKNOWN: "u",
    Affiliation.SUSPECT: "s",
    Affiliation.HOSTILE: "h",
}
FUNCTION = {
    ThreatClass.FIXED_WING: "-M-F-Q",
    ThreatClass.MULTIROTOR: "-M-H-Q",
    ThreatClass.ROCKET: "-W-M-S-S",
    ThreatClass.AIRCRAFT: "",
    ThreatClass.BIRD: "",
    ThreatClass.UNKNOWN: "",
}
ALERT_TYPE = "b-a-g"


def cot_type(threat_class: ThreatClass, affiliation: Affiliation) -> str:
    """The CoT type of an air track: ``a-h-A-M-F-Q`` for a hostile fixed-wing drone, etc."""
    return f"a-{AFFILIATION_LETTER[affiliation]}-A{FUNCTION[threat_class]}"
