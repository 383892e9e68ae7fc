from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_q2_form(k_star):
    import numbers
    assert isinstance(k_star, numbers.Integral) and k_star > 0, 'k_star is a positive integer'

