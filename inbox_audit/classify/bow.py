"""What spaCy's bag-of-words text classifier reads, without building spaCy's objects.

The model (``model.py``) sees a text as tokens split by a regular expression; a Doc per
text and spaCy's per-doc n-gram counting were most of its prediction time on short
mail. :class:`Tokens` stands in for a Doc, :class:`BagOfWords` runs the trained layers
on a whole batch; both give spaCy's own results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

TOKEN = re.compile(r"\w+|[^\w\s]")
ORTH = 65  # spacy.attrs.ORTH, without importing spaCy at module import


class Tokens:
    """What the bag-of-words model reads of a Doc (its length and ``to_array([ORTH])``),
    without building one: Doc construction was a sixth of the classification time."""

    __slots__ = ("nlp", "orths", "words")

    def __init__(self, nlp: Any, words: list[str], orths: list[int]) -> None:
        self.nlp = nlp
        self.words = words
        self.orths = orths

    def __len__(self) -> int:
        return len(self.orths)

    def to_array(self, attrs: Sequence[int]) -> Any:
        if list(attrs) != [ORTH]:  # not the model we know: ask a real Doc
            return make_doc(self.nlp, " ".join(self.words)).to_array(attrs)
        import numpy

        return numpy.array(self.orths, dtype=numpy.uint64)



class BagOfWords:
    """spaCy's TextCatBOW model (``extract_ngrams(ORTH) >> sparse_linear``, then softmax)
    run on a batch at once. Its ``extract_ngrams`` counts each doc's n-grams with a few
    numpy calls per doc (a quarter of the model's time on short mail); here one sort
    counts them for the whole batch. The linear layer then gets the same arrays (each
    doc's distinct n-gram hashes in ascending order, their counts, the docs' lengths),
    so the scores are the same, bit for bit."""

    __slots__ = ("linear", "n", "ops", "output")

    def __init__(self, linear: Any, output: Any, n: int, ops: Any) -> None:
        self.linear = linear
        self.output = output
        self.n = n
        self.ops = ops

    @classmethod
    def of(cls, model: Any) -> BagOfWords | None:
        """The layers of ``model`` when it is that architecture, else None (the caller
        then runs the model itself)."""
        try:
            inner, output = model.layers
            extract, linear = inner.layers[0].layers
        except (AttributeError, IndexError, TypeError, ValueError):
            return None
        if (inner.name != "with_cpu(extract_ngrams>>resizable(sparse_linear))"
                or output.name != "with_cpu(softmax_activation)"
                or extract.attrs.get("attr") != ORTH
                or not isinstance(extract.attrs.get("ngram_size"), int)
                or extract.attrs["ngram_size"] < 1):
            return None
        return cls(linear, output, extract.attrs["ngram_size"], model.ops)

    def predict(self, docs: Sequence[Tokens]) -> Any:
        """Scores of ``docs`` (none empty), as ``textcat.predict`` gives them."""
        import numpy

        sizes = numpy.array([len(d) for d in docs], dtype=numpy.int64)
        flat: list[int] = []
        for doc in docs:
            flat += doc.orths
        unigrams = numpy.array(flat, dtype=numpy.uint64)
        doc_of = numpy.repeat(numpy.arange(len(docs)), sizes)
        position = numpy.arange(len(unigrams)) - numpy.repeat(numpy.cumsum(sizes) - sizes, sizes)
        keys, owners = [unigrams], [doc_of]
        for n in range(2, self.n + 1):
            grams = self.ops.ngrams(n, unigrams)  # hashes of every n tokens in a row
            # Only the n-grams inside one doc: those starting n - 1 tokens before its end.
            inside = (position + n <= numpy.repeat(sizes, sizes))[:len(grams)]
            keys.append(grams[inside])
            owners.append(doc_of[:len(grams)][inside])
        key, owner = numpy.concatenate(keys), numpy.concatenate(owners)
        order = numpy.lexsort((key, owner))  # by doc, then by hash, as numpy.unique sorts
        key, owner = key[order], owner[order]
        first = numpy.ones(len(key), dtype=bool)
        first[1:] = (key[1:] != key[:-1]) | (owner[1:] != owner[:-1])
        starts = numpy.flatnonzero(first)
        counts = numpy.diff(numpy.append(starts, len(key)))
        lengths = numpy.bincount(owner[starts], minlength=len(docs))
        scores = self.linear.predict((key[starts], self.ops.asarray(counts, dtype="f"),
                                      self.ops.asarray(lengths, dtype="int32")))
        return self.ops.asarray(self.output.predict(self.ops.asarray(scores)))


def make_doc(nlp: Any, text: str) -> Any:
    """``text`` as a spaCy Doc, split on word characters and single punctuation marks.

    The bag-of-words model only needs stable tokens, and spaCy's rule-based tokenizer
    (prefixes, suffixes, exceptions) was a third of the classification time.
    """
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=TOKEN.findall(text))
