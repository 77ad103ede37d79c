"""What a header label says: a hint at the quantity of its column, however a student spells it.

Students type ∂ as 𝟃 (U+1D7C3), Ә (Cyrillic schwa), δ or plain d, write `Etotaldw1`, `E∂w1`,
`∂E_t/∂W1`, `out_h1`, `act_o2`, and η as ͷ or `learningRate=`. `quantity` folds all of these
onto the names of `network.COLUMNS`. A label is only a hint: `identify` decides what a column is
by what its cells compute, and uses labels to break ties.
"""

from __future__ import annotations

import re
import unicodedata

# Characters students use for ∂ (after NFKC, which folds the mathematical ∂ variants) and for η.
PARTIAL_LOOKALIKES = "∂әδðɘ∇"
ETA_LOOKALIKES = "ηͷŋƞɳ"
_FOLD = str.maketrans({**{c: "d" for c in PARTIAL_LOOKALIKES}, **{c: "η" for c in ETA_LOOKALIKES}})
_DROP = re.compile(r"[\s_\-·:()\[\]{}=.,;'\"*]")

# Normalised label -> quantity name; `{}` takes the digit of the match.
_PATTERNS = [
    (r"(?:t|target|targett|targeto|y|true|expected)([1-4])", "t{}"),
    (r"(?:i|input|inputi|in|x)([1-4])", "i{}"),
    (r"(?:w|weight)([1-9]\d?)", "w{}"),
    (r"(?:b|bias)([1-9]\d?)", "b{}"),
    (r"(?:b|bias)(?:h|hidden)()", "b1"),
    (r"(?:b|bias)(?:o|out|output)()", "b2"),
    (r"(?:h|neth|inh|zh|hin|hnet|sumh)([1-4])", "h{}"),
    (r"(?:ah|outh|outputh|σh|sigh|sigmah|sigmoidh|acth|activationh|hout|hact|ha)([1-4])", "a_h{}"),
    (r"h([1-4])(?:out|output|act|a|σ)", "a_h{}"),
    # a second hidden layer is g1.. (`network.description`): g1, net_g1, a_g1, out_g1
    (r"(?:g|netg|ing|zg|gin|gnet|sumg)([1-4])", "g{}"),
    (r"(?:ag|outg|outputg|σg|sigg|sigmag|sigmoidg|actg|activationg|gout|gact|ga)([1-4])", "a_g{}"),
    (r"(?:o|neto|ino|zo|oin|onet|sumo)([1-4])", "o{}"),
    (r"(?:ao|outo|outputo|σo|sigo|sigmao|sigmoido|acto|activationo|oout|oact|oa|yhat|ŷ|pred)([1-4])",
     "a_o{}"),
    (r"o([1-4])(?:out|output|act|a|σ)", "a_o{}"),
    (r"(?:e|eo|error|err|loss|l)o?([1-4])", "E{}"),
    (r"(?:etotal|etot|esum|e|et|total|totalerror|errortotal|error|loss|totalloss|losstotal|ltotal)()",
     "E_total"),
    # ∂E_total/∂w1 in every spelling: de/dw1, detotal/dw1, det/dw1, etotaldw1, edw1, dw1, gradw1
    (r"d?(?:e|l|err|error|loss|cost|j)(?:total|tot|t|sum)?/?d?w([1-9]\d?)", "dw{}"),
    (r"(?:d|grad|gradient|g)w([1-9]\d?)", "dw{}"),
    (r"d?(?:e|l|err|error|loss|cost|j)(?:total|tot|t|sum)?/?d?b([1-9]\d?)", "db{}"),
    (r"(?:d|grad|gradient|g)b([1-9]\d?)", "db{}"),
]
_COMPILED = [(re.compile(f"^{p}$"), name) for p, name in _PATTERNS]
_ETA = {"η", "eta", "lr", "learningrate", "alpha", "α", "rate", "learnrate", "stepsize",
        "learningratelr", "lrη", "ηlr"}


def normalize(text: str) -> str:
    """Lower case, NFKC, look-alikes folded (∂ → d, ͷ → η), separators and brackets dropped."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return _DROP.sub("", text)


# One example of a batch: `i1 [2]` (as the builder writes it), `a_h1_2`, `E1 (2)`.
_EXAMPLE = re.compile(r"^(.+?)\s*(?:\[\s*(\d{1,2})\s*\]|\(\s*(\d{1,2})\s*\)|_(\d{1,2}))\s*$")
PER_EXAMPLE = re.compile(r"^(?:t|i|h|g|o|a_h|a_g|a_o|E)\d$")  # what each example of a step has


def quantity(label) -> str | None:
    """The quantity a header label names, or None: `quantity('𝟃E/𝟃w1') == 'dw1'`, and for one
    example of a batch `quantity('a_h1 [2]') == 'a_h1_2'`."""
    if not isinstance(label, str) or len(label) > 40:
        return None
    m = _EXAMPLE.match(label)
    if m and (base := _quantity(m.group(1))) and PER_EXAMPLE.match(base):
        return f"{base}_{int(next(g for g in m.groups()[1:] if g))}"
    return _quantity(label)


def _quantity(label: str) -> str | None:
    text = normalize(label)
    for pattern, name in _COMPILED:
        m = pattern.match(text)
        if m:
            return name.format(*m.groups())
    return None


def is_eta(label) -> bool:
    """Whether a label names the learning rate: `η`, `ͷ`, `eta =`, `Learning Rate `, `L.R`."""
    return isinstance(label, str) and len(label) <= 40 and normalize(label) in _ETA
