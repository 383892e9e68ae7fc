from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_q4_form(alpha, context):
    import numpy as np
    assert np.shape(alpha) == (3,) and np.shape(context) == (2,), 'alpha is (3,), context (2,)'
    assert np.all(alpha > 0) and np.isclose(np.sum(alpha), 1), 'the weights are a softmax'

