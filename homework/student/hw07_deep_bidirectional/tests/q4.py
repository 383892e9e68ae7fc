from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_q4_form(keep_value, mask_mean):
    import numpy as np
    assert np.ndim(keep_value) == 0 and keep_value > 0
    assert np.ndim(mask_mean) == 0 and 0.8 < mask_mean < 1.2, 'the mask has mean about 1'

