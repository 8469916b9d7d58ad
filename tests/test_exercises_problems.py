"""Tests of helpers.exercises.problems: every problem kind, with the answers learners give, and bad definitions."""

from __future__ import annotations

import numpy as np
import pytest
from support import choice_problem, one_hot_problem, value_problem

from helpers import exercises as ex
from helpers.exercises import (
    CheckResult,
    ChoiceProblem,
    CustomProblem,
    FunctionProblem,
    Incorrect,
    NotAttempted,
    ValueProblem,
    ____,
)


def _assert_clean(result: CheckResult) -> None:
    assert isinstance(result.message, str) and result.message.strip()
    assert "Traceback" not in result.message
    assert "\n  File " not in result.message


def _run(problem, **namespace) -> CheckResult:
    result = problem.evaluate(dict(namespace))
    _assert_clean(result)
    return result


def _define(source: str, name: str, **extra):
    """Define a learner function the way a notebook cell does (its own globals)."""
    namespace = {"np": np, "____": ____, **extra}
    exec(source, namespace)
    return namespace, namespace[name]



# ----------------------------------------------------------------------------- ValueProblem


@pytest.mark.parametrize("namespace", [{}, {"answer": ____}, {"answer": [1, ____]}])
def test_value_not_attempted(namespace):
    result = _run(value_problem(3), **namespace)
    assert result.status == "not_attempted"
    assert "answer" in result.message


def test_value_none_asks_about_return():
    result = _run(value_problem(3), answer=None)
    assert result.status == "incorrect" and result.reason == "none"
    assert "return" in result.message


def test_number_right_with_tolerance_and_numpy_scalars():
    assert _run(value_problem(0.5), answer=0.5 + 1e-9).correct
    assert _run(value_problem(3), answer=np.int64(3)).correct
    assert _run(value_problem(3), answer=3.0).correct
    assert _run(value_problem(0.5), answer=np.array(0.5)).correct
    assert _run(value_problem(1.0, tol=0.1), answer=1.05).correct
    assert _run(value_problem(1.0, tol=0.01), answer=1.05).status == "incorrect"


def test_number_wrong_value_does_not_give_the_answer_away():
    result = _run(value_problem(42), answer=7)
    assert result.status == "incorrect" and result.reason == "value"
    assert "42" not in result.message and "7" in result.message


def test_number_close_but_rounded():
    result = _run(value_problem(0.123456), answer=0.1235)
    assert result.status == "incorrect" and "close" in result.message


def test_a_whole_number_off_by_one_is_not_called_rounded():
    result = _run(value_problem(949), answer=948)
    assert result.status == "incorrect" and "rounded" not in result.message and "close" not in result.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("3", "expected a number, got a str"),
        (True, "got a bool"),
        ([3], "expected a number, got a list"),
        (np.array([3.0]), ".item()"),
    ],
)
def test_number_wrong_type(value, fragment):
    result = _run(value_problem(3), answer=value)
    assert result.status == "incorrect" and result.reason == "type"
    assert fragment in result.message


def test_number_nan_is_reported():
    result = _run(value_problem(1.0), answer=float("nan"))
    assert result.status == "incorrect" and "NaN" in result.message


def test_array_right_from_list_or_array():
    expected = np.eye(3)
    assert _run(value_problem(expected), answer=np.eye(3)).correct
    assert _run(value_problem(expected), answer=np.eye(3).tolist()).correct
    assert _run(value_problem(expected), answer=np.eye(3, dtype=int)).correct


def test_array_wrong_shape_says_what_was_expected():
    result = _run(value_problem(np.eye(3)), answer=np.ones(3))
    assert result.status == "incorrect" and result.reason == "shape"
    assert "expected an array of shape (3, 3), got shape (3,)" in result.message


def test_array_wrong_values_counts_entries():
    wrong = np.eye(3)
    wrong[0, 1] = 5
    result = _run(value_problem(np.eye(3)), answer=wrong)
    assert result.status == "incorrect" and result.reason == "value"
    assert "1 of 9" in result.message and "(0, 1)" in result.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("eye", "got a str"),
        ([[1, 0], [0]], "array"),
        (np.array(["a", "b", "c"]), "numbers"),
    ],
)
def test_array_wrong_type(value, fragment):
    result = _run(value_problem(np.ones(3)), answer=value)
    assert result.status == "incorrect" and result.reason == "type"
    assert fragment in result.message


