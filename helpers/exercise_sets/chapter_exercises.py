"""Exercises of notebook 06: the chapter's exercises 1-1 (which layers of an AlexNet-like
network give useful embeddings?) and 1-2 (input representations that are not embeddings)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from helpers.exercises import (
    CORRECT,
    CheckResult,
    ChoiceProblem,
    CustomProblem,
    Incorrect,
    KeywordProblem,
)

#: The network's layers, from input to output (as in ``helpers.models.alexnet.LAYERS``).
LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8")

# ============================================================================ exercise 1-1

#: What the checker says about each layer a learner may pick.
_LAYER_NOTES = {
    "conv1": "conv1 is a representation too, but its 3,136 numbers mostly record where edges and blobs are; "
             "its neighbours were barely better than raw pixels.",
    "conv2": "conv2 is a representation, but still large and close to the pixels: generic, not yet "
             "organised by what the garment is.",
    "conv3": "conv3 is midway: better neighbours than pixels, but 2,352 numbers per image.",
    "conv4": "conv4 is midway: better neighbours than pixels, but 2,352 numbers per image.",
    "conv5": "conv5 is defensible: its 288 numbers already put same-class images close together.",
    "fc6": "fc6 is a good choice: a short vector whose neighbours are mostly of the same class.",
    "fc7": "fc7, the penultimate layer, is the classic choice for an embedding.",
    "fc8": "fc8 is defensible only for this task: its 10 numbers are class scores, so it knows the ten "
           "classes and little else.",
}
_GOOD = {"conv5", "fc6", "fc7"}


def _layer_list(value: Any) -> list[str]:
    """The learner's layers as a list of names, or Incorrect with what to write."""
    if isinstance(value, str):
        items = [t for t in re.split(r"[\s,;]+", value) if t]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        raise Incorrect(
            f"`useful_layers` should be a list of layer names such as ['conv1', 'fc8'], got a {type(value).__name__}."
        )
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Incorrect(f"`useful_layers` should hold layer names (strings), but it holds {item!r}.")
        name = item.strip().casefold()
        if name in ("pixels", "pixel", "input"):
            raise Incorrect("The pixels are the input, not a layer of the network: leave them out.")
        if name not in LAYERS:
            raise Incorrect(f"{item!r} is not a layer of the network; the layers are {', '.join(LAYERS)}.")
        if name not in names:
            names.append(name)
    if not names:
        raise Incorrect("`useful_layers` is empty: name at least one layer.")
    return names


def _check_useful_layers(namespace: Mapping[str, Any]) -> Any:
    chosen = _layer_list(namespace["useful_layers"])
    notes = " ".join(_LAYER_NOTES[name] for name in chosen)
    if not _GOOD & set(chosen):
        if chosen == ["fc8"]:
            raise Incorrect(
                "fc8 alone is too narrow. Its outputs are the ten class scores: images of the same class do land "
                "close, but everything else about them is squeezed out (look at fc8 on the digits, a task it was not "
                "trained for). Which hidden layers sit just before it?"
            )
        raise Incorrect(
            f"{notes} None of your layers is among the ones whose neighbours were best on the clothes: "
            "look at the right end of the chart."
        )
    return CheckResult(
        CORRECT,
        f"a defensible choice. {notes} Strictly, every layer's output is a representation and could be used; "
        "the last hidden layers are the usual answer because they are short and similar images sit close there.",
    )


q1 = CustomProblem(
    _check_useful_layers,
    variables="useful_layers",
    hint=[
        "Read the chart of section 5: which layers give the best k-NN accuracy with the fewest numbers?",
        "The chapter associates embeddings with the second-to-last layer. Which layer is that here?",
    ],
    solution='useful_layers = ["fc6", "fc7"]',
    explanation="Other defensible answers include conv5 (already compact and well organised) and, for this "
                "task only, fc8.",
)

q2 = ChoiceProblem(
    "q2_answer",
    {
        "a": (True, "Every layer's output is an encoded form of the image, so any of them can serve as an "
                    "embedding in the loose sense; how useful it is depends on what you use it for."),
        "b": (False, "Backpropagation trains every layer against the labels, not only the last. fc8's outputs "
                     "are the class scores: one number per class, and little else."),
        "c": (True, "The hidden fully connected layers are short vectors in which images of the same class sit "
                    "close together; the penultimate layer fc7 is the textbook choice."),
        "d": (False, "More numbers is not more meaning: conv1's neighbours were barely better than the pixels'. "
                     "Early layers detect local patterns (edges, blobs) and say little about what the object is."),
        "e": (True, "On the clothes fc8 did well, but on digits, a task it was not trained for, its neighbours "
                    "were the worst of all layers: the output layer is specialised to its own classes."),
        "f": (False, "A stack of feature maps becomes a vector by flattening it (as the probes did) or by "
                     "averaging each map; it is still a representation of the image."),
    },
    multiple=True,
    hint=[
        "Compare the two panels of the chart: the clothes the network was trained on, and digits it never saw.",
        "Three statements are right. The chapter says that, strictly, all intermediate layers could yield "
        "embeddings.",
    ],
)

