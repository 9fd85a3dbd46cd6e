"""Map projections, from the formulas: Albers equal-area conic, and the usual US composite with
Alaska and Hawaii moved into insets below the lower 48.

Albers equal-area conic on the unit sphere (Snyder, *Map Projections — A Working Manual*, USGS
Professional Paper 1395, 1987, §14), with standard parallels φ1, φ2, origin (λ0, φ0)::

    n = (sin φ1 + sin φ2) / 2          C = cos² φ1 + 2 n sin φ1
    ρ(φ) = √(C − 2 n sin φ) / n         θ = n (λ − λ0)
    x = ρ(φ) sin θ                      y = ρ(φ0) − ρ(φ) cos θ

Areas are preserved everywhere, which is what a choropleth needs: a county's ink is proportional to
its land. Output here is in screen orientation (y grows downwards).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

# Standard parallels and origins used by the USGS for these regions.
LOWER_48 = (29.5, 45.5, -96.0, 37.5)
ALASKA = (55.0, 65.0, -154.0, 50.0)
HAWAII = (8.0, 18.0, -157.0, 3.0)


@dataclass(frozen=True, slots=True)
class Albers:
    """Albers equal-area conic: ``project`` maps (lon, lat) degrees to the plane (y down)."""

    parallel1: float
    parallel2: float
    lon0: float
    lat0: float

    def project(self, lonlat: np.ndarray) -> np.ndarray:
        """(n, 2) longitude, latitude in degrees → (n, 2) plane coordinates in sphere radii, y down
        (Snyder 1987, eqs. 14-1 to 14-4)."""
        phi1, phi2, phi0 = np.radians([self.parallel1, self.parallel2, self.lat0])
        n = (np.sin(phi1) + np.sin(phi2)) / 2
        c = np.cos(phi1) ** 2 + 2 * n * np.sin(phi1)
        rho0 = np.sqrt(c - 2 * n * np.sin(phi0)) / n
        lam = np.radians((lonlat[:, 0] - self.lon0 + 180.0) % 360.0 - 180.0)
        rho = np.sqrt(c - 2 * n * np.sin(np.radians(lonlat[:, 1]))) / n
        theta = n * lam
        return np.column_stack((rho * np.sin(theta), rho * np.cos(theta) - rho0))

    @classmethod
    def fitted(cls, lonlat: np.ndarray) -> Albers:
        """A conic for one region: parallels at a sixth and five sixths of its latitude range
        (the usual rule of thumb), centred on it."""
        west, south = lonlat.min(axis=0)
        east, north = lonlat.max(axis=0)
        span = north - south
        return cls(south + span / 6, north - span / 6, (west + east) / 2, (south + north) / 2)


@dataclass(frozen=True, slots=True)
class Inset:
    """A region drawn with its own conic, scaled by ``scale`` and moved by (dx, dy)."""

    albers: Albers
    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    def project(self, lonlat: np.ndarray) -> np.ndarray:
        """(n, 2) lon/lat degrees → (n, 2) plane coordinates, scaled and moved into place."""
        return self.albers.project(lonlat) * self.scale + (self.dx, self.dy)


@dataclass(frozen=True, slots=True)
class Composite:
    """Regions keyed by name (state USPS code), each with its own inset; others use ``default``."""

    default: Inset
    insets: Mapping[str, Inset] = field(default_factory=dict)

    def project(self, lonlat: np.ndarray, region: str) -> np.ndarray:
        """(n, 2) lon/lat degrees of ``region`` → (n, 2) plane coordinates through its inset."""
        return self.insets.get(region, self.default).project(lonlat)


def united_states(lower48: np.ndarray, alaska: np.ndarray, hawaii: np.ndarray) -> Composite:
    """The lower 48 in their own Albers, Alaska at 0.35 of its size in the empty corner south-west
    of California, Hawaii at true scale just right of it, both resting on the lower 48's southern
    edge.
    The arguments are sample positions (lon, lat) of each region, used only for placement."""
    main = Inset(Albers(*LOWER_48))
    box = _bounds(main.project(lower48))
    width = box[2] - box[0]
    alaska_inset = _placed(Inset(Albers(*ALASKA), 0.35), alaska, box[0], box[3])
    alaska_right = _bounds(alaska_inset.project(alaska))[2]
    hawaii_inset = _placed(Inset(Albers(*HAWAII), 1.0), hawaii, alaska_right + 0.02 * width,
                           box[3])
    return Composite(main, {"AK": alaska_inset, "HI": hawaii_inset})


def _placed(inset: Inset, lonlat: np.ndarray, left: float, bottom: float) -> Inset:
    x0, _, _, y1 = _bounds(inset.project(lonlat))
    return Inset(inset.albers, inset.scale, left - x0, bottom - y1)


def _bounds(points: np.ndarray) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


@dataclass(frozen=True, slots=True)
class Fit:
    """The affine map from the projected plane onto a canvas box: ``p * scale + offset``."""

    scale: float
    dx: float
    dy: float

    def apply(self, points: np.ndarray) -> np.ndarray:
        """(n, 2) projected points → (n, 2) canvas coordinates (pixels, y down)."""
        return points * self.scale + (self.dx, self.dy)


def fit(projected: Iterable[np.ndarray], width: float, height: float, left: float = 0.0,
        top: float = 0.0) -> Fit:
    """Scale and centre ``projected`` points ((n, 2) arrays) to fill, without distortion, the
    canvas box of ``width`` × ``height`` pixels at (``left``, ``top``).

    Raises:
        ValueError: ``projected`` holds no arrays.
    """
    x0, y0, x1, y1 = _bounds(np.concatenate(list(projected)))
    scale = min(width / max(x1 - x0, 1e-12), height / max(y1 - y0, 1e-12))
    dx = left + (width - (x1 - x0) * scale) / 2 - x0 * scale
    dy = top + (height - (y1 - y0) * scale) / 2 - y0 * scale
    return Fit(scale, dx, dy)


def aspect(projected: Iterable[np.ndarray]) -> float:
    """Height over width of the bounding box of ``projected`` ((n, 2) arrays).

    Raises:
        ValueError: ``projected`` holds no arrays.
    """
    x0, y0, x1, y1 = _bounds(np.concatenate(list(projected)))
    return (y1 - y0) / max(x1 - x0, 1e-12)
