#!/usr/bin/env python3
"""The public surface the crate promises (issue 14): named items (struct, enum, union, trait,
function, constant, static, type alias, macro) reachable by a public path from the crate
root that does not go through `eap::unstable`, counted from rustdoc's JSON output by walking
the module tree and following `pub use`. Fails if there are more than LIMIT, or if an item
has two stable paths.

    RUSTC_BOOTSTRAP=1 cargo rustdoc --lib --all-features -- -Zunstable-options --output-format json
    python3 .ci/api-surface.py target/doc/eap.json [-v]
"""
import json
import sys

LIMIT = 90
KINDS = {"struct", "enum", "union", "trait", "function", "constant", "static", "type_alias", "macro"}

doc = json.load(open(sys.argv[1]))
index = doc["index"]
paths = {}  # item id -> stable paths


def kind(item):
    inner = item["inner"]
    return next(iter(inner)) if isinstance(inner, dict) else inner


def walk(module_id, path, depth=0):
    module = index.get(str(module_id))
    if module is None or depth > 16:
        return
    for child_id in module["inner"]["module"]["items"]:
        item = index.get(str(child_id))
        if item is None or item.get("visibility") != "public":
            continue
        k, name, target = kind(item), item.get("name"), child_id
        if k == "use":
            use = item["inner"]["use"]
            target = use.get("id")
            if target is None or str(target) not in index:
                continue  # another crate's item (`pub use rustls`)
            k, name = kind(index[str(target)]), use["name"]
            if use.get("is_glob"):
                walk(target, path, depth + 1)
                continue
        if k == "module":
            if name != "unstable":
                walk(target, path + [name], depth + 1)
        elif k in KINDS:
            paths.setdefault(target, set()).add("::".join(path + [name]))


walk(doc["root"], [index[str(doc["root"])]["name"]])
print(f"stable public items: {len(paths)} (limit {LIMIT})")
if "-v" in sys.argv:
    for p in sorted(min(ps) for ps in paths.values()):
        print("  " + p)
twice = [sorted(ps) for ps in paths.values() if len(ps) > 1]
for ps in twice:
    print("two stable paths: " + ", ".join(ps), file=sys.stderr)
sys.exit(1 if len(paths) > LIMIT or twice else 0)
