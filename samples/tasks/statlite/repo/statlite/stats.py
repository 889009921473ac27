"""Descriptive statistics and least-squares fits on plain sequences."""

import math
from fractions import Fraction
from numbers import Rational

from .matrix import Matrix

__all__ = [
    "mean", "median", "variance", "stdev", "covariance", "correlation",
    "linear_fit", "polyfit", "polyval",
]


def _values(data, minimum=1):
    values = list(data)
    if len(values) < minimum:
        raise ValueError("need at least %d data points, got %d" % (minimum, len(values)))
    return values


def mean(data):
    values = _values(data)
    total = sum(values)
    if all(isinstance(v, Rational) for v in values):
        return Fraction(total, len(values))
    return total / len(values)


def median(data):
    values = sorted(_values(data))
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return mean(values[mid - 1:mid + 1])


def variance(data):
    """Sample variance (divides by n - 1)."""
    values = _values(data, 2)
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def stdev(data):
    return math.sqrt(variance(data))


def covariance(xs, ys):
    xs, ys = _values(xs, 2), _values(ys, 2)
    if len(xs) != len(ys):
        raise ValueError("xs and ys must have the same length")
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (len(xs) - 1)


def correlation(xs, ys):
    return covariance(xs, ys) / math.sqrt(variance(xs) * variance(ys))


def polyfit(xs, ys, degree):
    """Least-squares polynomial coefficients, highest power first."""
    xs, ys = _values(xs, degree + 1), _values(ys, degree + 1)
    if len(xs) != len(ys):
        raise ValueError("xs and ys must have the same length")
    design = Matrix([[x ** p for p in range(degree, -1, -1)] for x in xs])
    normal = design.T @ design
    rhs = design.T @ Matrix([[y] for y in ys])
    return normal.solve(rhs).column(0)


def linear_fit(xs, ys):
    """Return ``(slope, intercept)`` of the least-squares line."""
    slope, intercept = polyfit(xs, ys, 1)
    return slope, intercept


def polyval(coefficients, x):
    result = 0
    for c in coefficients:
        result = result * x + c
    return result
