from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_form(p_cold, p_hot):
    import numpy as np
    for p in (p_cold, p_hot):
        assert np.shape(p) == (4,), 'a distribution over the 4 symbols'
        assert np.all(p > 0) and np.isclose(np.sum(p), 1), 'probabilities summing to 1'

