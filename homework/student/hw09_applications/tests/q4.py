from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_q4_shapes_and_inputs(windows):
    import numpy as np
    s = np.arange(10.0) ** 2
    X, y = windows(s, 3)
    assert np.shape(X) == (3, 7, 1) and np.shape(y) == (7, 1), 'X is (w, N, 1), y is (N, 1)'
    assert np.allclose(X[:, 0, 0], s[:3]) and np.allclose(X[:, 6, 0], s[6:9]), 'the windows'

