"""statlite: small exact matrices and descriptive statistics in pure Python."""

from .matrix import Matrix, SingularMatrixError
from .stats import (
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

__version__ = "0.6.0"

__all__ = [
    "Matrix",
    "SingularMatrixError",
    "correlation",
    "covariance",
    "linear_fit",
    "mean",
    "median",
    "polyfit",
    "polyval",
    "stdev",
    "variance",
]
