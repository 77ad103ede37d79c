"""Formula templates: the pieces each quantity's formula is built from, and how a template is
rendered, shown as maths, and evaluated.

A template is a formula over the names of quantities: `{w1}` is this row's w1, `{w1[-1]}` the
row above, `{eta}` the learning rate. Each activation and loss gives its formula and, beside
it, its derivative, written in what the table holds (the activation `a`, the target `t`):

    sigmoid  a = 1/(1+EXP(-x))    ∂a/∂x = a·(1−a)
    tanh     a = TANH(x)          ∂a/∂x = 1−a·a
    relu     a = MAX(0,x)         ∂a/∂x = (a>0)    (1 where the unit is on, 0 where it is off)
    half_sse E = ½(t−a)²          ∂E/∂a = a−t
    sse      E = (t−a)²           ∂E/∂a = 2·(a−t)
"""
from __future__ import annotations

import re

import numpy as np

TEMPLATE_REF = re.compile(r"\{(\w+)(?:\[(-1)\])?\}")


def activate(activation: str, x: str) -> str:
    """The activation of net input `x` (a name)."""
    return {"sigmoid": f"1/(1+EXP(-{{{x}}}))", "tanh": f"TANH({{{x}}})",
            "relu": f"MAX(0,{{{x}}})"}[activation]


def slope(activation: str, a: str) -> str:
    """∂a/∂x in terms of the activation `a` (a name): a product factor."""
    return {"sigmoid": f"{{{a}}}*(1-{{{a}}})", "tanh": f"(1-{{{a}}}*{{{a}}})",
            "relu": f"({{{a}}}>0)"}[activation]


def slope_cell(activation: str, a: str) -> str:
    """∂a/∂x as a cell of its own: a number (ReLU's comparison alone would show TRUE)."""
    return f"{slope(activation, a)}*1" if activation == "relu" else slope(activation, a)


def error(loss: str, t: str, a: str) -> str:
    """The loss of one output."""
    square = f"({{{t}}}-{{{a}}})*({{{t}}}-{{{a}}})"
    return {"half_sse": f"0.5*{square}", "sse": square}[loss]


def error_slope(loss: str, t: str, a: str, factor: bool = True) -> str:
    """∂E/∂a of one output; as a product factor (parenthesised) unless `factor` is False."""
    if loss == "sse":
        return f"2*({{{a}}}-{{{t}}})"
    return f"({{{a}}}-{{{t}}})" if factor else f"{{{a}}}-{{{t}}}"


def render(template: str, ref) -> str:
    """Replace every `{name}` / `{name[-1]}` of `template` by `ref(name, offset)`."""
    return TEMPLATE_REF.sub(lambda m: ref(m.group(1), int(m.group(2) or 0)), template)


def label_of(name: str) -> str:
    """How students write quantity `name` in a header: `∂E/∂w1`, `a_h1 [2]` (example 2)."""
    base, _, example = name.rpartition("_") if re.search(r"_\d+$", name) else (name, "", "")
    if base[:2] in ("dw", "db"):
        base = f"∂E/∂{base[1:]}"
    return f"{base} [{example}]" if example else base


def maths(template: str) -> str:
    """A template as students write it: labels for placeholders (`∂E/∂w1`), `·` for products,
    σ for 1/(1+e⁻ˣ)."""
    text = re.sub(r"1/\(1\+EXP\(-(\{\w+\})\)\)", r"σ(\1)", template)
    text = render(text, lambda name, offset: "η" if name == "eta" else label_of(name))
    text = text.replace("*", "·").replace("+", " + ").replace("-", "−")
    text = text.replace("TANH(", "tanh(").replace("MAX(0,", "max(0, ")
    text = re.sub(r"(\([^()]*\))·\1", r"\1²", text)  # (x)·(x) -> (x)²
    return text.replace("0.5·", "½·")


FUNCTIONS = {"EXP": np.exp, "TANH": np.tanh, "MAX": np.maximum}


def evaluate(template: str, value) -> float | np.ndarray:
    """Evaluate a template on numbers or on whole NumPy columns at once.

    `value(name, offset)` (or a dict keyed by `(name, offset)`) gives a float or an array for
    each reference; the result has their shape. Errors of arithmetic give nan, not exceptions."""
    lookup = value.__getitem__ if isinstance(value, dict) else None
    env: dict[str, object] = {}

    def ref(name: str, offset: int) -> str:
        env[f"_{len(env)}"] = lookup((name, offset)) if lookup else value(name, offset)
        return f"_{len(env) - 1}"

    expr = render(template, ref)
    with np.errstate(all="ignore"):
        out = eval(expr, {"__builtins__": {}, **FUNCTIONS}, env)  # our own templates only
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)
