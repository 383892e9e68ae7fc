from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_form(gamma, sigma, rho, log10_bound_10):
    import numpy as np
    for v in (gamma, sigma, rho, log10_bound_10):
        assert np.ndim(v) == 0 and np.isfinite(v), 'every answer is one finite number'
    assert 0 < gamma <= 1 and sigma > 0 and (rho > 0)

