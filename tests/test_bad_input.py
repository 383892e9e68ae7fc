"""Bad input to the public functions that other test files exercise only with good input:
each raises an error that names what was expected."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only: the widgets' figures are never shown here

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnbook import activations, bptt, data, forecasting, optim, seq2seq, sequence  # noqa: E402
from rnnbook.widgets import gradient_bounds, gradient_flow  # noqa: E402


@pytest.mark.parametrize("fn", [activations.sigmoid, activations.dsigmoid, activations.tanh,
                                activations.dtanh, activations.relu, activations.drelu])
def test_activations_name_a_non_numeric_input(fn):
    with pytest.raises(TypeError, match="z must be a numeric array, got str"):
        fn("abc")


def test_activations_accept_infinities_where_they_have_a_limit():
    np.testing.assert_array_equal(activations.sigmoid(np.array([-np.inf, np.inf])), [0.0, 1.0])
    np.testing.assert_array_equal(activations.tanh(np.array([-np.inf, np.inf])), [-1.0, 1.0])


def test_predict_and_model_loss_name_the_expected_shapes():
    params = bptt.init_model("rnn", 2, 3, 1, 0)
    with pytest.raises(ValueError, match="X must have 3 dimensions"):
        bptt.predict(params, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"Y must have shape \(T, B, k\)"):
        bptt.model_loss(params, np.zeros((3, 1, 2)), np.zeros((3, 1, 5)))


def test_copy_task_and_hidden_size():
    with pytest.raises(ValueError, match="length must be >= 1"):
        data.copy_task(0, 1, 1, 1, 0)
    with pytest.raises(KeyError, match="missing 'W_hh'"):
        sequence.hidden_size({}, "rnn")
    with pytest.raises(ValueError, match="cell must be one of"):
        sequence.hidden_size({"W_hh": np.zeros((2, 2))}, "cnn")


def test_global_norm_needs_a_dict():
    with pytest.raises(TypeError, match="grads must be a dict of arrays"):
        optim.global_norm([np.ones(2)])


def test_forecast_metrics_need_matching_lengths():
    with pytest.raises(ValueError, match="y_pred must have as many entries as y_true"):
        forecasting.forecast_metrics(np.zeros(3), np.zeros(4), np.zeros(3))


def test_seq2seq_step_function_needs_model_parameters():
    with pytest.raises(KeyError, match="seq2seq params are missing"):
        seq2seq.model_step_fn({}, [1, 2])


def test_widget_builders_refuse_out_of_range_positions():
    with pytest.raises(ValueError, match=r"must lie in \[0.1, 8.0\]"):
        gradient_bounds.gradient_bound_explorer(norm=100)
    with pytest.raises(ValueError, match=r"w_h must lie in \[-4.0, 4.0\]"):
        gradient_bounds.decay_table_widget(w_h=99)
    with pytest.raises(ValueError, match="T must be >= 2"):
        gradient_bounds.plot_bound_explorer(T=0)
    with pytest.raises(ValueError, match=r"T must lie in \[10, 300\]"):
        gradient_flow.plot_gradient_flow(T=1)
