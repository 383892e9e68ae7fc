from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_form(n_before, n_after, ratio_to_lstm):
    import numbers
    assert isinstance(n_before, numbers.Integral) and isinstance(n_after, numbers.Integral)
    assert n_after >= n_before > 0
    assert 0 < ratio_to_lstm < 1, 'a GRU is smaller than an LSTM of the same sizes'

