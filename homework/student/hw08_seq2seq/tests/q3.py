from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_q3_form(best_raw, best_normalised):
    import numbers
    for v in (best_raw, best_normalised):
        assert isinstance(v, numbers.Integral) and 0 <= v <= 2, 'an index 0, 1 or 2'

