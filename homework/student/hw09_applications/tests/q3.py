from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_q3_form(mae_value, rmse_value, da_value):
    import numpy as np
    for v in (mae_value, rmse_value, da_value):
        assert np.ndim(v) == 0 and np.isfinite(v), 'each answer is one number'
    assert 0 < mae_value <= rmse_value, 'the RMSE is never below the MAE'
    assert 0 <= da_value <= 1, 'a fraction'