def test_tensors_are_duck_typed():
    torch = pytest.importorskip("torch")
    assert _run(value_problem(np.eye(2)), answer=torch.eye(2)).correct
    assert _run(value_problem(torch.eye(2)), answer=np.eye(2)).correct
    assert _run(value_problem(torch.eye(2)), answer=torch.eye(2, requires_grad=True)).correct
    result = _run(value_problem(torch.eye(2)), answer=torch.ones(2))
    assert result.reason == "shape" and "(2, 2)" in result.message
    strict = value_problem(torch.eye(2), kind="tensor")
    assert _run(strict, answer=torch.eye(2)).correct
    result = _run(strict, answer=np.eye(2))
    assert result.reason == "type" and "torch tensor" in result.message
    assert _run(value_problem(2.0), answer=torch.tensor(2.0)).correct
    assert ".item()" in _run(value_problem(2.0), answer=torch.tensor([2.0])).message


def test_strings_are_compared_case_insensitively_and_stripped():
    assert _run(value_problem("Cosine"), answer="  cosine ").correct
    assert _run(value_problem("cosine similarity"), answer="Cosine   Similarity").correct
    result = _run(value_problem("cosine"), answer="euclid")
    assert result.status == "incorrect" and "cosine" not in result.message
    assert _run(value_problem("cosine"), answer=3).reason == "type"
    assert "empty" in _run(value_problem("cosine"), answer="  ").message


def test_sequences_sets_and_dicts():
    assert _run(value_problem([1, 2.0, "a"]), answer=(1, 2, "A")).correct
    assert "3 items" in _run(value_problem([1, 2, 3]), answer=[1, 2]).message
    assert "item [1]" in _run(value_problem([1, 2, 3]), answer=[1, 5, 3]).message
    assert _run(value_problem([[1, 2], [3]]), answer=[[1, 2], [3]]).correct
    assert "[1][0]" in _run(value_problem([[1, 2], [3]]), answer=[[1, 2], [4]]).message
    assert _run(value_problem({"cat", "dog"}), answer=["Dog", "cat"]).correct
    result = _run(value_problem({"cat", "dog"}), answer=["cat", "cow"])
    assert result.status == "incorrect" and "cow" in result.message and "dog" not in result.message
    assert _run(value_problem({"a": 1, "b": [1, 2]}), answer={"b": [1, 2], "a": 1.0}).correct
    result = _run(value_problem({"a": 1, "b": 2}), answer={"a": 1})
    assert "missing" in result.message and "'b'" in result.message
    assert "['a']" in _run(value_problem({"a": 1}), answer={"a": 2}).message
    assert _run(value_problem([1, 2]), answer="12").reason == "type"


def test_bool_and_exact_values():
    assert _run(value_problem(True), answer=True).correct
    assert _run(value_problem(True), answer=np.bool_(True)).correct
    assert _run(value_problem(True), answer=False).status == "incorrect"
    assert _run(value_problem(True), answer=1).reason == "type"
    assert _run(value_problem(range(3), kind="exact"), answer=range(3)).correct
    assert _run(value_problem(range(3), kind="exact"), answer=range(4)).status == "incorrect"


def test_explain_wrong_adds_specific_feedback_and_is_fault_tolerant():
    def explain(value):
        if value == 10:
            return "Did you count the padding token?"
        return None

    problem = value_problem(9, explain_wrong=explain)
    assert "padding" in _run(problem, answer=10).message
    assert "padding" not in _run(problem, answer=11).message
    broken = value_problem(9, explain_wrong=lambda value: 1 / 0)
    result = _run(broken, answer=10)
    assert result.status == "incorrect"


def test_expected_may_be_computed_from_the_namespace():
    problem = value_problem(lambda ns: ns["data"].mean())
    assert _run(problem, data=np.arange(5.0), answer=2.0).correct
    assert _run(problem, data=np.arange(5.0), answer=3.0).status == "incorrect"


# ----------------------------------------------------------------------------- FunctionProblem


def test_function_missing_or_placeholder_is_not_attempted():
    problem = one_hot_problem()
    assert _run(problem).status == "not_attempted"
    assert _run(problem, one_hot=____).status == "not_attempted"
    ns, _ = _define("def one_hot(indices, n):\n    return ____\n", "one_hot")
    result = problem.evaluate(ns)
    _assert_clean(result)
    assert result.status == "not_attempted" and "____" in result.message
    ns, _ = _define("def one_hot(indices, n):\n    raise NotImplementedError\n", "one_hot")
    assert problem.evaluate(ns).status == "not_attempted"


