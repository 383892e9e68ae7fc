from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_form(loss_nats, ratio):
    import numpy as np
    assert np.ndim(loss_nats) == 0 and np.isfinite(loss_nats), 'loss_nats must be one number'
    assert loss_nats > 0, 'a cross-entropy is positive'
    assert 0.5 < ratio < 2, 'an untrained model should be close to the uniform guess'

