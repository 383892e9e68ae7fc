from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_small(rel_err):
    import numpy as np
    assert np.ndim(rel_err) == 0, 'rel_err is one number'
    assert 0 <= rel_err < 1e-06, 'an exact gradient agrees with central differences to < 1e-6'

