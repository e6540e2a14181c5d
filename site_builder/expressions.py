"""Numbers in prose, read from traces: `{{ SCENARIO.FIELD[INDEX] @STEP :FORMAT }}`.

    {{ one-weight.loss @0 :.4f }}          loss at step 0
    {{ one-weight.W1[0,0] @last :.3f }}    a parameter at the last recorded step
    {{ one-weight.grads.W1[0,0] @0 }}      its gradient
    {{ worked-example.a2[0,1] @0 :.9f }}   detail: z, a or delta of layer l, [sample, unit]
    {{ one-weight.outputs[0,0] @3 }}       an output, [sample, unit]
    {{ one-weight.X[0,0] }}  {{ one-weight.T[0,0] }}  the data
    {{ one-weight.eta }}  {{ one-weight.steps @last }}  {{ xor#3.loss @last }} (sweep member 3)

FORMAT is a Python format spec (default .4g), or `.N×10` for a number written the way a
reader meets it at school, `3.510 × 10⁻⁵` (N digits after the point, a real minus sign).
A mistake is a ContentError at its line.
"""
from __future__ import annotations

import re

import numpy as np

from site_builder.errors import ContentError, did_you_mean

EXPR = re.compile(r"\{\{(.*?)\}\}")
GRAMMAR = re.compile(
    r"^\s*(?P<scenario>[A-Za-z0-9][\w-]*)(?:#(?P<member>\d+))?\.(?P<field>[A-Za-z_][\w.]*)"
    r"(?:\[(?P<index>[\d,\s]*)\])?\s*(?:@\s*(?P<step>last|\d+))?\s*(?::\s*(?P<fmt>[^\s}]+))?\s*$"
)
PER_STEP = ("loss", "correct", "epochs", "steps", "outputs")
SCALARS = ("eta", "seed", "last_step", "diverged_at")
DETAIL = re.compile(r"^(z|a|delta)(\d+)$")
# Python's format-spec mini-language, with limits: a float has 17 significant digits, and a
# page has no use for a number wider than a line.
FORMAT = re.compile(r"^(?:[^{}]?[<>=^])?[+\- ]?z?#?0?(?P<width>\d+)?[_,]?(?:\.(?P<precision>\d+))?[bcdeEfFgGnosxX%]?$")
MAX_WIDTH, MAX_PRECISION = 40, 20
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _describe_fields(trace) -> list[str]:
    return list(PER_STEP) + list(SCALARS) + list(trace.params) + [f"grads.{k}" for k in trace.params] + ["X", "T", "z1", "a1", "delta1"]


