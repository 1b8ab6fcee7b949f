#!/usr/bin/env python3
"""The library's layout rules (issue 25), checked on the source:

- no import circle between files of the library (a child module naming its parent's items
  is not a circle; `#[cfg(test)] mod tests` blocks and comments are left out);
- nothing in src/crypto imports crate::wire, nothing in src/tls imports crate::diagnosis;
- src/unstable/mod.rs is a window: `pub use` lines, no fn, struct, enum or impl.

Exits 1 naming what breaks a rule.
"""
import glob
import re
import sys

def modpath(f):
    p = f[len("src/"):-len(".rs")]
    if p.endswith("/mod"):
        p = p[: -len("/mod")]
    return "" if p == "lib" else p.replace("/", "::")

def code_of(f):
    s = open(f).read()
    i = s.find("#[cfg(test)]\nmod tests")
    if i >= 0:
        s = s[:i]
    return "\n".join(l for l in s.split("\n") if not l.strip().startswith("//"))

files = [f for f in glob.glob("src/**/*.rs", recursive=True) if not f.startswith("src/bin/")]
mods = {modpath(f): f for f in files}
edges = {}
for f in files:
    m = modpath(f)
    deps = set()
    for u in re.findall(r"((?:crate|super)(?:::\w+)+)", code_of(f)):
        parts = u.split("::")
        parts = (m.split("::")[:-1] + parts[1:]) if parts[0] == "super" else parts[1:]
        for k in range(len(parts), 0, -1):
            cand = "::".join(parts[:k])
            if cand in mods and cand != m:
                if not m.startswith(cand + "::"):
                    deps.add(cand)
                break
    edges[m] = deps

# Tarjan's strongly connected components.
sys.setrecursionlimit(10000)
index, low, stack, on, counter, circles = {}, {}, [], set(), [0], []
def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            circles.append(sorted(comp))
for v in edges:
    if v not in index:
        visit(v)

problems = [f"import circle: {' <-> '.join(c)}" for c in circles]
for f in files:
    code = code_of(f)
    if f.startswith("src/crypto/") and "crate::wire" in code:
        problems.append(f"{f} imports crate::wire (crypto takes bytes)")
    if f.startswith("src/tls/") and "crate::diagnosis" in code:
        problems.append(f"{f} imports crate::diagnosis (tls speaks its own types)")
window = code_of("src/unstable/mod.rs")
if re.search(r"^\s*(pub(\([^)]*\))?\s+)?(fn|struct|enum|impl|trait|const|static)\b", window, re.M):
    problems.append("src/unstable/mod.rs defines code (it is a window of pub use lines)")
for p in problems:
    print(p, file=sys.stderr)
print(f"layout: {len(files)} files, {sum(len(d) for d in edges.values())} imports between them, "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
