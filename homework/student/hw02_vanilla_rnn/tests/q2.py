from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_types(n_cell, n_total):
    import numbers
    assert isinstance(n_cell, numbers.Integral) and isinstance(n_total, numbers.Integral), 'the counts must be integers'
    assert 0 < n_cell < n_total, 'the read-out adds parameters'

