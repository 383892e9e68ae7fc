from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_first_step(beam_step, step):
    import numpy as np
    out = beam_step([(0.0, (0,))], step, 2)
    assert len(out) == 2, 'width 2 keeps two extensions'
    (s1, p1), (s2, p2) = out
    assert s1 >= s2, 'best first'
    assert p1 == (0, 1) and p2 == (0, 2), "from the start, 'a' (0.50) and 'b' (0.44) survive"
    assert np.isclose(s1, np.log(0.5)) and np.isclose(s2, np.log(0.44))

