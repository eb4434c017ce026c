"""Position reports in WGS-84 (ADS-B, Remote ID) as a linear position measurement in site ENU.

A cooperative target reports its own geodetic position (latitude, longitude in degrees, height in
metres). `position_report_measurement` converts a batch of reports to site ENU metres with pymap3d's
`geodetic2enu` (through `bastion.core.geo.Site`) and builds the measurement covariance from the
declared accuracy, 1 sigma `sigma_h_m` on each horizontal axis and `sigma_v_m` vertically:

    R = diag(sigma_h^2, sigma_h^2, sigma_v^2)   (local east/north/up at the report)

The local ENU axes at a report a few tens of kilometres from the site differ from the site's by the
angle between the two verticals (about 1 mrad per 6.4 km); this rotation is ignored in R -- its effect
is well under the declared sigmas at defended-site scales.

Altitude: `alt_m` must be the geometric height above the WGS-84 ellipsoid (HAE), the datum of the site
origin (`Site.alt_m`). Remote ID's "geodetic altitude" is HAE already. ADS-B airborne position
messages carry barometric pressure altitude (standard atmosphere, 1013.25 hPa, 25 or 100 ft steps),
which is not HAE: it differs from geometric height by the weather (tens to hundreds of metres) and,
against MSL, by the geoid undulation N (HAE = MSL + N, up to about +-100 m). The caller converts before
calling: take the GNSS height (HAE) of airborne position messages with type codes 20-22 directly
(`bastion.codecs.adsb.messages`, `altitude_gnss`), or add to the barometric altitude the velocity
message's (BDS 0,9) GNSS-minus-baro difference (`geo_minus_baro_m`); failing both, apply a local QNH
correction and the geoid undulation, or pass the barometric altitude with a `sigma_v_m` that covers the
error (100 m or more). The same applies to Remote ID's pressure-altitude fallback.

`position_update` is the linear Kalman update with H = [I3 0] (Bar-Shalom, Li, Kirubarajan 2001,
sec. 5.2) for any state dimension d >= 3, in Joseph form and symmetrised (see `kalman_update`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.geo import Site
from bastion.tracking.imm import position_update as joseph_position_update
from bastion.tracking.kalman_update import UpdateResult

FloatArray = NDArray[np.float64]


def position_report_measurement(
    lat_deg: FloatArray,
    lon_deg: FloatArray,
    alt_m: FloatArray,
    sigma_h_m: float | FloatArray,
    sigma_v_m: float | FloatArray,
    site: Site,
) -> tuple[FloatArray, FloatArray]:
    """K reports at WGS-84 `lat_deg`, `lon_deg` (degrees) and `alt_m` (metres above the WGS-84
    ellipsoid, see the module docstring) with 1-sigma accuracies `sigma_h_m` per horizontal axis
    and `sigma_v_m` vertical (m; scalars or (K,)) to `z_enu` (K, 3) site ENU metres and `R` (K, 3, 3)
    in m^2."""
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    alt = np.atleast_1d(np.asarray(alt_m, dtype=np.float64))
    lat, lon, alt = np.broadcast_arrays(lat, lon, alt)
    z = site.geodetic2enu(np.radians(lat), np.radians(lon), alt).reshape(-1, 3)
    k = z.shape[0]
    sh = np.broadcast_to(np.asarray(sigma_h_m, dtype=np.float64), (k,))
    sv = np.broadcast_to(np.asarray(sigma_v_m, dtype=np.float64), (k,))
    R = np.zeros((k, 3, 3), dtype=np.float64)
    R[:, 0, 0] = R[:, 1, 1] = sh * sh
    R[:, 2, 2] = sv * sv
    return z, R


def position_update(x: FloatArray, P: FloatArray, z: FloatArray, R: FloatArray) -> UpdateResult:
    """Kalman update of states `x` (K, d >= 3), `P` (K, d, d) with site ENU positions `z` (K, 3)
    of covariance `R` (K, 3, 3) m^2 (H = [I3 0]); Joseph form, symmetrised (the IMM's
    `imm.position_update`, checked and wrapped). Inputs not modified."""
    k, d = x.shape
    if d < 3 or P.shape != (k, d, d) or z.shape != (k, 3) or R.shape != (k, 3, 3):
        raise ValueError(
            f"position_update: x (K, d>=3), P (K, d, d), z (K, 3), R (K, 3, 3); got "
            f"{x.shape}, {P.shape}, {z.shape}, {R.shape}"
        )
    x_new, P_new, v, S = joseph_position_update(x, P, z, R)
    return UpdateResult(x=x_new, P=P_new, innovation=v, S=S)
