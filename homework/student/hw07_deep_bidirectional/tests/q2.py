from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=None, hidden=False)
def test_q2_shape_and_forward_half(bidirectional):
    import numpy as np
    from rnnbook.cells import init_rnn_params
    from rnnbook.sequence import forward
    rng = np.random.default_rng(15)
    pf, pb = (init_rnn_params(2, 3, rng), init_rnn_params(2, 3, rng))
    X = rng.normal(size=(5, 2, 2))
    H = bidirectional(X, pf, pb)
    assert np.shape(H) == (5, 2, 6), 'H is (T, B, 2n)'
    assert np.allclose(H[..., :3], forward('rnn', X, pf).H), 'the first half is the forward pass'

