from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_ranges(r, z, h_tilde, h_old, h_new):
    import numpy as np
    for v in (r, z, h_tilde, h_old, h_new):
        assert np.size(v) == 1 and np.isfinite(v), 'each answer is one number'
    assert 0 < r < 1 and 0 < z < 1, 'the gates are sigmoids'
    assert -1 < h_tilde < 1 and -1 < h_old < 1 and (-1 < h_new < 1)

