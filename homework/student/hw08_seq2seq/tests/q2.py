from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_form(greedy_prob, beam_prob):
    import numpy as np
    assert np.ndim(greedy_prob) == 0 and np.ndim(beam_prob) == 0, 'two numbers'
    assert 0 < greedy_prob <= 1 and 0 < beam_prob <= 1, 'probabilities lie in (0, 1]'

