from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_q3_no_gradient_at_h(dc_prev_direct):
    import numpy as np
    from rnnbook.cells import init_lstm_params, lstm_step_backward, lstm_step_forward
    rng = np.random.default_rng(8)
    p = init_lstm_params(2, 3, rng)
    x, h0, c0 = (rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    h, c, cache = lstm_step_forward(x, h0, c0, p)
    dh, dc = (np.zeros((4, 3)), rng.normal(size=(4, 3)))
    ref = lstm_step_backward(dh, dc, cache)[2]
    mine = dc_prev_direct(dh, dc, cache['f'], cache['o'], c)
    assert np.shape(mine) == (4, 3), 'the result is (B, n)'
    assert np.allclose(mine, ref), 'with dh = 0 the answer is dc * f'

