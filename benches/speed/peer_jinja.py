"""The peer of the speed benchmark: a plain Python + Jinja2 generator of the same tree.

It reads the spec (PyYAML, libyaml loader), renders one Jinja2 template per generated file
with the environment's name, writes every file with open/write (no verification, no atomic
writes, no lock) and the manifest with hashlib, the way a small in-house script would.

Its templates are not written by hand: `derive` (below, run by bench.py) makes them from
tgforge's own output for a one- and a two-environment spec (every `env-001` becomes the
environment's name; the blocks the second environment adds to the README and the CI files
become loops), so the peer renders exactly tgforge's bytes; bench.py checks that before
timing anything.

    python peer_jinja.py TEMPLATES SPEC OUT
"""

import difflib
import hashlib
import json
import os
import sys

ENV = "env-001"
ENV_ID = "env_001"
SECOND = "env-002"
SECOND_ID = "env_002"


def raw(text):
    """Literal text as Jinja2 source."""
    return "{% raw %}" + text + "{% endraw %}" if text else ""


def with_names(text, name, ident, var):
    """Jinja2 source printing `var.name` / `var.id` where `text` has the given names."""
    out = []
    for i, part in enumerate(text.split(name)):
        if i:
            out.append("{{ %s.name }}" % var)
        pieces = part.split(ident)
        for j, piece in enumerate(pieces):
            if j:
                out.append("{{ %s.id }}" % var)
            out.append(raw(piece))
    return "".join(out)


def looped(one, two):
    """A template for a file that lists every environment, from its text with one
    environment (`one`) and with two (`two`): each block the second adds is a loop."""
    a = one.splitlines(keepends=True)
    b = two.splitlines(keepends=True)
    parts = []
    at = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag != "insert":
            raise SystemExit("cannot derive a loop: the two outputs differ by more than a block")
        block = "".join(b[j1:j2])
        k = j2 - j1
        # The first environment's block sits just before; difflib may have placed the cut
        # anywhere along a run of identical lines, so look for it around the cut.
        for shift in range(-k, k + 1):
            start = i1 + shift - k
            if start < at or start < 0 or i1 + shift > len(a):
                continue
            first = "".join(a[start : i1 + shift])
            second = "".join(b[j1 + shift : j2 + shift])
            if first.replace(ENV, SECOND).replace(ENV_ID, SECOND_ID) == second:
                parts.append(raw("".join(a[at:start])))
                parts.append("{% for e in envs %}" + with_names(first, ENV, ENV_ID, "e") + "{% endfor %}")
                at = i1 + shift
                break
        else:
            raise SystemExit(f"cannot derive a loop for the block:\n{block}")
    parts.append(raw("".join(a[at:])))
    return "".join(parts)


def derive(tree_one, tree_two, templates):
    """Writes the peer's templates into `templates` from tgforge's trees for one and two
    environments (`env-001`, `env-002`, same spec file name)."""
    os.makedirs(templates, exist_ok=True)
    listing = {"per_env": [], "shared": [], "static": []}
    for folder, _, names in os.walk(tree_one):
        for name in names:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, tree_one)
            if rel == ".tgforge-manifest.json":
                with open(path) as f:
                    listing["about"] = json.load(f)["about"]
                continue
            with open(path, encoding="utf-8", newline="") as f:
                one = f.read()
            key = rel.replace("/", "__")
            if rel.startswith(ENV + "/"):
                text = with_names(one, ENV, ENV_ID, "env")
                listing["per_env"].append([rel[len(ENV) + 1 :], key])
            else:
                with open(os.path.join(tree_two, rel), encoding="utf-8", newline="") as f:
                    two = f.read()
                if one == two:
                    text = one
                    listing["static"].append([rel, key])
                else:
                    text = looped(one, two)
                    listing["shared"].append([rel, key])
            with open(os.path.join(templates, key), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    with open(os.path.join(templates, "listing.json"), "w") as f:
        json.dump(listing, f, indent=1, sort_keys=True)


def generate(templates, spec, out):
    import jinja2
    import yaml

    with open(os.path.join(templates, "listing.json")) as f:
        listing = json.load(f)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        keep_trailing_newline=True,
        autoescape=False,
    )
    with open(spec) as f:
        document = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    envs = [{"name": n, "id": n.replace("-", "_")} for n in sorted(document["environments"])]

    files = {}
    for rel, key in listing["static"]:
        with open(os.path.join(templates, key), encoding="utf-8", newline="") as f:
            files[rel] = f.read()
    for rel, key in listing["shared"]:
        files[rel] = env.get_template(key).render(envs=envs)
    per_env = [(rel, env.get_template(key)) for rel, key in listing["per_env"]]
    for e in envs:
        for rel, template in per_env:
            files[e["name"] + "/" + rel] = template.render(env=e)

    made = set()
    digests = {}
    for rel in sorted(files):
        data = files[rel].encode("utf-8")
        folder = os.path.dirname(os.path.join(out, rel))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(os.path.join(out, rel), "wb") as f:
            f.write(data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    manifest = {"tgforge_manifest": 1, "about": listing["about"], "files": digests}
    with open(os.path.join(out, ".tgforge-manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    generate(*sys.argv[1:4])
