from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_shapes(h1, h2):
    import numpy as np
    assert np.shape(h1) == (2,) and np.shape(h2) == (2,), 'h1 and h2 must have shape (2,)'
    assert np.all(np.abs(h1) < 1) and np.all(np.abs(h2) < 1), 'tanh values lie in (-1, 1)'

