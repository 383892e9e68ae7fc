from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_form(measured_20, bound_20):
    import numpy as np
    assert np.ndim(measured_20) == 0 and np.ndim(bound_20) == 0, 'two numbers'
    assert bound_20 < 0, 'the bound at k = 20 is below 1, so its log10 is negative'
    assert measured_20 <= bound_20 + 1e-09, 'the measured norm never exceeds the bound'