def test_function_right():
    ns, _ = _define(one_hot_problem().solution_code, "one_hot")
    result = one_hot_problem().evaluate(ns)
    assert result.correct and "2" in result.message


def test_function_not_callable():
    result = _run(one_hot_problem(), one_hot=3)
    assert result.status == "incorrect" and result.reason == "type"
    assert "function" in result.message and "int" in result.message


def test_function_returning_none():
    ns, _ = _define("def one_hot(indices, n):\n    np.zeros((len(indices), n))\n", "one_hot")
    result = one_hot_problem().evaluate(ns)
    assert result.status == "incorrect" and result.reason == "none"
    assert "forget `return`" in result.message


def test_function_raising_is_reported_in_one_line():
    ns, _ = _define("def one_hot(indices, n):\n    return 1 / 0\n", "one_hot")
    result = one_hot_problem().evaluate(ns)
    _assert_clean(result)
    assert result.status == "incorrect" and result.reason == "exception"
    assert "ZeroDivisionError: division by zero" in result.message
    assert "one_hot([2], 3)" in result.message
    assert "\n" not in result.message


def test_function_wrong_value_shows_call_and_result_not_answer():
    source = "def one_hot(indices, n):\n    return np.ones((len(indices), n))\n"
    ns, _ = _define(source, "one_hot")
    result = one_hot_problem().evaluate(ns)
    _assert_clean(result)
    assert result.status == "incorrect" and result.reason == "value"
    assert "one_hot([2], 3)" in result.message and "2 of 3" in result.message


def test_function_wrong_shape():
    ns, _ = _define("def one_hot(indices, n):\n    return np.zeros(n)\n", "one_hot")
    result = one_hot_problem().evaluate(ns)
    assert result.reason == "shape" and "(1, 3)" in result.message


def test_function_explain_wrong_sees_the_result():
    problem = one_hot_problem(
        explain_wrong=lambda out: "Each row needs exactly one 1." if out.sum() > len(out) else None
    )
    ns, _ = _define("def one_hot(indices, n):\n    return np.ones((len(indices), n))\n", "one_hot")
    assert "exactly one 1" in problem.evaluate(ns).message


def test_function_arguments_are_copied():
    problem = FunctionProblem("f", [(([1, 2],), {}, 3), (([1, 2],), {}, 3)], solution="f = sum")
    ns, _ = _define("def f(xs):\n    xs.append(0)\n    return sum(xs)\n", "f")
    assert problem.evaluate(ns).correct
    assert problem.cases[0][0] == ([1, 2],)


def test_function_two_item_cases_and_kwargs():
    problem = FunctionProblem(
        "scale",
        [((2,), 4), ((3,), {"factor": 3}, 9)],
        solution="def scale(x, factor=2):\n    return x * factor\n",
    )
    assert ex.run_official_solution(problem).correct


def test_function_checker_callable():
    def checker(func):
        assert func(2) == 4, "double(2) should be 4"

    problem = FunctionProblem("double", checker, solution="def double(x):\n    return 2 * x\n")
    assert ex.run_official_solution(problem).correct
    ns, _ = _define("def double(x):\n    return x + 1\n", "double")
    result = problem.evaluate(ns)
    assert result.status == "incorrect" and "should be 4" in result.message
    ns, _ = _define("def double(x):\n    return x / 0\n", "double")
    result = problem.evaluate(ns)
    assert result.reason == "exception" and "ZeroDivisionError" in result.message
    ns, _ = _define("def double(x):\n    return ____\n", "double")
    assert problem.evaluate(ns).status == "not_attempted"
    ns, _ = _define("def double(x):\n    pass\n", "double")
    assert "return" in problem.evaluate(ns).message


def test_function_checker_bug_is_an_internal_error():
    def checker(func):
        return {}["missing"]

    problem = FunctionProblem("double", checker, solution="def double(x):\n    return 2 * x\n")
    result = ex.run_official_solution(problem)
    _assert_clean(result)
    assert result.status == "error" and "internal error" in result.message
    assert "KeyError" in result.message


# ----------------------------------------------------------------------------- ChoiceProblem



def test_choice_single_right_and_case_insensitive():
    for answer in ("a", "A", " (a) ", ["a"]):
        result = _run(choice_problem(), pick=answer)
        assert result.correct, answer
        assert "One column" in result.message


