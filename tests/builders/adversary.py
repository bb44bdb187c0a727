"""An adversary who reads every count about people a viewer is shown and solves for the rest.

What is known becomes linear equations over unknown, non-negative counts; a quantity is
solved when the least and the greatest value those equations allow leave one whole number
between them (a linear programme for each bound, so sums, differences and the fact that
no count is negative are all used).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

__all__ = ["Knowledge"]

FloatArray = NDArray[np.float64]


@dataclass
class Knowledge:
    """Equations ``coefficients @ unknowns == value`` and floors ``coefficients @ unknowns >=
    value`` over ``size`` non-negative unknowns."""

    size: int
    equations: list[tuple[FloatArray, float]] = field(default_factory=list)
    floors: list[tuple[FloatArray, float]] = field(default_factory=list)

    def learn(self, coefficients: FloatArray, value: float) -> None:
        self.equations.append((np.asarray(coefficients, dtype=np.float64), float(value)))

    def learn_at_least(self, coefficients: FloatArray, value: float) -> None:
        self.floors.append((np.asarray(coefficients, dtype=np.float64), float(value)))

    def bounds(self, target: FloatArray) -> tuple[float, float]:
        """The least and the greatest value of ``target @ unknowns`` the equations allow."""
        if not self.equations:
            return 0.0, math.inf
        system: dict[str, FloatArray] = {
            "A_eq": np.stack([coefficients for coefficients, _ in self.equations]),
            "b_eq": np.array([value for _, value in self.equations]),
        }
        if self.floors:
            system["A_ub"] = -np.stack([coefficients for coefficients, _ in self.floors])
            system["b_ub"] = -np.array([value for _, value in self.floors])
        low = linprog(target, bounds=(0, None), method="highs", **system)
        high = linprog(-target, bounds=(0, None), method="highs", **system)
        assert low.status == 0, low.message  # counts are never negative: bounded below
        return float(low.fun), math.inf if high.status == 3 else float(-high.fun)

    def solves(self, target: FloatArray) -> bool:
        """Whether the equations leave ``target @ unknowns`` a single whole number."""
        low, high = self.bounds(target)
        if math.isinf(high):
            return False
        return math.ceil(low - 1e-6) >= math.floor(high + 1e-6)
