"""The live service's configuration file (`bastion serve CONFIG`): YAML validated with pydantic.

The service reuses a scenario file for everything the pipeline needs (site, radars' positions and
noise, zones, effectors, rules of engagement, tracker and threat settings; its targets are ignored)
and adds the wire: which radar sends ASTERIX with which SAC/SIC on which address, where SAPIENT
nodes connect, where outputs go, the HTTP address and the load limits. Paths are relative to the
configuration file. Every address is ``host:port`` (``[v6]:port`` for IPv6); a multicast group as
host joins (inputs) or sends to (outputs) that group. The schema, with defaults, is in
``docs/integration.md``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from bastion.config import LoadedScenario, load_scenario, parse_scenario
from bastion.config.messages import config_error, issues_from_validation
from bastion.core.errors import ConfigError
from bastion.transport.types import parse_address

UUID4_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DEFAULT_NODE_ID = "6f1c2a5e-8d3b-4f7a-9c2e-1b5d7e9f0a3c"
"""Bastion's SAPIENT node id (UUID v4) unless the configuration names another."""


def _address(value: str) -> str:
    parse_address(value)
    return value


def _uuid4(value: str) -> str:
    if not UUID4_RE.fullmatch(value):
        raise ValueError("expected a lower-case hyphenated UUID version 4")
    return value


