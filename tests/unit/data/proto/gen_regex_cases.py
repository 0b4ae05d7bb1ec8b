#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate regex_cases.json: test cases for src/proto/jregex.c from an independent oracle.

For every "pattern" trait of the service models that src/proto/model_data.c holds (read here
straight from Debian's botocore service-2.json files), this draws strings from the pattern's own
syntax tree (Python's re parser) and mutates them, then records whether Python's re.fullmatch
accepts each string. Python stands in for Java's Matcher.matches() after a translation of the
constructs where the two differ (java.util.regex.Pattern documentation):
  - \\p{L} and the other major Unicode categories, which Python's re lacks, become explicit
    ranges computed from unicodedata (the same Unicode version as model_data.c);
  - an escaped UTF-16 surrogate pair \\uD800\\uDC00 is one code point in Java;
  - a quantified end anchor ${1,128} is just $ (Python refuses to repeat an anchor);
  - ASCII \\w \\d \\s \\b and ASCII-only case folding: re.ASCII.
Strings never contain \\r, U+0085, U+2028 or U+2029, the line terminators on which Java's '.'
differs from Python's. Patterns Python cannot compile after translation (backreferences into
the translated groups, mostly) are listed as "skipped" and not tested here.

Usage: tests/unit/data/proto/gen_regex_cases.py > tests/unit/data/proto/regex_cases.json
"""
import json
import os
import random
import re
import re._constants as C
import re._parser as P
import sys
import unicodedata

DATA = "/usr/lib/python3/dist-packages/botocore/data"
SERVICES = ["iam", "sts", "ec2", "kms", "logs", "ssm", "sagemaker", "cloudformation"]
POOL = ([chr(c) for c in range(0x20, 0x7F)] + ["\t", "\n", "\u00e9", "\u00fc", "\u03a9",
        "\u4e2d", "\U0001F600", "\u00a0", "\u200b", "\u0663", "\u01c5", "\u0301", "\u00ff",
        "\u0100", "\ud7ff", "\ufffd", "\U00010000"])


def cat_ranges(cat):
    out, start, prev = [], None, None
    for cp in range(0x110000):
        if unicodedata.category(chr(cp))[0] == cat:
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            out.append((start, prev))
            start = None
    if start is not None:
        out.append((start, prev))
    return "".join("\\U%08x" % a if a == b else "\\U%08x-\\U%08x" % (a, b) for a, b in out)


CATS = {}


def translate(p):
    p = re.sub(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
               lambda m: "\\U%08x" % (0x10000 + ((int(m.group(1), 16) - 0xD800) << 10)
                                      + int(m.group(2), 16) - 0xDC00), p, flags=re.I)
    p = re.sub(r"\$\{\d+(,\d*)?\}", "$", p)
    out, i, depth = [], 0, 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p) and p[i + 1] in "pP":
            m = re.match(r"\\([pP])(?:\{(?:Is)?(\w)\}|(\w))", p[i:])
            cat = m.group(2) or m.group(3)
            if cat not in CATS:
                CATS[cat] = cat_ranges(cat)
            if m.group(1) == "P" and depth:
                raise ValueError("\\P inside a class")
            neg = "^" if m.group(1) == "P" else ""
            out.append(CATS[cat] if depth else "[" + neg + CATS[cat] + "]")
            i += len(m.group(0))
            continue
        if c == "\\":
            out.append(p[i:i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


def in_set(items, ch):
    neg = False
    hit = False
    for op, av in items:
        if op is C.NEGATE:
            neg = True
        elif op is C.LITERAL:
            hit |= ord(ch) == av
        elif op is C.RANGE:
            hit |= av[0] <= ord(ch) <= av[1]
        elif op is C.CATEGORY:
            hit |= bool(re.fullmatch({
                C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D",
                C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
                C.CATEGORY_SPACE: r"\s", C.CATEGORY_NOT_SPACE: r"\S"}[av], ch, re.A))
    return hit != neg


def gen(tree, rnd, out):
    for op, av in tree:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(rnd.choice([c for c in POOL if ord(c) != av]))
        elif op is C.ANY:
            out.append(rnd.choice([c for c in POOL if c != "\n"]))
        elif op is C.IN:
            pos = [it for it in av if it[0] is C.RANGE]
            if pos and not any(it[0] is C.NEGATE for it in av) and rnd.random() < 0.5:
                lo, hi = rnd.choice(pos)[1]
                hi = min(hi, lo + 300)
                cp = rnd.randint(lo, hi)
                if 0xD800 <= cp <= 0xDFFF or cp in (0x0D, 0x85, 0x2028, 0x2029):
                    cp = lo
                out.append(chr(cp))
            else:
                cands = [c for c in POOL if in_set(av, c)]
                out.append(rnd.choice(cands) if cands else "a")
        elif op is C.BRANCH:
            gen(rnd.choice(av[1]), rnd, out)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            hi = lo + 4 if hi is C.MAXREPEAT else min(hi, lo + 4)
            for _ in range(rnd.randint(lo, hi)):
                gen(sub, rnd, out)
        elif op is C.SUBPATTERN:
            gen(av[-1], rnd, out)
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF):
            pass
        elif op is C.CATEGORY:
            out.append(rnd.choice([c for c in POOL if in_set([(C.CATEGORY, av)], c)]))
        else:
            raise ValueError(op)


def patterns():
    seen = []
    for s in SERVICES:
        d = os.path.join(DATA, s)
        v = sorted(os.listdir(d))[-1]
        with open(os.path.join(d, v, "service-2.json")) as f:
            for sh in json.load(f)["shapes"].values():
                if "pattern" in sh and sh["pattern"] not in seen:
                    seen.append(sh["pattern"])
    return sorted(seen)


def clean(s):
    return "".join(c for c in s if c not in "\r\x85\u2028\u2029" and not 0xD800 <= ord(c) <= 0xDFFF)


def main():
    result = {"note": "generated by gen_regex_cases.py; Python re as the oracle", "patterns": [],
              "skipped": []}
    for i, pat in enumerate(patterns()):
        try:
            rx = re.compile(translate(pat), re.A)
            tree = P.parse(translate(pat), re.A)
        except (re.error, ValueError) as e:
            result["skipped"].append({"pattern": pat, "why": str(e)})
            continue
        rnd = random.Random(i)
        strings = ["", "a", "abc", "A-1", "arn:aws:iam::123456789012:role/x", " x ", "a b"]
        for _ in range(6):
            out = []
            gen(tree.data if hasattr(tree, "data") else tree, rnd, out)
            s = clean("".join(out))[:3000]
            strings.append(s)
            if s:
                k = rnd.randrange(len(s))
                strings.append(s[:k] + rnd.choice(POOL) + s[k + 1:])
                strings.append(s + rnd.choice(POOL))
                strings.append(s[1:])
                strings.append(s.upper())
        cases, seen = [], set()
        for s in strings:
            s = clean(s)
            if s in seen:
                continue
            seen.add(s)
            cases.append([s, rx.fullmatch(s) is not None])
        result["patterns"].append({"pattern": pat, "cases": cases})
    json.dump(result, sys.stdout, ensure_ascii=True, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
