"""Projections of wide hidden spaces onto the screen, in plain numpy.

- :class:`PCAProjection`: a linear map of a layer's activations onto its two principal axes,
  fitted once over every logged epoch of a run, so the basis never jumps during the video.
- :func:`orbit_rotation` and :func:`project_orbit`: an orthographic 3-D view turning about the
  vertical axis, so that depth reads; drawn with the same 2-D blocks as every other view.
- :func:`plane_in_cube`: where a plane ``w·h + b = 0`` cuts a box, as a convex polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PCAProjection", "orbit_rotation", "plane_in_cube", "project_orbit"]


@dataclass(frozen=True)
class PCAProjection:
    """Points of a d-dimensional space onto its first principal axes.

    Attributes
    ----------
    mean
        The mean the points are centred on, shape (d,).
    basis
        The principal axes as columns, shape (d, k); each axis points so that its largest
        coordinate is positive, so refits of the same data give the same picture.
    explained
        The share of the variance each axis explains, shape (k,).
    """

    mean: np.ndarray
    basis: np.ndarray
    explained: np.ndarray

    @classmethod
    def fit(cls, samples: np.ndarray, components: int = 2) -> PCAProjection:
        """Fit the first ``components`` principal axes of ``samples`` (M, d)."""
        samples = np.asarray(samples, dtype=np.float64)
        if samples.ndim != 2 or len(samples) < 2:
            raise ValueError("PCA needs at least two points of a d-dimensional space")
        mean = samples.mean(axis=0)
        centred = samples - mean
        _, singular, vt = np.linalg.svd(centred, full_matrices=False)
        basis = vt[:components].T.copy()
        signs = np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(basis.shape[1])])
        basis *= np.where(signs == 0, 1.0, signs)
        variance = singular**2
        total = variance.sum()
        explained = variance[:components] / total if total > 0 else np.zeros(components)
        return cls(mean, basis, explained)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Return the coordinates of ``points`` (N, d) on the axes, shape (N, k)."""
        return (np.asarray(points) - self.mean) @ self.basis

    @property
    def explained_total(self) -> float:
        """The share of the variance the projection keeps."""
        return float(self.explained.sum())

    def __deepcopy__(self, memo: dict[int, object]) -> PCAProjection:
        """Share, do not copy: a projection never changes."""
        return self


def orbit_rotation(azimuth: float, elevation: float) -> np.ndarray:
    """Return the rotation (3, 3) of a camera ``azimuth`` radians around the vertical axis
    (the space's third coordinate) and ``elevation`` radians above the horizontal plane.

    Rows are the screen's right, up and depth (towards the viewer) directions in space
    coordinates, so ``points @ R.T`` gives ``(x_screen, y_screen, depth)``.
    """
    ca, sa = np.cos(azimuth), np.sin(azimuth)
    ce, se = np.cos(elevation), np.sin(elevation)
    right = np.array([ca, sa, 0.0])
    towards = np.array([sa * ce, -ca * ce, se])  # from the origin to the camera
    up = np.cross(towards, right)
    return np.array([right, up, towards])


def project_orbit(
    points: np.ndarray, cube: tuple[tuple[float, float], ...], rotation: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Project ``points`` (N, 3) of ``cube`` orthographically through ``rotation``.

    The cube is first scaled to ``[-1, 1]^3`` about its centre.

    Returns
    -------
    screen : numpy.ndarray
        Coordinates in ``[-sqrt 3, sqrt 3]^2`` (the cube's projection fits a disc of radius
        sqrt 3), shape (N, 2).
    depth : numpy.ndarray
        Distance towards the viewer, shape (N,); draw larger depths last.
    """
    low = np.array([c[0] for c in cube])
    high = np.array([c[1] for c in cube])
    unit = (np.asarray(points, dtype=np.float64) - (low + high) / 2) / ((high - low) / 2)
    rotated = unit @ rotation.T
    return rotated[:, :2], rotated[:, 2]


# The 12 edges of a box as pairs of corner indices (corner bits: x, y, z).
_EDGES = [
    (a, a | bit)
    for a in range(8)
    for bit in (1, 2, 4)
    if not a & bit
]  # fmt: skip


def box_corners(cube: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Return the 8 corners of a box, shape (8, 3); corner ``i`` takes the high end of axis
    ``k`` when bit ``k`` of ``i`` is set."""
    return np.array([[cube[k][(i >> k) & 1] for k in range(3)] for i in range(8)], dtype=np.float64)


def box_edges(cube: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Return the 12 edges of a box as segments, shape (12, 2, 3)."""
    corners = box_corners(cube)
    return np.array([[corners[a], corners[b]] for a, b in _EDGES])


def plane_in_cube(
    normal: np.ndarray, offset: float, cube: tuple[tuple[float, float], ...]
) -> np.ndarray:
    """Return the polygon where the plane ``normal·h + offset = 0`` cuts a box.

    Returns
    -------
    numpy.ndarray
        The polygon's corners in order around it, shape (M, 3) with 3 <= M <= 6, or shape
        (0, 3) when the plane misses the box (or ``normal`` is zero).
    """
    normal = np.asarray(normal, dtype=np.float64)
    if not np.any(normal):
        return np.zeros((0, 3))
    corners = box_corners(cube)
    values = corners @ normal + offset
    points = []
    for a, b in _EDGES:
        va, vb = values[a], values[b]
        if va == 0.0:
            points.append(corners[a])
        if (va < 0 < vb) or (vb < 0 < va):
            points.append(corners[a] + va / (va - vb) * (corners[b] - corners[a]))
        if vb == 0.0:
            points.append(corners[b])
    if len(points) < 3:
        return np.zeros((0, 3))
    polygon = np.unique(np.round(np.array(points), 12), axis=0)
    if len(polygon) < 3:
        return np.zeros((0, 3))
    # Order the corners by angle about their centre, in the plane.
    centre = polygon.mean(axis=0)
    u = polygon[0] - centre
    u /= np.linalg.norm(u)
    v = np.cross(normal / np.linalg.norm(normal), u)
    offsets = polygon - centre
    angles = np.arctan2(offsets @ v, offsets @ u)
    return polygon[np.argsort(angles)]
