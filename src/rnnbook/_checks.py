"""Input checks shared by the public functions of :mod:`rnnbook`.

Every public function validates what it is given and raises an error that
names the expected shape, so a reader who passes ``(B, d)`` where ``(T, B, d)``
was expected learns it from the message rather than from a broadcasting
accident three functions later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def as_array(x: object, name: str, ndim: int | Sequence[int] | None = None,
             finite: bool = True) -> np.ndarray:
    """Convert ``x`` to a float64 array and check its rank and finiteness.

    Parameters
    ----------
    x : array_like
        The value to check.
    name : str
        The argument's name, used in error messages.
    ndim : int or sequence of int, optional
        Allowed numbers of dimensions.
    finite : bool
        If True, refuse NaN and infinite entries.

    Returns
    -------
    numpy.ndarray
        ``x`` as a float64 array (a copy only where conversion needs one).
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from err
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {want} dimensions, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_shape(arr: np.ndarray, shape: tuple, name: str, what: str = "") -> None:
    """Raise ``ValueError`` unless ``arr.shape`` matches ``shape``.

    ``shape`` may contain ``None`` for a free axis. ``what`` is a symbolic
    description such as ``"(B, n)"`` that is added to the message.
    """
    ok = len(arr.shape) == len(shape) and all(
        want is None or want == got for want, got in zip(shape, arr.shape, strict=False))
    if not ok:
        want = tuple("?" if s is None else s for s in shape)
        sym = f" {what}" if what else ""
        raise ValueError(f"{name} must have shape{sym} = {want}, got {arr.shape}")


def check_params(params: Mapping[str, np.ndarray], required: Sequence[str],
                 cell: str) -> None:
    """Check that ``params`` is a mapping that holds every required key."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{cell} params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in required if k not in params]
    if missing:
        raise KeyError(f"{cell} params are missing {missing}; expected keys {list(required)}")
    for key in required:
        value = params[key]
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{cell} params[{key!r}] must be a numpy array")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{cell} params[{key!r}] contains NaN or infinite values")


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``; raise a ``ValueError`` otherwise."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return str(value)


def check_rng(rng: object) -> np.random.Generator:
    """Accept a ``numpy.random.Generator`` or an integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError("rng must be a numpy.random.Generator or an integer seed, "
                    f"got {type(rng).__name__}")
