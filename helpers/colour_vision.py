"""Colour-vision deficiencies and colour differences, for checking the course's palettes: :func:`simulate`
(Machado, Oliveira and Fernandes 2009, full severity, on linear RGB), :func:`delta_e` (CIEDE2000 via CIELAB
under D65; about 2 is just noticeable) and :func:`contrast_ratio` (WCAG 2; text needs 4.5:1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import to_rgb

__all__ = ["DEFICIENCIES", "ciede2000", "contrast_ratio", "delta_e", "luminance", "simulate", "to_rgb_array"]

DEFICIENCIES: dict[str, np.ndarray] = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def to_rgb_array(colours: Any) -> np.ndarray:
    """Colours (matplotlib names, hex strings, RGB(A) tuples or an (..., 3/4) array) as floats in [0, 1]."""
    if isinstance(colours, str):
        return np.asarray(to_rgb(colours), dtype=float)
    array = np.asarray(colours)
    if array.dtype.kind in "OUS":
        return np.array([to_rgb(c) for c in colours], dtype=float)
    array = array.astype(float)
    if array.shape[-1] not in (3, 4):
        raise ValueError(f"colours must have 3 or 4 channels in the last axis, got shape {array.shape}")
    if array.max(initial=0) > 1.0:
        array = array / 255.0
    return array[..., :3]


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _encoded(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(colours: Any, deficiency: str) -> np.ndarray:
    """``colours`` (any shape ending in 3 or 4 channels) as seen with ``deficiency``, in sRGB [0, 1]."""
    if deficiency not in DEFICIENCIES:
        raise ValueError(f"deficiency must be one of {', '.join(DEFICIENCIES)}, got {deficiency!r}")
    rgb = to_rgb_array(colours)
    return _encoded(_linear(rgb) @ DEFICIENCIES[deficiency].T)


def _lab(colours: Any) -> np.ndarray:
    linear = _linear(to_rgb_array(colours))
    xyz = linear @ np.array([[0.4124564, 0.3575761, 0.1804375],
                             [0.2126729, 0.7151522, 0.0721750],
                             [0.0193339, 0.1191920, 0.9503041]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a: Any, b: Any) -> np.ndarray:
    """CIEDE2000 difference between sRGB colours ``a`` and ``b`` (broadcast against each other)."""
    return ciede2000(_lab(a), _lab(b))


def ciede2000(lab1: Any, lab2: Any) -> np.ndarray:
    """CIEDE2000 difference between CIELAB colours (arrays ending in L*, a*, b*)."""
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_mean = np.where(np.abs(h1p - h2p) > 180, np.where(h_sum < 360, h_sum + 360, h_sum - 360), h_sum) / 2
    h_mean = np.where(c1p * c2p == 0, h_sum, h_mean)
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = (-2 * np.sqrt(cp_mean**7 / (cp_mean**7 + 25.0**7))
           * np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))))
    return np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dc / s_c) * (dH / s_h))


def contrast_ratio(foreground: Any, background: Any) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((luminance(c) for c in (foreground, background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def luminance(colour: Any) -> float:
    """The relative luminance of a colour, from 0 (black) to 1 (white)."""
    return float(_linear(to_rgb_array(colour)) @ np.array([0.2126, 0.7152, 0.0722]))
