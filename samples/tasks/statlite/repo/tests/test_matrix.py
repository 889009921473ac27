from fractions import Fraction

import pytest

from statlite import Matrix, SingularMatrixError


def test_shape_and_indexing():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    assert m.shape == (2, 3)
    assert m[1, 2] == 6
    assert m.column(1) == [2, 5]


def test_ragged_rows_are_rejected():
    with pytest.raises(ValueError):
        Matrix([[1, 2], [3]])


def test_transpose():
    assert Matrix([[1, 2, 3], [4, 5, 6]]).T == Matrix([[1, 4], [2, 5], [3, 6]])


def test_add_sub_scale():
    a = Matrix([[1, 2], [3, 4]])
    assert a + a == 2 * a
    assert a - a == Matrix.zeros(2, 2)


def test_matmul():
    a = Matrix([[1, 2], [3, 4]])
    b = Matrix([[0, 1], [1, 0]])
    assert a @ b == Matrix([[2, 1], [4, 3]])
    with pytest.raises(ValueError):
        a @ Matrix([[1, 2, 3]])


def test_identity_is_neutral():
    a = Matrix([[2, 7], [1, 8]])
    assert Matrix.identity(2) @ a == a == a @ Matrix.identity(2)


def test_det_2x2_and_3x3():
    assert Matrix([[2, 1], [1, 3]]).det() == 5
    assert Matrix([[2, 0, 1], [1, 3, 2], [1, 1, 2]]).det() == 6


def test_det_is_exact():
    assert Matrix([[Fraction(1, 3), 1], [1, 6]]).det() == 1
    assert isinstance(Matrix([[1, 2], [3, 4]]).det(), Fraction)


def test_det_of_singular_matrix():
    assert Matrix([[1, 2], [2, 4]]).det() == 0


def test_det_requires_square():
    with pytest.raises(ValueError, match="must be square"):
        Matrix([[1, 2, 3]]).det()


def test_solve_vector():
    assert Matrix([[2, 1], [1, 3]]).solve([3, 5]) == [Fraction(4, 5), Fraction(7, 5)]


def test_inverse():
    a = Matrix([[4, 7], [2, 6]])
    assert a.inverse() @ a == Matrix.identity(2)
    assert a.inverse() == Matrix([[Fraction(3, 5), Fraction(-7, 10)], [Fraction(-1, 5), Fraction(2, 5)]])


def test_inverse_of_singular_matrix():
    with pytest.raises(SingularMatrixError):
        Matrix([[1, 2], [2, 4]]).inverse()


def test_float_entries():
    assert Matrix([[0.5, 0.0], [0.0, 4.0]]).det() == pytest.approx(2.0)
