from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_form(carry_1, carry_0):
    import numpy as np
    assert np.ndim(carry_1) == 0 and np.ndim(carry_0) == 0, 'two numbers'
    assert 0 < carry_0 < carry_1 < 1, 'a larger forget bias carries more gradient'

