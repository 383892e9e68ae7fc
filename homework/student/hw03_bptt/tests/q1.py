from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_form(dL_dw, dL_du):
    import numpy as np
    assert np.ndim(dL_dw) == 0 and np.ndim(dL_du) == 0, 'dL_dw and dL_du must be numbers'
    assert np.isfinite(dL_dw) and np.isfinite(dL_du)

