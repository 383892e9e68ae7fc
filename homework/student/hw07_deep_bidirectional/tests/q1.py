from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_form(out_dim, counts):
    import numbers
    assert isinstance(out_dim, numbers.Integral), 'out_dim is an integer'
    assert len(counts) == 3 and all((isinstance(c, numbers.Integral) for c in counts)), 'counts is a list of three integers'
    assert counts[1] == counts[2], 'layers 2 and 3 have the same shape'

