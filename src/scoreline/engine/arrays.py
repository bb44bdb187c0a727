"""Inputs of the engine's functions as float arrays, refused by name when they are not.

Every public engine function converts its numeric arguments here, so that anything that
is not numbers raises :class:`~scoreline.engine.errors.EngineInputError` naming the
argument, never a bare ``TypeError`` or ``ValueError`` from numpy. NaN and infinity are
numbers: what they mean is each function's own NaN policy.

Examples
--------
>>> as_floats([1, 2.5], "values").tolist()
[1.0, 2.5]
>>> as_floats("many", "values", cause=False)
Traceback (most recent call last):
...
scoreline.engine.errors.EngineInputError: values must be numeric
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from scoreline.engine.errors import EngineInputError

__all__ = ["as_floats"]

FloatArray = npt.NDArray[np.float64]


def as_floats(
    values: npt.ArrayLike, name: str, *, max_ndim: int | None = None, cause: bool = True
) -> FloatArray:
    """``values`` as a float64 array (no copy when they already are one).

    Parameters
    ----------
    values : array_like
        The argument as given.
    name : str
        The argument's name, for the error message.
    max_ndim : int, optional
        The most dimensions the array may have.
    cause : bool
        Whether the message quotes numpy's reason (``"<name> must be numbers: <reason>"``)
        or only says ``"<name> must be numeric"``.

    Raises
    ------
    EngineInputError
        ``values`` are not numbers, or have more than ``max_ndim`` dimensions.

    Examples
    --------
    >>> as_floats([[1, 2]], "profile", max_ndim=1)
    Traceback (most recent call last):
    ...
    scoreline.engine.errors.EngineInputError: profile must have at most 1 dimensions
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        detail = f"must be numbers: {error}" if cause else "must be numeric"
        raise EngineInputError(f"{name} {detail}") from None
    if max_ndim is not None and array.ndim > max_ndim:
        raise EngineInputError(f"{name} must have at most {max_ndim} dimensions")
    return array
