from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_q3_form(change_uni, change_bi):
    import numpy as np
    assert np.ndim(change_uni) == 0 and np.ndim(change_bi) == 0, 'two numbers'
    assert change_uni >= 0 and change_bi >= 0