AddressText = Annotated[str, AfterValidator(_address)]
Uuid4 = Annotated[str, AfterValidator(_uuid4)]
Byte = Annotated[int, Field(ge=0, le=255)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class AsterixRadarSpec(_Spec):
    """One radar of the scenario that sends CAT048/CAT034 on this feed."""

    radar: str = Field(description="The radar's id in the scenario's radars.")
    sac: Byte = Field(description="System Area Code (I048/010).")
    sic: Byte = Field(description="System Identification Code (I048/010).")
    default_height_m: float | None = Field(default=None, description="Height for plots with none.")
    doppler_positive_receding: bool = Field(default=True, description="The radar's Doppler sign.")


class AsterixInSpec(_Spec):
    """An ASTERIX UDP feed: one address (unicast or multicast group), one or more radars."""

    listen: AddressText = Field(description="Local address (or multicast group) and port.")
    interface: str = Field(default="0.0.0.0", description="Interface address to join a group on.")
    radars: Annotated[list[AsterixRadarSpec], Field(min_length=1)]
    split_on_sectors: bool = Field(default=False, description="Close a batch per CAT034 sector.")


class SapientInSpec(_Spec):
    """Bastion as a SAPIENT fusion node: sensor nodes connect here over TCP."""

    listen: AddressText = Field(description="Local address and port.")
    node_id: Uuid4 = Field(default=DEFAULT_NODE_ID, description="Bastion's SAPIENT node id.")
    max_message_bytes: Annotated[int, Field(ge=64, le=16 * 1024 * 1024)] = 1_048_576
    window_min_s: float = Field(default=-0.9, le=0.0, description="Oldest accepted timestamp, s.")
    window_max_s: float = Field(default=0.1, ge=0.0, description="Newest accepted timestamp, s.")
    default_sigma_m: float = Field(default=10.0, gt=0.0)
    default_sigma_deg: float = Field(default=1.0, gt=0.0)
    cue_period_s: float | None = Field(
        default=None,
        gt=0.0,
        description="Task registered cameras (never effectors) to look at the top-ranked threats, "
        "one each, refreshed this often, s; null: no tasks.",
    )
    cue_unknowns: bool = Field(
        default=False,
        description="Cameras not needed for threats look at tracks of unknown identity, nearest "
        "first, so that a person can identify them.",
    )


class AdsbInSpec(_Spec):
    """An ADS-B receiver Bastion connects to over TCP (dump1090/readsb style), reconnecting."""

    connect: AddressText = Field(description="The receiver's address and port.")
    format: Literal["sbs", "beast"] = Field(
        description="SBS-1 text (30003) or Beast binary (30005)."
    )
    retry_s: float = Field(default=2.0, gt=0.0, description="Wait before reconnecting, s.")


class RemoteIdInSpec(_Spec):
    """Remote ID over UDP: one Open Drone ID message or Message Pack per datagram."""

    listen: AddressText = Field(description="Local address (or multicast group) and port.")
    interface: str = Field(default="0.0.0.0", description="Interface address to join a group on.")


class TakTlsSpec(_Spec):
    """TLS to the TAK server (its TLS input, usually port 8089): PEM paths relative to the
    configuration file's folder, read when the service starts (not on replay)."""

    ca: str = Field(min_length=1, description="CA certificate(s) the TAK server's must chain to.")
    cert: str = Field(default="", description="Bastion's client certificate chain (mutual TLS).")
    key: str = Field(default="", description="Its private key (or in `cert`'s file).")
    server_name: str = Field(
        default="", description="Name the server's certificate must carry; default: tcp's host."
    )


class CotOutSpec(_Spec):
    """Cursor on Target out: UDP (a TAK multicast group or a unicast peer) and/or a TAK server."""

    udp: AddressText | None = Field(default=None, description="UDP destination or group.")
    multicast_interface: str = Field(default="", description="Interface address for a group.")
    tcp: AddressText | None = Field(default=None, description="TAK server address (TCP).")
    tls: TakTlsSpec | None = Field(default=None, description="TLS on the TAK server link.")
    format: Literal["xml", "tak"] = Field(default="xml", description="CoT XML or TAK protocol v1.")
    stale_s: float = Field(default=10.0, gt=0.0, description="Track event lifetime, s.")


class Cat062OutSpec(_Spec):
    """ASTERIX CAT062 system tracks out over UDP."""

    udp: AddressText = Field(description="UDP destination or group.")
    multicast_interface: str = Field(default="")
    sac: Byte = 0
    sic: Byte = 1


class OutputsSpec(_Spec):
    """Where the fused picture goes."""

    cot: CotOutSpec | None = None
    cat062: Cat062OutSpec | None = None


class LimitsSpec(_Spec):
    """Bounds that keep memory and queues finite whatever arrives."""

    queue_items_per_source: Annotated[int, Field(ge=1)] = 4096
    queue_bytes_per_source: Annotated[int, Field(ge=1024)] = 8 * 1024 * 1024
    idle_timeout_s: float = Field(default=30.0, gt=0.0)
    max_connections: Annotated[int, Field(ge=1)] = 64
    max_plots_per_step: Annotated[int, Field(ge=1)] = 50_000
    max_inputs_per_drain: Annotated[int, Field(ge=1)] = 2000


class ApiOperatorSpec(_Spec):
    """A person who may decide engagements through the HTTP API, known by a bearer token.

    Only the token's SHA-256 is configured (`bastion operator-token` makes a token and its line), so
    the configuration file holds no secret. A decision made with the token is recorded under this
    operator and role, whatever the request body says."""

    operator: Annotated[str, Field(min_length=1, max_length=200)]
    role: Annotated[str, Field(min_length=1, max_length=200)]
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="Lower-case hex SHA-256 of the operator's bearer token."
    )


class HttpTlsSpec(_Spec):
    """TLS for the HTTP API: a PEM certificate chain and its private key, paths relative to the
    configuration file's folder. Read when the service starts (not on replay)."""

    cert: str = Field(min_length=1, description="PEM certificate chain (server certificate first).")
    key: str = Field(min_length=1, description="PEM private key of the certificate.")


