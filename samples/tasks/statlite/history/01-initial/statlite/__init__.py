"""statlite: small exact matrices in pure Python."""

from .matrix import Matrix, SingularMatrixError

__version__ = "0.4.0"

__all__ = ["Matrix", "SingularMatrixError"]
