"""statlite: small exact matrices and descriptive statistics in pure Python."""

from .matrix import Matrix, SingularMatrixError
from .stats import correlation, covariance, mean, median, stdev, variance

__version__ = "0.5.0"

__all__ = [
    "Matrix",
    "SingularMatrixError",
    "correlation",
    "covariance",
    "mean",
    "median",
    "stdev",
    "variance",
]
