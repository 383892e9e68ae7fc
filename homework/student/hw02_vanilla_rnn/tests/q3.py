from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_q3_matches_package(rnn_step):
    import numpy as np
    from rnnbook.cells import rnn_step_forward
    rng = np.random.default_rng(0)
    B, d, n = (3, 4, 5)
    p = {'W_xh': rng.normal(size=(n, d)), 'W_hh': rng.normal(size=(n, n)) / 3, 'b_h': rng.normal(size=n)}
    x, h_prev = (rng.normal(size=(B, d)), rng.normal(size=(B, n)))
    h = rnn_step(x, h_prev, p['W_xh'], p['W_hh'], p['b_h'])
    assert np.shape(h) == (B, n), f'expected shape {(B, n)}, got {np.shape(h)}'
    assert np.allclose(h, rnn_step_forward(x, h_prev, p)[0]), 'values differ from the equation'

