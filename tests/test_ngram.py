"""The counting baseline: probabilities worked out by hand on a three-character text.

Text "aab", discount 0.5, vocabulary {a, b} plus the unknown symbol (3 symbols, uniform 1/3).

* order 1 uses raw counts a: 2, b: 1 (total 3, 2 types):
  P(a) = (2 - 0.5)/3 + 0.5 * 2/3 * 1/3 = 11/18, P(b) = 0.5/3 + 1/9 = 5/18, P(unknown) = 1/9.
* order 2: the empty context uses continuation counts (distinct bigrams "aa", "ab": a: 1, b: 1):
  P0(a) = P0(b) = 0.5/2 + 0.5 * 2/2 * 1/3 = 5/12; context "a" has raw counts a: 1, b: 1:
  P(b | a) = 0.5/2 + 0.5 * 2/2 * 5/12 = 11/24; context "b" was never seen, so P(a | b) = P0(a) = 5/12.
* order 3: context "a" now counts trigram continuations ("aab": b: 1): P1(b | a) = 0.5 + 0.5 * 5/12 = 17/24,
  and P(b | aa) = 0.5 + 0.5 * 17/24 = 41/48.
"""

import math

import numpy as np
import pytest

from rnn_lib.ngram import UNKNOWN, NGramModel, best_ngram


def test_order_one_is_a_smoothed_frequency_table():
    model = NGramModel(order=1, discount=0.5).fit("aab")
    assert model.prob("a") == pytest.approx(11 / 18)
    assert model.prob("b", "whatever came before") == pytest.approx(5 / 18)
    assert model.prob("z") == pytest.approx(1 / 9)      # any unseen character shares the unknown symbol


def test_order_two_by_hand():
    model = NGramModel(order=2, discount=0.5).fit("aab")
    assert model.prob("a", "") == pytest.approx(5 / 12)
    assert model.prob("b", "a") == pytest.approx(11 / 24)
    assert model.prob("a", "a") == pytest.approx(11 / 24)
    assert model.prob("a", "b") == pytest.approx(5 / 12)  # unseen context: back off to the shorter one
    assert model.prob(UNKNOWN, "a") == pytest.approx(0.5 * 1 / 3 * 0.5 * 2 / 2 / 1)  # = 1/12
    assert model.perplexity("ab") == pytest.approx(24 / 11)


def test_order_three_uses_continuation_counts_below_the_top():
    model = NGramModel(order=3, discount=0.5).fit("aab")
    assert model.prob("b", "aa") == pytest.approx(41 / 48)
    assert model.prob("b", "xaa") == pytest.approx(41 / 48)  # only the last order - 1 characters count
    # the first prediction has only one character of context, and that level counts continuations:
    # "a" was followed (in "aab") only by "b", so P(a | a) = 0 + 0.5 * 1/1 * P0(a) = 5/24
    np.testing.assert_allclose(np.exp(model.log_probs("aab")), [5 / 24, 41 / 48])


@pytest.mark.parametrize("order", [1, 2, 4, 6])
def test_every_distribution_sums_to_one(order):
    text = "the cat sat on the mat. the dog sat on the log."
    model = NGramModel(order=order, discount=0.7).fit(text)
    for context in ["", "t", "the ", "zzzz", "on the l", "sat."]:
        assert sum(model.prob(c, context) for c in model.vocab) == pytest.approx(1.0)


def test_log_probs_agree_with_prob_and_truncate_the_context_at_the_start():
    text = "abracadabra"
    model = NGramModel(order=4, discount=0.6).fit(text)
    expected = [math.log(model.prob(text[t], text[:t])) for t in range(1, len(text))]
    np.testing.assert_allclose(model.log_probs(text), expected)


def test_every_letter_once_gives_every_letter_the_same_probability():
    # counts 1 each: P(letter) = 0.5/26 + 0.5 * 26/26 * 1/27 = 1/52 + 1/54, for all 26 letters alike
    model = NGramModel(order=1, discount=0.5).fit("abcdefghijklmnopqrstuvwxyz")
    assert model.perplexity("qwerty") == pytest.approx(1 / (1 / 52 + 1 / 54))


def test_best_ngram_picks_the_lowest_validation_perplexity():
    train = "abcabcabcabcabcabc" * 5
    best, table = best_ngram(train, "abcabcab", orders=[1, 2, 3], discounts=(0.5, 0.9))
    assert set(table) == {(o, d) for o in (1, 2, 3) for d in (0.5, 0.9)}
    assert table[best.order, best.discount] == min(table.values())
    assert best.order > 1                                  # the text is a cycle: context helps
    for (order, discount), value in table.items():
        assert NGramModel(order, discount).fit(train).perplexity("abcabcab") == pytest.approx(value)


def test_sample_is_reproducible_and_follows_a_deterministic_text():
    model = NGramModel(order=3, discount=0.1).fit("abcabcabcabcabcabcabcabc")
    first = model.sample("ab", 12, rng=np.random.default_rng(0))
    assert first == model.sample("ab", 12, rng=np.random.default_rng(0))
    assert len(first) == 12 and UNKNOWN not in first


@pytest.mark.parametrize("kwargs, error", [
    ({"order": 0}, ValueError), ({"order": 2.5}, TypeError), ({"discount": 0}, ValueError),
    ({"discount": 1.0}, ValueError), ({"discount": "0.5"}, ValueError), ({"discount": True}, ValueError),
])
def test_bad_settings_name_the_argument(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        NGramModel(**kwargs)


def test_bad_texts_and_unfitted_use_raise_clear_errors():
    with pytest.raises(RuntimeError, match="fit"):
        NGramModel().perplexity("abc")
    with pytest.raises(ValueError, match="text"):
        NGramModel().fit("a")
    with pytest.raises(ValueError, match="text"):
        NGramModel().fit(["a", "b"])
    model = NGramModel(2).fit("abab")
    with pytest.raises(ValueError, match="two characters"):
        model.perplexity("a")
    with pytest.raises(TypeError, match="text"):
        model.log_probs(123)
    with pytest.raises(ValueError, match="single character"):
        model.prob("ab", "a")
    with pytest.raises(TypeError, match="vocab"):
        NGramModel().fit("abab", vocab=["<pad>", "a"])
