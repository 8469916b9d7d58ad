"""Exercises of notebook 06: the chapter's exercises 1-1 (which layers of an AlexNet-like
network give useful embeddings?) and 1-2 (input representations that are not embeddings).

Exercise 1 is graded against the probes the notebook itself measured (``probe_right``: for
each probe, layer and test image, whether the probe got it right): a layer counts as a
useful embedding of clothing images when its k-NN accuracy on the clothes is not clearly
below the best layer's (McNemar's test on the same test images finds no difference).
Exercise 1-2's free-text answer is never graded: a :class:`Reflection` shows it beside a
model answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.exercises import (
    CORRECT,
    INCORRECT,
    CheckResult,
    ChoiceProblem,
    CustomProblem,
    Incorrect,
    Reflection,
    answer_items,
)

#: The network's layers, from input to output (as in ``helpers.models.alexnet.LAYERS``).
LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8")

#: The column of ``probe_table`` that exercise 1 is graded on, and the one for the new task.
CLOTHES_KNN, DIGITS_KNN = "clothes k-NN", "digits k-NN"

#: One run of notebook 06's probes (k-NN accuracy on 1,000 test images: clothes, digits).
EXAMPLE_PROBES = {
    "pixels": (0.772, 0.908),
    "conv1": (0.784, 0.911),
    "conv2": (0.805, 0.934),
    "conv3": (0.817, 0.934),
    "conv4": (0.843, 0.930),
    "conv5": (0.862, 0.914),
    "fc6": (0.865, 0.783),
    "fc7": (0.858, 0.626),
    "fc8": (0.863, 0.525),
}


def example_probe_table(probes: Mapping[str, tuple[float, float]] = EXAMPLE_PROBES) -> Any:
    """A ``probe_table`` like the notebook's (its two k-NN columns), from ``{layer: (clothes, digits)}``."""
    import pandas as pd

    return pd.DataFrame(
        {CLOTHES_KNN: {k: v[0] for k, v in probes.items()}, DIGITS_KNN: {k: v[1] for k, v in probes.items()}}
    )


def solution_namespace(probes: Mapping[str, tuple[float, float]] = EXAMPLE_PROBES) -> dict[str, Any]:
    """What the official solutions use: an example of the notebook's probes (``probe_table``), made-up
    right/wrong results per test image with those accuracies (``probe_right``) and the 1,000 test labels."""
    import numpy as np

    from helpers.exercise_sets import example_outcomes

    labels = np.repeat(np.arange(10), 100)
    right = {
        column: example_outcomes({layer: v[i] for layer, v in probes.items()}, len(labels), seed=i)
        for i, column in enumerate((CLOTHES_KNN, DIGITS_KNN))
    }
    return {"probe_table": example_probe_table(probes), "probe_right": right, "y_check": labels}


# ============================================================================ exercise 1-1


def _layer_list(value: Any) -> list[str]:
    """The learner's layers as a list of names, or Incorrect with what to write."""
    if isinstance(value, str):
        items = answer_items(value)
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