def test_choice_single_wrong_explains_that_option():
    result = _run(choice_problem(), pick="b")
    assert result.status == "incorrect" and "invent an order" in result.message
    assert "One column" not in result.message


def test_choice_unknown_key_lists_valid_keys():
    result = _run(choice_problem(), pick="e")
    assert result.status == "incorrect" and result.reason == "choice"
    assert "a, b, c, d" in result.message


def test_choice_single_rejects_several():
    assert _run(choice_problem(), pick=["a", "b"]).status == "incorrect"


@pytest.mark.parametrize("answer", [____, "", [], None])
def test_choice_not_attempted_or_none(answer):
    result = _run(choice_problem(), pick=answer)
    assert result.status == ("incorrect" if answer is None else "not_attempted")


def test_choice_multiple():
    problem = choice_problem(multiple=True)
    for answer in (["c", "A"], "a, c", "ac", "C A", {"a", "c"}):
        assert _run(problem, pick=answer).correct, answer
    result = _run(problem, pick=["a", "b"])
    assert result.status == "incorrect"
    assert "invent an order" in result.message and "1 correct option" in result.message
    assert "Also right" not in result.message
    result = _run(problem, pick="a")
    assert "1 correct option" in result.message


def test_choice_wrong_type():
    assert _run(choice_problem(), pick=3.5).reason == "type"


def test_choice_solution_code_and_official_solution():
    assert choice_problem().solution_code == "pick = 'a'"
    assert ex.run_official_solution(choice_problem()).correct
    assert ex.run_official_solution(choice_problem(multiple=True)).correct


# ----------------------------------------------------------------------------- Reflection (never graded)


def _reflection() -> ex.Reflection:
    return ex.Reflection("One-hot vectors put every pair at the same distance.",
                         points=["Did you say which property is missing?"], var="my_answer")


def test_reflection_shows_the_model_answer_beside_any_text_and_grades_nothing():
    for text in ("Not one-hot, not bag of words, not pixels: those are all embeddings.",
                 "categorical indicator columns, word frequency vectors, raw image intensities"):
        result = _reflection().evaluate(text)
        assert result.status == ex.NOTED and not result.correct
        assert text in result.message and "same distance" in result.message and "property" in result.message


@pytest.mark.parametrize(("answer", "status"), [(____, "not_attempted"), ("  ", "not_attempted"),
                                                (3, "incorrect"), ([____], "not_attempted")])
def test_reflection_blank_empty_or_not_text(answer, status):
    result = _reflection().evaluate(answer)
    assert result.status == status and "same distance" not in result.message


def test_reflection_compare_displays_without_raising(capsys):
    _reflection().compare("my words")
    _reflection().compare(42)
    out = capsys.readouterr().out
    assert "Not graded" in out and "my words" in out and "Not text" in out


def test_reflection_validation():
    with pytest.raises(TypeError, match="model_answer"):
        ex.Reflection(None)
    with pytest.raises(ValueError, match="model_answer"):
        ex.Reflection("  ")


# ----------------------------------------------------------------------------- functions_used

import math as _math  # noqa: E402
import types as _types  # noqa: E402


def _learner_function(source: str, name: str, **names):
    namespace = {"np": np, "math": _math, **names}
    exec(source, namespace)
    return namespace[name]


def test_functions_used_finds_direct_aliased_and_module_attribute_calls():
    targets = {"math.hypot": _math.hypot}
    direct = _learner_function("def f(a, b):\n    return math.hypot(a, b)", "f")
    aliased = _learner_function("def f(a, b):\n    return h(a, b)", "f", h=_math.hypot)
    nested = _learner_function("def f(a, b):\n    def g():\n        return math.hypot(a, b)\n    return g()", "f")
    helper = _learner_function("def helper(a, b):\n    return math.hypot(a, b)\ndef f(a, b):\n    return helper(a, b)",
                               "f")
    for func in (direct, aliased, nested, helper):
        assert ex.functions_used(func, targets) == ["math.hypot"]


def test_names_used_reads_the_learner_code_and_its_helpers():
    helper = _learner_function("def helper(model, x):\n    return model.embed(x)\n"
                               "def f(model, x):\n    return helper(model, x)", "f")
    assert "embed" in ex.names_used(helper) and "helper" in ex.names_used(helper)
    plain = _learner_function("def f(model, x):\n    return model(x)", "f")
    assert "embed" not in ex.names_used(plain)


