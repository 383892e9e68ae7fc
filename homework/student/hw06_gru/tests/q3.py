from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_q3_shape_and_values(gru_step):
    import numpy as np
    from rnnbook.cells import gru_step_forward, init_gru_params
    rng = np.random.default_rng(12)
    p = init_gru_params(3, 4, rng)
    x, h0 = (rng.normal(size=(2, 3)), rng.normal(size=(2, 4)))
    h = gru_step(x, h0, p['W_xh'], p['W_hh'], p['b_h'])
    assert np.shape(h) == (2, 4), 'the new state is (B, n)'
    assert np.allclose(h, gru_step_forward(x, h0, p)[0])

