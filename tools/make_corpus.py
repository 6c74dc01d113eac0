"""Write ``rnn_lib/data/char_corpus.txt``: generated short stories with long-range structure.

Run from the repository root: ``python tools/make_corpus.py``. The output depends only on the seed,
so running it again rewrites the same file byte for byte (a test checks this).

The stories are built so that some characters can only be predicted from something said many
characters earlier, further back than any short window of characters reaches:

* quoted speech: whether a clause ends in ``,"`` or ``.`` depends on an opening quote about 30 to 80
  characters back;
* brackets: a clause inside ``( ... )`` ends with ``)``, one outside with ``.``;
* tense: speech is in the present tense ("Ana finds"), narration in the past ("Ana found"), so a
  verb inside a long quote depends on the opening quote;
* number agreement across a relative clause: "The kite that Ana found by the bridge **was** ...",
  "The kites that ... **were** ...", and later "... so she hid **it**" / "**them**";
* gender agreement: "Tom found a drum on the hill, and **he** ..." refers back to the name.

Everything else (which name, noun, adjective, verb or place) is drawn at random, so nobody can
predict those better than their frequency.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

NAMES = (("Ana", "she"), ("Tom", "he"), ("Mira", "she"), ("Ben", "he"))
NOUNS = ("boat", "goat", "lamp", "bell", "kite", "drum")
ADJECTIVES = ("old", "red", "small", "wet", "green", "tall")
PLACES = ("by the bridge", "near the mill", "on the hill", "in the yard", "under the tree", "at the harbour",
          "behind the barn", "across the river")
VERBS = {"saw": "sees", "found": "finds", "painted": "paints", "lost": "loses", "carried": "carries",
         "washed": "washes", "mended": "mends", "hid": "hides"}   # past -> present tense
STATES = ("broken", "heavy", "empty", "bright", "clean", "cold")
SEED = 2026
SIZE = 150_000                                  # characters, about 150 KB


def _pick(rng, options):
    return options[rng.integers(len(options))]


def _noun_phrase(rng) -> tuple[str, bool]:
    """'the red kites', 'a goat', ...; returns the phrase and whether it is plural."""
    plural = bool(rng.random() < 0.5)
    noun = _pick(rng, NOUNS) + ("s" if plural else "")
    article = "the" if rng.random() < 0.6 else ("some" if plural else "a")
    if rng.random() < 0.5:
        return f"{article} {_pick(rng, ADJECTIVES)} {noun}", plural
    return f"{article} {noun}", plural


def _clause(rng, person, speech: bool) -> str:
    """One clause about ``person`` (a (name, pronoun) pair); later words agree with earlier ones.

    Speech is in the present tense ("Ana finds the kite"), narration in the past ("Ana found the kite").
    """
    name, pronoun = person

    def verb():
        past = _pick(rng, list(VERBS))
        return VERBS[past] if speech else past

    kind = rng.integers(3)
    if kind == 0:                               # number agreement across a relative clause
        plural = bool(rng.random() < 0.5)
        noun = _pick(rng, NOUNS) + ("s" if plural else "")
        be = ("are" if plural else "is") if speech else ("were" if plural else "was")
        return (f"the {noun} that {name} {verb()} {_pick(rng, PLACES)} {be} "
                f"{_pick(rng, STATES)}, so {pronoun} {verb()} {'them' if plural else 'it'}")
    thing, plural = _noun_phrase(rng)
    if kind == 1:                               # gender and number agreement across a long object
        return (f"{name} {verb()} {thing} {_pick(rng, PLACES)}, and {pronoun} {verb()} "
                f"{'them' if plural else 'it'} {_pick(rng, PLACES)}")
    return f"{name} {verb()} {thing} {_pick(rng, PLACES)}"


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _sentence(rng, cast) -> str:
    person, speaker = cast[rng.integers(2)], cast[rng.integers(2)]
    kind = rng.integers(4)
    body = _clause(rng, person, speech=kind in (1, 2))
    if kind == 0:                               # plain narration
        return _capital(body) + "."
    if kind == 1:                               # speech first: the quote closes with ,"
        return f"\"{_capital(body)},\" said {speaker[0]}."
    if kind == 2:                               # speech last: the quote closes with ."
        return f"{speaker[0]} said, \"{_capital(body)}.\""
    thing, _ = _noun_phrase(rng)                # an aside in brackets
    return f"{person[0]} {_pick(rng, list(VERBS))} {thing} ({_clause(rng, cast[rng.integers(2)], speech=False)})."


def make_corpus(size: int = SIZE, seed: int = SEED) -> str:
    """Paragraphs of 3 to 6 sentences about two of the four people, until ``size`` characters."""
    rng = np.random.default_rng(seed)
    paragraphs, total = [], 0
    while total < size:
        first, second = rng.choice(len(NAMES), size=2, replace=False)
        cast = (NAMES[first], NAMES[second])
        paragraph = " ".join(_sentence(rng, cast) for _ in range(rng.integers(3, 7)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


def main() -> int:
    target = Path(__file__).resolve().parent.parent / "rnn_lib" / "data" / "char_corpus.txt"
    text = make_corpus()
    target.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(text)} characters to {target.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
