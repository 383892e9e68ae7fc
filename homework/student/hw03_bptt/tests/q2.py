from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_gradcheck_one_sequence(rnn_backward):
    import numpy as np
    from rnnbook.gradcheck import numerical_gradient, relative_error
    rng = np.random.default_rng(3)
    d, n = (3, 4)
    arrays = {'x': rng.normal(size=(1, d)), 'h_prev': rng.normal(size=(1, n)), 'W_xh': rng.normal(size=(n, d)), 'W_hh': rng.normal(size=(n, n)) / 2, 'b_h': rng.normal(size=n)}
    g = rng.normal(size=(1, n))

    def loss():
        a = arrays
        return float(np.sum(g * np.tanh(a['x'] @ a['W_xh'].T + a['h_prev'] @ a['W_hh'].T + a['b_h'])))
    a = arrays
    h = np.tanh(a['x'] @ a['W_xh'].T + a['h_prev'] @ a['W_hh'].T + a['b_h'])
    out = rnn_backward(g, a['x'], a['h_prev'], h, a['W_xh'], a['W_hh'])
    assert len(out) == 5, 'return (dx, dh_prev, dW_xh, dW_hh, db_h)'
    for name, grad in zip(['x', 'h_prev', 'W_xh', 'W_hh', 'b_h'], out):
        assert np.shape(grad) == a[name].shape, f'd{name} must have shape {a[name].shape}'
        err = relative_error(grad, numerical_gradient(loss, a[name]))
        assert err < 1e-06, f'gradient check of d{name} fails: relative error {err:.2e}'

