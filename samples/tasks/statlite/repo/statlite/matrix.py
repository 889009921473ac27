"""A small dense matrix type with exact arithmetic for int and Fraction entries."""

from fractions import Fraction
from numbers import Number, Rational

__all__ = ["Matrix", "SingularMatrixError"]


class SingularMatrixError(ArithmeticError):
    """The matrix has no inverse (its determinant is zero)."""


def _exact(value):
    # Integers and fractions stay exact; floats stay floats.
    return Fraction(value) if isinstance(value, Rational) else value


class Matrix:
    """An immutable ``rows x cols`` matrix.

    >>> m = Matrix([[2, 1], [1, 3]])
    >>> m.det()
    Fraction(5, 1)
    >>> m.inverse() @ m == Matrix.identity(2)
    True
    """

    __slots__ = ("_data", "rows", "cols")

    def __init__(self, rows):
        data = [list(row) for row in rows]
        if not data or not data[0]:
            raise ValueError("a matrix needs at least one row and one column")
        width = len(data[0])
        if any(len(row) != width for row in data):
            raise ValueError("all rows must have the same length")
        self._data = data
        self.rows = len(data)
        self.cols = width

    @classmethod
    def identity(cls, n):
        return cls([[1 if i == j else 0 for j in range(n)] for i in range(n)])

    @classmethod
    def zeros(cls, rows, cols):
        return cls([[0] * cols for _ in range(rows)])

    @property
    def shape(self):
        return (self.rows, self.cols)

    def __getitem__(self, index):
        i, j = index
        return self._data[i][j]

    def row(self, i):
        return list(self._data[i])

    def column(self, j):
        return [row[j] for row in self._data]

    def tolist(self):
        return [list(row) for row in self._data]

    def __eq__(self, other):
        if not isinstance(other, Matrix):
            return NotImplemented
        return self._data == other._data

    def __repr__(self):
        return "Matrix(%r)" % (self._data,)

    @property
    def T(self):
        return Matrix([self.column(j) for j in range(self.cols)])

    def _same_shape(self, other):
        if self.shape != other.shape:
            raise ValueError("shape mismatch: %s vs %s" % (self.shape, other.shape))

    def __add__(self, other):
        self._same_shape(other)
        return Matrix([[a + b for a, b in zip(r, s)] for r, s in zip(self._data, other._data)])

    def __sub__(self, other):
        self._same_shape(other)
        return Matrix([[a - b for a, b in zip(r, s)] for r, s in zip(self._data, other._data)])

    def __mul__(self, scalar):
        if not isinstance(scalar, Number):
            return NotImplemented
        return Matrix([[scalar * a for a in row] for row in self._data])

    __rmul__ = __mul__

    def __matmul__(self, other):
        if not isinstance(other, Matrix):
            return NotImplemented
        if self.cols != other.rows:
            raise ValueError("cannot multiply %s by %s" % (self.shape, other.shape))
        columns = [other.column(j) for j in range(other.cols)]
        return Matrix(
            [[sum(a * b for a, b in zip(row, col)) for col in columns] for row in self._data]
        )

    def _require_square(self):
        if self.rows != self.cols:
            raise ValueError("matrix must be square, not %dx%d" % self.shape)

    def det(self):
        """Determinant by Gaussian elimination (exact for int/Fraction entries)."""
        self._require_square()
        n = self.rows
        a = [[_exact(x) for x in row] for row in self._data]
        result = 1
        for col in range(n):
            pivot = a[col][col]
            if pivot == 0:
                return _exact(0)
            for r in range(col + 1, n):
                factor = a[r][col] / pivot
                if factor:
                    for c in range(col, n):
                        a[r][c] -= factor * a[col][c]
            result *= pivot
        return _exact(result)

    def solve(self, rhs):
        """Solve ``self @ x == rhs`` for a vector (list) or a matrix ``rhs``."""
        self._require_square()
        n = self.rows
        vector = not isinstance(rhs, Matrix)
        b = [[value] for value in rhs] if vector else rhs.tolist()
        if len(b) != n:
            raise ValueError("right-hand side has %d rows, expected %d" % (len(b), n))
        # Augmented matrix [A | b], reduced to the identity on the left.
        aug = [[_exact(x) for x in row] + [_exact(x) for x in brow]
               for row, brow in zip(self._data, b)]
        width = len(aug[0])
        for col in range(n):
            pivot = aug[col][col]
            if pivot == 0:
                raise SingularMatrixError("matrix is singular")
            aug[col] = [x / pivot for x in aug[col]]
            for r in range(n):
                if r != col and aug[r][col]:
                    factor = aug[r][col]
                    aug[r] = [x - factor * y for x, y in zip(aug[r], aug[col])]
        solution = [row[n:width] for row in aug]
        if vector:
            return [row[0] for row in solution]
        return Matrix(solution)

    def inverse(self):
        return self.solve(Matrix.identity(self.rows))
