#!/usr/bin/python3
"""Checks scenarios/scenario.schema.json against the scenario files and the reference.

1. The schema is a valid draft 2020-12 schema.
2. Every scenarios/**/*.json file validates, and its name is its file stem.
3. Every JSON example in scenarios/README.md validates: whole scenarios as they are,
   single steps and top-level fragments wrapped into a minimal scenario.
4. Every file in tests/data/scenarios/schema-invalid/ is rejected with an error at the
   JSON pointer expected-errors.txt gives for it (so it cannot pass for another reason).

Exits 1 on any mismatch, 2 when a file cannot be read. Needs python3-jsonschema (Debian's
4.10 or later); run it with /usr/bin/python3, where Debian's Python packages are.
Usage: check_schema.py [REPO_ROOT]
"""

import json
import re
import sys
from pathlib import Path

try:
    import jsonschema
except ImportError:
    sys.exit("check_schema: python3-jsonschema is missing (scripts/install-deps.sh installs it)")


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "(root)"


def all_errors(errors):
    """The errors and, depth first, the errors under each oneOf/anyOf branch."""
    for e in errors:
        yield e
        yield from all_errors(e.context)


def load(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read: {e}")
        sys.exit(2)


def report(where, errors):
    for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        print(f"{where}: {pointer(e.absolute_path)}: {e.message}")


def readme_examples(text):
    """Each JSON value in the ```json blocks of the reference, with its line number."""
    for block in re.finditer(r"```json\n(.*?)```", text, re.S):
        body, start = block.group(1), text.count("\n", 0, block.start(1)) + 1
        decoder, i = json.JSONDecoder(), 0
        while True:
            while i < len(body) and body[i].isspace():
                i += 1
            if i == len(body):
                break
            value, end = decoder.raw_decode(body, i)
            yield start + body.count("\n", 0, i), value
            i = end


def step_kinds(schema):
    """The keys that make a step a kind of step, as the schema's step definition lists them."""
    return {name for branch in schema["$defs"]["step"]["oneOf"] for name in branch["required"]}


def as_scenario(value, kinds):
    if "version" in value:
        return value
    base = {"version": 1, "name": "readme-example"}
    if any(k in value for k in kinds):
        return dict(base, steps=[value])
    return dict(base, steps=[{"S": "220 mx.example"}], **value)


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    schema_path = root / "scenarios" / "scenario.schema.json"
    schema = load(schema_path)
    failures = 0
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"{schema_path}: not a valid draft 2020-12 schema: {e.message}")
        return 1
    validator = jsonschema.Draft202012Validator(schema)

    files = sorted(p for p in (root / "scenarios").rglob("*.json") if p != schema_path)
    for path in files:
        doc = load(path)
        errors = list(validator.iter_errors(doc))
        report(path.relative_to(root), errors)
        if isinstance(doc, dict) and doc.get("name") != path.stem:
            print(f"{path.relative_to(root)}: /name: {doc.get('name')!r} is not the file's stem {path.stem!r}")
            errors.append(None)
        failures += bool(errors)

    readme = root / "scenarios" / "README.md"
    examples = list(readme_examples(readme.read_text(encoding="utf-8")))
    for line, value in examples:
        errors = list(validator.iter_errors(as_scenario(value, step_kinds(schema))))
        report(f"{readme.relative_to(root)}:{line}", errors)
        failures += bool(errors)

    bad_dir = root / "tests" / "data" / "scenarios" / "schema-invalid"
    expected = {}
    for line in (bad_dir / "expected-errors.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, where = line.split()[:2]
            expected[name] = where
    bad_files = sorted(bad_dir.glob("*.json"))
    for path in bad_files:
        where = expected.pop(path.name, None)
        errors = list(all_errors(validator.iter_errors(load(path))))
        shown = path.relative_to(root)
        if where is None:
            print(f"{shown}: not listed in expected-errors.txt")
            failures += 1
        elif not errors:
            print(f"{shown}: accepted, but it is invalid at {where}")
            failures += 1
        elif not any(pointer(e.absolute_path) == where for e in errors):
            print(f"{shown}: rejected, but not at {where}:")
            report(shown, errors)
            failures += 1
    for name in expected:
        print(f"{bad_dir.relative_to(root)}/expected-errors.txt: {name} does not exist")
        failures += 1

    print(f"check_schema: {len(files)} scenarios, {len(examples)} README examples, "
          f"{len(bad_files)} invalid snippets; {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
