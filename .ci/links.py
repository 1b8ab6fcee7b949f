#!/usr/bin/env python3
"""Links inside the package only (issue 28): the Markdown files that ship in the crate
(README.md, CHANGELOG.md, src/**/*.md, as `cargo package --list` names them) may link to
web pages, to their own headings and to files of the package, never to a path outside it
(`../shared/...`) or to a file the package leaves out (`fuzz/` is excluded), which docs.rs
and crates.io readers cannot follow.

    python3 .ci/links.py
"""
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
listed = subprocess.run(
    ["cargo", "package", "--list", "--allow-dirty"],
    cwd=root, check=True, capture_output=True, text=True,
).stdout.split()
files = set(listed)
link = re.compile(r"\]\(([^)\s]+)\)|^\[[^\]]+\]:\s*(\S+)", re.M)
outside = re.compile(r"`\.\./[^`]*`|\]\(\.\./")
bad = []
for md in sorted(f for f in files if f.endswith(".md")):
    text = open(os.path.join(root, md), encoding="utf-8").read()
    for m in outside.finditer(text):
        bad.append(f"{md}: {m.group(0)} points outside the package")
    for m in link.finditer(text):
        target = m.group(1) or m.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(md), target.split("#")[0]))
        if path.startswith("..") or path not in files:
            bad.append(f"{md}: link to {target}, not a file of the package")
for b in bad:
    print(b, file=sys.stderr)
print(f"links: {len([f for f in files if f.endswith('.md')])} Markdown files checked, {len(bad)} bad")
sys.exit(1 if bad else 0)
