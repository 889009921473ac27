from fractions import Fraction

import pytest

from statlite import (
    correlation,
    covariance,
    linear_fit,
    mean,
    median,
    polyfit,
    polyval,
    stdev,
    variance,
)


def test_mean_is_exact_for_integers():
    assert mean([1, 2, 4]) == Fraction(7, 3)


def test_mean_of_floats():
    assert mean([0.5, 1.5]) == 1.0


def test_median():
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == Fraction(5, 2)


def test_variance_and_stdev():
    data = [2, 4, 4, 4, 5, 5, 7, 9]
    assert variance(data) == Fraction(32, 7)
    assert stdev(data) == pytest.approx(2.138, abs=1e-3)


def test_variance_needs_two_points():
    with pytest.raises(ValueError, match="at least 2"):
        variance([1])


def test_covariance_and_correlation():
    xs = [1, 2, 3, 4]
    assert covariance(xs, [2, 4, 6, 8]) == Fraction(10, 3)
    assert correlation(xs, [8, 6, 4, 2]) == pytest.approx(-1.0)


def test_linear_fit_exact_line():
    assert linear_fit([0, 1, 2, 3], [1, 3, 5, 7]) == (2, 1)


def test_polyfit_quadratic():
    xs = [-2, -1, 0, 1, 2]
    ys = [3 * x * x - x + 2 for x in xs]
    assert polyfit(xs, ys, 2) == [3, -1, 2]


def test_polyval():
    assert polyval([3, -1, 2], 2) == 12
