from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_form(n_lstm, n_lstm_peephole, n_gru):
    import numbers
    for v in (n_lstm, n_lstm_peephole, n_gru):
        assert isinstance(v, numbers.Integral), 'counts are integers'
    assert n_gru < n_lstm < n_lstm_peephole

