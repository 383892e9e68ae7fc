from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_ranges(i, f, g, o, c, h):
    import numpy as np
    for v in (i, f, g, o, c, h):
        assert np.size(v) == 1 and np.isfinite(v), 'each answer is one number'
    assert 0 < i < 1 and 0 < f < 1 and (0 < o < 1), 'the gates are sigmoids, in (0, 1)'
    assert -1 < g < 1 and -1 < h < 1, 'g and h are in (-1, 1)'