# ============================================================================ exercise 1-2

q3 = ChoiceProblem(
    "q3_answer",
    {
        "a": (True, "One-hot vectors are a representation, but every pair of categories is equally far apart: "
                    "no notion of similarity."),
        "b": (True, "Bag-of-words counts only notice shared spellings: two sentences that say the same thing in "
                    "different words have cosine similarity 0."),
        "c": (True, "TF-IDF re-weights bag-of-words counts by how rare each word is; it still cannot see that two "
                    "different words mean the same."),
        "d": (True, "Raw pixels are the input itself, compared spot by spot: on the clothes, pixel neighbours "
                    "shared their label less often than those of any trained layer (section 5)."),
        "e": (True, "Hand-made features such as colour histograms encode what a person chose to measure; nothing "
                    "was learned to put similar items close."),
        "f": (True, "Label (integer) encoding just numbers the categories: 'cat'=0, 'dog'=1, 'car'=2 suggests an "
                    "order and distances that mean nothing."),
        "g": (False, "The penultimate layer of a trained CNN is the classic image embedding: similar images land "
                     "close (section 5)."),
        "h": (False, "word2vec and GloVe vectors are learned word embeddings: words used in similar contexts get "
                     "similar vectors (notebook 02)."),
        "i": (False, "An autoencoder's bottleneck codes are learned, compressed vectors in which similar inputs "
                     "tend to land close (notebook 04): a latent space used as an embedding."),
    },
    multiple=True,
    hint=[
        "For each one ask: was it *learned* so that similar inputs end up close? If not, it is a representation "
        "but not an embedding.",
        "Six of the nine are not embeddings. The three that are were all produced by training a network.",
    ],
)

#: Names of embeddings that a learner may mention in the free text by mistake.
_EMBEDDING_WORDS = {
    "word2vec": "word2vec", "glove": "GloVe", "fasttext": "fastText", "autoencoder": "autoencoder codes",
    "penultimate": "penultimate-layer vectors", "bert": "BERT vectors",
}


class _RepresentationsText(KeywordProblem):
    """The keyword check, plus a gentle note when the text names a learned embedding."""

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        result = super()._evaluate(namespace)
        text = namespace.get(self.var)
        if not isinstance(text, str):
            return result
        words = set(re.findall(r"[a-z0-9]+", text.casefold()))
        named = [label for word, label in _EMBEDDING_WORDS.items() if word in words]
        if not named:
            return result
        note = (f" You mention {', '.join(named)}: those are learned embeddings, so if you listed them as "
                "non-embeddings, look again.")
        return CheckResult(result.status, result.message + note, result.reason)


q4 = _RepresentationsText(
    "q4_answer",
    [
        ("vectors with a single 1 per category", {"one hot", "onehot", "dummy variable", "dummy encoding",
                                                   "indicator vector"}),
        ("counting the words of a text", {"bag of words", "bow", "word count", "word counts", "count vector",
                                           "term frequency", "count vectorizer", "n gram", "ngram"}),
        ("word counts weighted by how rare each word is", {"tf idf", "tfidf"}),
        ("the image itself, number by number", {"pixel*", "raw image", "raw images"}),
        ("measurements a person designed by hand", {"hand crafted", "handcrafted", "hand made", "handmade",
                                                    "hand engineered", "hand designed", "histogram*",
                                                    "engineered feature", "feature engineering", "manual feature",
                                                    "sift", "hog"}),
        ("categories replaced by the numbers 0, 1, 2 and so on", {"label encoding", "label encoded", "integer encoding",
                                                         "integer encoded", "ordinal encoding", "ordinal encoded",
                                                         "integer label", "integer id"}),
    ],
    min_groups=3,
    hint=[
        "Think of the inputs of the earlier notebooks before any network touched them: categories, texts, images.",
        "Name at least three, e.g. one for categories, one for texts, one for images.",
    ],
    solution=(
        "One-hot vectors of categories, label (integer) encoding, bag-of-words counts and TF-IDF weights of "
        "texts, raw pixel values of images, and hand-crafted features such as colour histograms. They are "
        "representations, but none was learned to put similar inputs close together."
    ),
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