def evaluate(text: str, traces: dict, path, line: int):
    """Value of one expression (without the braces); traces maps scenario -> list[Trace]."""
    m = GRAMMAR.match(text)
    if not m:
        raise ContentError(path, line, f"cannot read the number expression '{{{{{text}}}}}': "
                                       "write {{ SCENARIO.FIELD[i,j] @STEP :FORMAT }}, e.g. {{ one-weight.loss @0 :.4f }}")
    name = m.group("scenario")
    if name not in traces:
        raise ContentError(path, line, f"unknown scenario '{name}'{did_you_mean(name, traces)}")
    runs = traces[name]
    member = int(m.group("member") or 0)
    if member >= len(runs):
        raise ContentError(path, line, f"scenario '{name}' has {len(runs)} member(s); #{member} does not exist")
    tr = runs[member]
    field, step = m.group("field"), m.group("step")
    index = tuple(int(i) for i in m.group("index").split(",") if i.strip()) if m.group("index") else ()

    def record():
        try:
            return tr.at("last" if step in (None, "last") else int(step))
        except KeyError:
            raise ContentError(path, line, f"step {step} of '{name}' was not recorded; recorded steps include "
                                           f"{', '.join(map(str, tr.steps[:5]))}, …, {tr.last_step}") from None

    if field in SCALARS:
        value = {"eta": tr.eta, "seed": tr.seed, "last_step": tr.last_step, "diverged_at": tr.diverged_at}[field]
        if value is None:
            raise ContentError(path, line, f"'{field}' has no value for scenario '{name}'")
        array = np.asarray(value)
    elif field in PER_STEP:
        array = {"loss": tr.loss, "correct": tr.correct, "epochs": tr.epochs, "steps": tr.steps, "outputs": tr.outputs}[field][record()]
    elif field in ("X", "T"):
        array = tr.X if field == "X" else tr.T
    elif field in tr.params:
        array = tr.params[field][record()]
    elif field.startswith("grads.") and field[6:] in tr.grads:
        array = tr.grads[field[6:]][record()]
    elif DETAIL.match(field):
        kind, layer = DETAIL.match(field).groups()
        at = tr.last_step if step in (None, "last") else int(step)
        if at not in tr.detail:
            raise ContentError(path, line, f"'{field}' needs detail recorded at step {at} in scenario '{name}' "
                                           f"(record: detail: steps: [{at}])")
        layers = tr.detail[at][kind]
        layer = int(layer)
        offset = 0 if kind == "a" else 1
        if not 0 <= layer - offset < len(layers):
            raise ContentError(path, line, f"'{field}': scenario '{name}' has no layer {layer} for {kind}")
        array = layers[layer - offset]
    else:
        raise ContentError(path, line, f"unknown field '{field}' for scenario '{name}'{did_you_mean(field, _describe_fields(tr))}")

    array = np.asarray(array)
    if len(index) != array.ndim:
        raise ContentError(path, line, f"'{field}' has {array.ndim} index(es) (shape {list(array.shape)}); "
                                       f"the expression gives {len(index)}")
    try:
        value = array[index] if index else array[()]
    except (IndexError, OverflowError):
        raise ContentError(path, line, f"index {list(index)} is outside '{field}' (shape {list(array.shape)})") from None
    value = value.item() if hasattr(value, "item") else value
    fmt = m.group("fmt") or (".4g" if isinstance(value, float) else "")
    school = re.fullmatch(r"\.(\d{1,2})×10", fmt)
    if school:
        try:
            mantissa, power = format(float(value), f".{school.group(1)}e").split("e")
        except (ValueError, TypeError):
            raise ContentError(path, line, f"'{fmt}' needs a number") from None
        power = str(int(power)).translate(SUPERSCRIPT)
        return f"{mantissa} × 10{power}".replace("-", "\u2212")
    spec = FORMAT.match(fmt)
    if not spec:
        raise ContentError(path, line, f"'{fmt}' is not a number format (try .4f, .3e or ,d)")
    if int(spec.group("width") or 0) > MAX_WIDTH or int(spec.group("precision") or 0) > MAX_PRECISION:
        raise ContentError(path, line, f"'{fmt}' asks for too much: a number is at most {MAX_WIDTH} characters "
                                       f"wide with at most {MAX_PRECISION} digits after the point")
    try:
        return format(value, fmt)
    except (ValueError, TypeError):
        raise ContentError(path, line, f"'{fmt}' is not a number format (try .4f, .3e or ,d)") from None


def substitute(source: str, traces: dict, path, first_line: int) -> tuple[str, set]:
    """Replace every expression in `source` (a lesson body starting at `first_line`) outside
    code: fenced blocks and `inline code` stay literal. Return the new text and the scenarios
    it used. A '{{' with no '}}' on its line is an error at that line."""
    from site_builder.safehtml import CODE_SPAN, prose_lines

    used = set()
    lines = source.split("\n")
    for i, blanked in prose_lines(source):
        if "{{" not in blanked:
            continue
        line, text = first_line + i, lines[i]

        def repl(m):
            inner = m.group(1)
            head = GRAMMAR.match(inner)
            if head:
                used.add(head.group("scenario"))
            return evaluate(inner, traces, path, line)

        out, last = [], 0
        for code in CODE_SPAN.finditer(text):
            out.append(_replace(text[last:code.start()], repl, path, line))
            out.append(code.group(0))
            last = code.end()
        out.append(_replace(text[last:], repl, path, line))
        lines[i] = "".join(out)
    return "\n".join(lines), used


def _replace(text: str, repl, path, line: int) -> str:
    done = EXPR.sub(repl, text)
    rest = EXPR.sub("", text)
    if "{{" in rest:
        raise ContentError(path, line, "a number expression is not closed: '{{' needs '}}' on the same line "
                                       "(in code, write it inside `backticks`)")
    return done
