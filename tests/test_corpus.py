"""The shipped story corpus is exactly what ``tools/make_corpus.py`` writes, and has the structure it promises."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from rnn_lib.datasets import load_char_corpus

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "make_corpus.py"


def _make_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_file_is_the_generator_output_byte_for_byte():
    assert _make_corpus_module().make_corpus() == load_char_corpus()


def test_other_seeds_give_other_stories_of_the_asked_size():
    make_corpus = _make_corpus_module().make_corpus
    small = make_corpus(size=2000, seed=1)
    assert 2000 <= len(small) < 2600 and small != make_corpus(size=2000, seed=2)


def test_quotes_and_brackets_close_and_agreement_holds():
    corpus = load_char_corpus()
    assert corpus.count('"') % 2 == 0 and corpus.count("(") == corpus.count(")")
    for paragraph in corpus.strip().split("\n\n"):
        assert paragraph.count('"') % 2 == 0
    assert len(set(corpus)) < 40
    noun = "(?:boat|goat|lamp|bell|kite|drum)"
    plural = re.findall(rf"The {noun}s that \w+ \w+ [a-z ]+? (\w+) \w+, so (?:he|she) \w+ (\w+)", corpus)
    singular = re.findall(rf"The {noun} that \w+ \w+ [a-z ]+? (\w+) \w+, so (?:he|she) \w+ (\w+)", corpus)
    assert len(plural) > 100 and len(singular) > 100
    assert set(plural) == {("were", "them"), ("are", "them")}     # past in narration, present in speech
    assert set(singular) == {("was", "it"), ("is", "it")}
    # speech is in the present tense, narration in the past
    assert re.search(r'"The \w+ that \w+ \w+ [a-z ]+? (is|are) ', corpus)
    assert not re.search(r'"The \w+ that \w+ \w+ [a-z ]+? (was|were) ', corpus)
