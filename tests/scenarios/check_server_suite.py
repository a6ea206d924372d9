#!/usr/bin/python3
"""Checks that scenarios/servers fits any server, as scenarios/README.md ("servers/") says.

1. Every variable a server scenario declares is in the README's table of variables, with
   the default the table gives (one name, one default, across the suite).
2. No MAIL FROM or RCPT TO line (C steps, pipelined commands) writes an address: each
   comes from a variable, so no step needs a server to deliver example.com.
3. A scenario carries the tag of each thing it needs from the server: the tag of every
   extension an EHLO step `offers` (PIPELINING: pipelining, CHUNKING: bdat, ...),
   starttls for a `tls` step, auth for an AUTH command, pipelining for a `pipeline`
   step, bdat for a `bdat` step, rcpt-refused or vrfy for a step using `refused`.
4. Every tag of the README's table of tags is used by some server scenario.

Exits 1 on any mismatch, 2 when a file cannot be read.
Usage: check_server_suite.py [REPO_ROOT]
"""

import json
import re
import sys
from pathlib import Path

# The EHLO keyword an `offers` names, and the tag a scenario asking for it carries.
EXTENSION_TAGS = {
    "PIPELINING": "pipelining",
    "CHUNKING": "bdat",
    "DSN": "dsn",
    "SMTPUTF8": "smtputf8",
    "SIZE": "size",
    "8BITMIME": "8bitmime",
    "ENHANCEDSTATUSCODES": "enhancedstatuscodes",
    "STARTTLS": "starttls",
    "AUTH": "auth",
}
ENVELOPE = re.compile(r"^(mail from|rcpt to):", re.I)
ADDRESS = re.compile(r"[^\s<>:;=]+@[^\s<>]+")


def load(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read: {e}")
        sys.exit(2)


def readme_tables(text):
    """The variables (name -> default) and the tags of the README's servers/ section."""
    section = text[text.index("## servers/"):]
    section = section[:section.index("\n## ", 1)]
    variables, tags, table = {}, set(), None
    for line in section.splitlines():
        if not line.startswith("|"):
            table = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if table is None:  # the header row names the table
            table = cells[0]
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        if table == "variable":  # the default(s) in the second column
            variables.update(zip(names, re.findall(r"`([^`]*)`", cells[1])))
        elif table == "tag":
            tags.update(names)
    return variables, tags


def steps_of(steps):
    for step in steps:
        yield step
        for branch in step.get("one_of", []):
            yield from steps_of(branch)


def commands_of(step):
    if "C" in step:
        yield step["C"]
    for c in step.get("pipeline", []):
        yield c if isinstance(c, str) else c["C"]


def check(path, doc, variables):
    problems = []
    tags = set(doc.get("tags", []))
    for name, default in doc.get("vars", {}).items():
        if name not in variables:
            problems.append(f"/vars/{name}: not in the README's table of variables")
        elif default != variables[name]:
            problems.append(f"/vars/{name}: default {default!r}, the README says {variables[name]!r}")
    needs = set()
    for step in steps_of(doc["steps"]):
        for keyword in step.get("offers", []):
            needs.add(EXTENSION_TAGS.get(keyword.split()[0].upper(), keyword.lower()))
        if step.get("tls") == "start":
            needs.add("starttls")
        if "pipeline" in step:
            needs.add("pipelining")
        if "bdat" in step:
            needs.add("bdat")
        for command in commands_of(step):
            if command.upper().startswith("AUTH"):
                needs.add("auth")
            if "${refused}" in command and not tags & {"rcpt-refused", "vrfy"}:
                problems.append(f"uses ${{refused}} ({command!r}) without the tag rcpt-refused or vrfy")
            if ENVELOPE.match(command) and ADDRESS.search(re.sub(r"\$\{[^}]*\}", "", command)):
                problems.append(f"{command!r}: an address written into the step, not a variable")
    for tag in sorted(needs - tags):
        problems.append(f"/tags: needs {tag!r} (a step uses it)")
    for p in problems:
        print(f"{path}: {p}")
    return not problems, tags


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
    readme = root / "scenarios" / "README.md"
    variables, documented_tags = readme_tables(readme.read_text(encoding="utf-8"))
    if not variables or not documented_tags:
        print(f"{readme}: no table of variables or of tags in the servers/ section")
        return 1
    files = sorted((root / "scenarios" / "servers").glob("*.json"))
    failures, used = 0, set()
    for path in files:
        ok, tags = check(path.relative_to(root), load(path), variables)
        failures += not ok
        used |= tags
    for tag in sorted(documented_tags - used):
        print(f"{readme.relative_to(root)}: the tag {tag!r} is documented but no server scenario has it")
        failures += 1
    print(f"check_server_suite: {len(files)} scenarios, {len(variables)} variables, "
          f"{len(documented_tags)} tags; {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