class ServiceSpec(_Spec):
    """A whole service configuration file."""

    scenario: str = Field(description="Scenario file: site, sensors, zones, effectors, settings.")
    run_dir: str = Field(default="runs/live", description="Where the store and capture go.")
    step_period_s: float = Field(default=0.5, gt=0.0, le=10.0)
    track_update_period_s: float = Field(default=1.0, ge=0.0)
    reorder_window_s: float = Field(default=0.0, ge=0.0, le=10.0)
    asterix: list[AsterixInSpec] = Field(default_factory=list)
    sapient: SapientInSpec | None = None
    adsb: list[AdsbInSpec] = Field(default_factory=list)
    remote_id: list[RemoteIdInSpec] = Field(default_factory=list)
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)
    http: AddressText | None = Field(default="127.0.0.1:8480", description="Health and API.")
    http_tls: HttpTlsSpec | None = Field(
        default=None, description="Serve the API over HTTPS (TLS 1.2 or later) with this key."
    )
    operators: list[ApiOperatorSpec] = Field(
        default_factory=list, description="Who may decide engagements (bearer tokens)."
    )
    limits: LimitsSpec = Field(default_factory=LimitsSpec)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceConfig:
    """A validated configuration with its scenario; `text`/`sha256` are the file's own."""

    spec: ServiceSpec
    scenario: LoadedScenario
    text: str
    sha256: str
    source: str
    base_dir: Path

    @property
    def run_dir(self) -> Path:
        """The run directory, resolved against the configuration file's folder."""
        return self.base_dir / self.spec.run_dir


def load_service_config(path: Path | str) -> ServiceConfig:
    """Read and validate a service configuration file and the scenario it names."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", source=source) from None
    base = Path(path).resolve().parent
    spec = _validate(text, source)
    scenario = load_scenario(base / spec.scenario)
    return _checked(spec, scenario, text, source, base)


def parse_service_config(
    text: str, scenario_text: str, *, source: str = "<config>", base_dir: Path | None = None
) -> ServiceConfig:
    """A configuration from its text and its scenario's text (how a capture log is replayed)."""
    spec = _validate(text, source)
    scenario = parse_scenario(scenario_text, source=spec.scenario)
    return _checked(spec, scenario, text, source, base_dir or Path.cwd())


def _validate(text: str, source: str) -> ServiceSpec:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        tree = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", source=source) from None
    if not isinstance(tree, dict):
        raise ConfigError("expected a mapping of service fields", source=source)
    try:
        return ServiceSpec.model_validate(tree)
    except ValidationError as exc:
        raise config_error(issues_from_validation(exc, tree), root, source) from None


def _checked(
    spec: ServiceSpec, scenario: LoadedScenario, text: str, source: str, base: Path
) -> ServiceConfig:
    radars = {r.sensor_id for r in scenario.params.radars}
    seen: set[tuple[int, int]] = set()
    for i, feed in enumerate(spec.asterix):
        for j, r in enumerate(feed.radars):
            where = f"asterix[{i}].radars[{j}]"
            if r.radar not in radars:
                known = ", ".join(sorted(radars))
                raise ConfigError(
                    f"radar {r.radar!r} is not in the scenario (radars: {known})",
                    source=source,
                    path=where,
                )
            if (r.sac, r.sic) in seen:
                raise ConfigError(f"SAC/SIC {r.sac}/{r.sic} used twice", source=source, path=where)
            seen.add((r.sac, r.sic))
    _check_operators(spec, source)
    if spec.sapient is not None and not math.isfinite(spec.sapient.default_sigma_deg):
        raise ConfigError("default_sigma_deg must be finite", source=source, path="sapient")
    return ServiceConfig(
        spec=spec,
        scenario=scenario,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
        base_dir=base,
    )


def _check_operators(spec: ServiceSpec, source: str) -> None:
    """Tokens are unique; an API reachable from other machines decides only with a token."""
    hashes = [o.token_sha256 for o in spec.operators]
    for i, h in enumerate(hashes):
        if h in hashes[:i]:
            raise ConfigError("the same token twice", source=source, path=f"operators[{i}]")
    if spec.http is None or spec.operators:
        return
    host, _ = parse_address(spec.http)
    if not _loopback(host):
        raise ConfigError(
            f"the HTTP API listens on {host}, beyond this machine: list the operators who may "
            "decide engagements with their token hashes (`bastion operator-token`), or listen "
            "on 127.0.0.1",
            source=source,
            path="http",
        )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
