from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_q3_form(norm_full, rel_diff):
    import numpy as np
    assert np.ndim(norm_full) == 0 and norm_full > 0, 'norm_full is a positive number'
    assert np.ndim(rel_diff) == 0 and 0 < rel_diff < 1, 'the truncated gradient differs, by less than the gradient itself'