def _measured(namespace: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The notebook's per-image k-NN results (clothes, digits) per layer, and the number of test images."""
    right, labels = namespace.get("probe_right"), namespace.get("y_check")
    if not isinstance(right, Mapping) or labels is None:
        raise Incorrect(
            "This exercise is graded on the probes of section 5: run the cells of section 5 first "
            "(they define `probe_table`, `probe_right` and `y_check`), then check again."
        )
    return right[CLOTHES_KNN], right[DIGITS_KNN], len(labels)


def useful_layers_measured(right: Mapping[str, Any]) -> list[str]:
    """The layers whose k-NN results (``{layer: right or wrong per test image}``) are not clearly worse than
    the best layer's: McNemar's test on the same test images finds no difference."""
    from helpers.metrics import not_clearly_below_best

    return not_clearly_below_best({name: right[name] for name in LAYERS})


def _judge_useful_layers(namespace: Mapping[str, Any]) -> Any:
    chosen = _layer_list(namespace["useful_layers"])
    from helpers.claims import with_interval as _interval_text

    right, digit_right, n = _measured(namespace)
    clothes = {name: float(np.mean(right[name])) for name in LAYERS}
    good = useful_layers_measured(right)
    best = max(LAYERS, key=lambda name: clothes[name])
    untold = f"with {n:,} test images it cannot be told apart from the best layer, {best}"
    notes = []
    for name in chosen:
        measured = f"{name}: k-NN accuracy {_interval_text(clothes[name], n)} on the clothes"
        if name not in good:
            notes.append(
                f"{measured}, clearly below the best layer, {best} with {_interval_text(clothes[best], n)}: "
                "its neighbours share the garment's class less often (McNemar's test on the same test "
                "images)."
            )
        elif name == "fc8":
            notes.append(
                f"{measured}; {untold}, because its 10 numbers are the scores of exactly these ten classes; "
                f"on the digits, a task it was not trained for, it scored {np.mean(digit_right[name]):.3f}."
            )
        elif name == "fc7":
            notes.append(f"{measured}; {untold}: the second-to-last layer, the chapter's usual choice.")
        else:
            notes.append(f"{measured}; {untold}.")
    wrong = [name for name in chosen if name not in good]
    if wrong:
        return CheckResult(
            INCORRECT,
            " ".join(notes) + f" Leave out {', '.join(wrong)}, or look at the chart of section 5 again.",
            "value",
        )
    others = [name for name in good if name not in chosen]
    more = f" Not clearly below the best either: {', '.join(others)}." if others else ""
    return CheckResult(
        CORRECT,
        "no layer you chose is clearly below the best layer at giving neighbours of the same class. "
        + " ".join(notes)
        + more
        + " Strictly, every layer's output is a representation and could serve as an "
        "embedding (the chapter says so); these are the ones that measure best for finding similar garments.",
    )


q1 = CustomProblem(
    _judge_useful_layers,
    variables="useful_layers",
    hint=[
        "Read the left panel of the chart of section 5: a ringed k-NN point is a layer that the 1,000 test images "
        "cannot tell apart from the best layer. The next hint says how that is decided.",
        "Two layers were measured on the same test images, so compare them image by image: "
        "`compare_accuracies(right[best], right[layer])` from helpers.metrics is 1 when the best is clearly "
        "better, 0 when the 1,000 test images cannot tell them apart. The chapter's usual choice is the "
        "second-to-last layer.",
    ],
    solution=(
        "from helpers.metrics import compare_accuracies\n"
        "\n"
        'right = probe_right["clothes k-NN"]        # per layer: was each test image\'s neighbour vote right?\n'
        'layers = [layer for layer in right if layer != "pixels"]\n'
        "best = max(layers, key=lambda layer: right[layer].mean())\n"
        "# every layer that the paired test cannot tell apart from the best; any of them is a good answer\n"
        "useful_layers = [layer for layer in layers if compare_accuracies(right[best], right[layer]) != 1]"
    ),
    explanation="The right set follows from the measurements: the layers that the test images cannot tell apart "
    "from the best on the clothes.",
)

q2 = ChoiceProblem(
    "q2_answer",
    {
        "a": (
            True,
            "Every layer's output is an encoded form of the image, so any of them can serve as an "
            "embedding in the loose sense; how useful it is depends on what you use it for.",
        ),
        "b": (
            False,
            "Backpropagation trains every layer against the labels, not only the last. fc8's outputs "
            "are the class scores: one number per class, and little else.",
        ),
        "c": (
            True,
            "The hidden fully connected layers are short vectors in which images of the same class sit "
            "close together; the second-to-last layer fc7 is the chapter's usual choice.",
        ),
        "d": (
            False,
            "More numbers is not more meaning: on the clothes, conv1's neighbours shared the class less "
            "often than those of the later layers. Early layers detect local patterns (edges, blobs) and "
            "say little about what the object is.",
        ),
        "e": (
            True,
            "On the clothes fc8 did well, but on digits, a task it was not trained for, its neighbours "
            "were the worst of all layers: the output layer is specialised to its own classes.",
        ),
        "f": (
            False,
            "A stack of feature maps becomes a vector by flattening it (as the probes did) or by "
            "averaging each map; it is still a representation of the image.",
        ),
    },
    multiple=True,
    hint=[
        "Compare the two panels of the chart: the clothes the network was trained on, and digits it never saw.",
        "Three statements are right. The chapter says that, strictly, all intermediate layers could yield embeddings.",
    ],
)

# ============================================================================ exercise 1-2

q3 = ChoiceProblem(
    "q3_answer",
    {
        "a": (
            True,
            "One-hot vectors fail the test outright: every pair of categories is equally far apart, so no "
            "category is closer to a similar one.",
        ),
        "b": (
            True,
            "Bag-of-words counts fail it: two sentences that say the same thing in different words have "
            "cosine similarity 0, and a nonsense reordering has cosine 1.",
        ),
        "c": (
            True,
            "TF-IDF re-weights bag-of-words counts by how rare each word is; it still cannot see that two "
            "different words mean the same.",
        ),
        "d": (
            None,
            "Borderline, and the course measured why. Raw pixels are the input itself, and on small "
            "centred images same-class images often overlap pixel by pixel: in notebook 05 their "
            "neighbours shared the class far more often than chance, their k-NN accuracy within a few points "
            "of the 16-D autoencoder code's. Both are usually called representations, not embeddings, of "
            "what an image shows.",
        ),
        "e": (
            None,
            "Borderline: hand-made features (such as histograms) keep what a person chose to measure; in "
            "notebook 05 their neighbours shared the class more often than chance but less often than the "
            "pixels'.",
        ),
        "f": (
            True,
            "Label (integer) encoding fails the test: 'cat'=0, 'dog'=1, 'car'=2 makes distances follow the "
            "order of a list, which means nothing.",
        ),
        "g": (
            False,
            "The second-to-last layer of a trained CNN is the classic image embedding: similar images land "
            "close (its neighbours shared the class most often in notebooks 03, 05 and section 5).",
        ),
        "h": (
            False,
            "word2vec and GloVe vectors are learned word embeddings: words used in similar contexts get "
            "similar vectors (notebook 02).",
        ),
        "i": (
            None,
            "Borderline by the measurements: the chapter says an autoencoder *may* place similar inputs "
            "close, and in notebook 05 the 16-D code's k-NN accuracy was within a few points of the raw "
            "pixels'. A latent space is an embedding to the degree the test says so.",
        ),
    },
    multiple=True,
    hint=[
        "Use the chapter's test for every option: does the representation put similar inputs close? Not: was it "
        "learned?",
        "Four fail the test outright (the distances say nothing, or something wrong, about similarity). Two are "
        "clearly embeddings. For three, the course's measurements blur the line: either answer is accepted, with "
        "the reason.",
    ],
)

#: The properties to choose from in exercise 4: a number -> what the representation lacks.
PROPERTIES: dict[int, str] = {
    1: "the distances say nothing: every pair of different items is equally far apart",
    2: "the distances follow the order of a numbered list, which means nothing about the items",
    3: "two texts that say the same thing in different words share no entry",
    4: "it was not learned by a neural network",
    5: "it has too many numbers",
    6: "it is sparse: almost all of its entries are 0",
}

#: The right property (or properties) for each representation that fails the test.
_LACKS: dict[str, set[int]] = {"a": {1}, "b": {3}, "c": {3}, "f": {2}}
_NAMES = {"a": "one-hot vectors", "b": "bag-of-words counts", "c": "TF-IDF weights", "f": "label encoding"}
#: The borderline representations of exercise 3: not asked in exercise 4, but a reason given for one is judged.
_BORDERLINE = {"d": "raw pixels", "e": "hand-made features", "i": "an autoencoder's code"}
_DISTRACTORS = {
    4: "how a representation was made is not the chapter's test: the colours' RGB values of notebook 01 were not "
    "learned, yet similar colours are close in them.",
    5: "size is not the test: the chapter says embeddings can have more dimensions than the input.",
    6: "sparsity is not the test: a sparse vector can still put similar items close (tags shared by similar "
    "items, for example).",
}


def _property_number(letter: str, prop: Any) -> int:
    """The property number the learner gave for ``letter`` (``1``, ``1.0`` and ``np.int64(1)`` alike)."""
    if isinstance(prop, bool) or not isinstance(prop, (int, float)) or prop not in PROPERTIES:
        raise Incorrect(f"for ({letter}) give one property number from 1 to {len(PROPERTIES)}, got {prop!r}.")
    return int(prop)


def _judge_properties(namespace: Mapping[str, Any]) -> Any:
    answer = namespace["q4_answer"]
    if not isinstance(answer, Mapping):
        raise Incorrect(
            "`q4_answer` should be a dict from each representation's letter to a property number, "
            'such as {"a": 1, "b": 3}.'
        )
    given: dict[str, int] = {}
    lines = []
    for key, prop in answer.items():
        letter = str(key).strip().strip("()").casefold()
        if letter in ("g", "h"):
            raise Incorrect(
                f"({letter}) is an embedding (exercise 3): it lacks none of these properties; leave it out."
            )
        if letter not in _LACKS and letter not in _BORDERLINE:
            raise Incorrect(
                f"{key!r} is not one of the representations of exercise 3 that fail the test ({', '.join(_LACKS)})."
            )
        number = _property_number(letter, prop)
        if letter in _BORDERLINE:  # not asked here; a reason given for it is still judged
            why = _DISTRACTORS.get(number, f"that is not true of {_BORDERLINE[letter]}.")
            lines.append(
                f"({letter}) {_BORDERLINE[letter]}, property {number}: {why} It is borderline in exercise "
                "3 because similar images are often close in it, but only partly: leave it out here."
            )
            continue
        given[letter] = number
    missing = [letter for letter in _LACKS if letter not in given]
    for letter, prop in given.items():
        if prop in _DISTRACTORS:
            lines.append(f"({letter}) {_NAMES[letter]}, property {prop}: {_DISTRACTORS[prop]}")
        elif prop not in _LACKS[letter]:
            lines.append(
                f"({letter}) {_NAMES[letter]}, property {prop}: that is true of another representation, "
                f"not of {_NAMES[letter]}."
            )
    if missing:
        lines.append(f"Give a property for each of ({'), ('.join(missing)}) too.")
    if lines:
        return CheckResult(INCORRECT, "\n".join(lines), "value")
    return CheckResult(
        CORRECT,
        "each representation is matched with the property it lacks: "
        + "; ".join(f"{_NAMES[k]}: {PROPERTIES[v]}" for k, v in given.items())
        + ".",
    )


q4 = CustomProblem(
    _judge_properties,
    variables="q4_answer",
    hint=[
        "Take one representation at a time and compute two distances in your head: between two similar items, "
        "and between two different ones. What goes wrong?",
        "Three of the six properties are about distances; the other three are true of some representations but "
        "are not what the chapter's test asks.",
    ],
    solution='q4_answer = {"a": 1, "b": 3, "c": 3, "f": 2}',
)

#: Exercise 1-2 in the learner's own words: not graded, compared with this model answer.
REFLECTION = Reflection(
    "One-hot vectors and integer label codes of categories, bag-of-words counts and TF-IDF weights of texts "
    "are representations but not embeddings: their distances say nothing about similarity (one-hot: every pair "
    "equally far; label codes: the order of a list; bag-of-words: different words for the same meaning share "
    "nothing). Raw pixels and hand-made features are borderline: similar images are often close in them, but "
    "only as far as they overlap pixel by pixel or in what a person chose to measure.",
    points=[
        "Does your answer name representations, not learning methods?",
        "For each one, does it say which part of the test fails (similar inputs close), rather than how it was made?",
        "Does it say where the line blurs (raw pixels, hand-made features)?",
    ],
    var="my_answer",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
