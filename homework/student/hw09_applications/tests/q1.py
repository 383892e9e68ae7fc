from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_form(nll, ppl, bits_per_char, K):
    import numpy as np
    for v in (nll, ppl, bits_per_char):
        assert np.ndim(v) == 0 and np.isfinite(v), 'each answer is one number'
    assert 1 < ppl < K, 'a useful model has a perplexity between 1 and the vocabulary size'
    assert bits_per_char > 0 and nll > 0

