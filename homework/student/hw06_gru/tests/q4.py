from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_form(drift, drift_no_bias):
    import numpy as np
    assert np.ndim(drift) == 0 and np.ndim(drift_no_bias) == 0, 'two numbers'
    assert 0 <= drift < drift_no_bias, 'the biased update gate keeps the state closer to h0'