def test_functions_used_follows_attribute_chains_and_ignores_innocent_code():
    fake = _types.ModuleType("fake")
    fake.inner = _types.ModuleType("fake.inner")
    fake.inner.shortcut = lambda x: x
    chained = _learner_function("def f(x):\n    return fake.inner.shortcut(x)", "f", fake=fake)
    assert ex.functions_used(chained, {"shortcut": fake.inner.shortcut}) == ["shortcut"]
    innocent = _learner_function("def f(a, b):\n    return float(np.sqrt(np.sum((a - b) ** 2)))", "f")
    assert ex.functions_used(innocent, {"math.hypot": _math.hypot}) == []


# ----------------------------------------------------------------------------- CustomProblem


def test_custom_problem_outcomes():
    def check(ns):
        value = ns["model_dim"]
        if value < 2:
            raise Incorrect("Two dimensions at least, to draw it.")
        if value > 100:
            return "That is more than the data has."
        if value == 50:
            raise NotAttempted("still the default")
        if value == 60:
            return CheckResult("incorrect", "custom result")
        return None

    problem = CustomProblem(check, variables=["model_dim"], solution="model_dim = 2")
    assert _run(problem, model_dim=2).correct
    assert "Two dimensions" in _run(problem, model_dim=1).message
    assert _run(problem, model_dim=500).status == "incorrect"
    assert _run(problem, model_dim=50).status == "not_attempted"
    assert _run(problem, model_dim=60).message == "custom result"
    assert _run(problem, model_dim=____).status == "not_attempted"
    assert _run(problem).status == "not_attempted"
    assert ex.run_official_solution(problem).correct


def test_custom_problem_learner_error_vs_checker_bug():
    def check(ns):
        assert ns["encode"](3) == 6, "encode(3) should be 6"

    problem = CustomProblem(check, variables="encode", solution="def encode(x):\n    return 2 * x\n")
    ns, _ = _define("def encode(x):\n    return undefined_name\n", "encode")
    result = problem.evaluate(ns)
    _assert_clean(result)
    assert result.status == "incorrect" and result.reason == "exception"
    assert "NameError" in result.message and "encode" in result.message
    ns, _ = _define("def encode(x):\n    return x\n", "encode")
    assert problem.evaluate(ns).message == "encode(3) should be 6"
    broken = CustomProblem(lambda ns: ns["nothing"], solution="x = 1")
    result = _run(broken)
    assert result.status == "error" and "internal error" in result.message


def test_checker_returning_nonsense_is_an_internal_error():
    result = _run(CustomProblem(lambda ns: 42, solution="x = 1"))
    assert result.status == "error"


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: ValueProblem(3, 1, solution="x"), "var"),
        (lambda: ValueProblem("not a name", 1, solution="x"), "var"),
        (lambda: ValueProblem("x", ____, solution="x"), "expected"),
        (lambda: ValueProblem("x", 1, tol="0.1", solution="x"), "tol"),
        (lambda: ValueProblem("x", 1, kind="matrix", solution="x"), "kind"),
        (lambda: ValueProblem("x", 1, hint=3, solution="x"), "hint"),
        (lambda: ValueProblem("x", 1, solution=3), "solution"),
        (lambda: ValueProblem("x", 1, solution="x", explain_wrong="no"), "explain_wrong"),
        (lambda: FunctionProblem("f", [], solution="x"), "cases"),
        (lambda: FunctionProblem("f", [([1], {}, 1)], solution="x"), "cases"),
        (lambda: FunctionProblem("f", [((1,), [], 1)], solution="x"), "cases"),
        (lambda: FunctionProblem("f", 3, solution="x"), "cases"),
        (lambda: ChoiceProblem("x", {}), "options"),
        (lambda: ChoiceProblem("x", {"a": "yes"}), "options"),
        (lambda: ChoiceProblem("x", {"a": (False, "no")}), "options"),
        (lambda: ChoiceProblem("x", {"a": (True, "y")}, multiple="yes"), "multiple"),
        (lambda: CustomProblem("check", solution="x"), "check"),
        (lambda: CustomProblem(print, variables=[1], solution="x"), "variables"),
    ],
)
def test_bad_definitions_name_the_argument(make, argument):
    with pytest.raises((TypeError, ValueError), match=argument):
        make()
