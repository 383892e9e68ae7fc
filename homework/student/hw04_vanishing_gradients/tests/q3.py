from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_q3_diagonal_case(step_jacobian):
    import numpy as np
    h = np.array([0.1, -0.5, 0.9])
    W = np.diag([0.5, -1.0, 2.0])
    J = step_jacobian(h, W)
    assert np.shape(J) == (3, 3), 'the Jacobian is (n, n)'
    assert np.allclose(J, np.diag((1 - h ** 2) * np.diag(W)))

