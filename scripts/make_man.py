#!/usr/bin/python3
"""Writes the man pages from what ehlo and its documentation already say.

    scripts/make_man.py EHLO OUT-DIR

ehlo.1: `ehlo help`, then a section per command from `ehlo COMMAND --help`
(options as tagged paragraphs, their groups as subsections). ehlo-scenario.5:
scenarios/README.md, the format's reference (headings, paragraphs, key tables,
examples). Both are committed in man/; the test cli.man_pages_committed
regenerates them and fails when they differ, so a changed option or key
cannot leave the man pages behind. Plain Python 3, no dependency.
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["run", "check", "fuzz", "load", "report", "validate", "import", "lint", "rules", "schema"]
DATE = "2026-12-07"


def esc(text: str) -> str:
    """Escapes text for roff: backslashes, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # Non-ASCII as groff's Unicode escapes, so the page needs no preconv.
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def inline(text: str) -> str:
    """Markdown's `code` and **bold** as roff fonts, the rest escaped."""
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", text)):
        part = esc(part)
        out.append(f"\\fB{part}\\fR" if i % 2 else re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", part))
    return "".join(out)


def help_text(ehlo: str, *args: str) -> str:
    r = subprocess.run([ehlo, *args], capture_output=True, text=True, timeout=30)
    return r.stdout or r.stderr


def options_to_roff(text: str) -> list[str]:
    """A --help text: paragraphs, then options ("  --opt ARG   what") whose
    descriptions continue on indented lines, grouped under " group:" lines."""
    out: list[str] = []
    lines = text.rstrip("\n").split("\n")
    i = 0
    para: list[str] = []

    def flush_para():
        if para:
            out.append(".PP")
            out.append(esc(" ".join(p.strip() for p in para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        m = re.match(r"^  (-\S.*?)(?: {2,}(\S.*))?$", line)
        if m:
            flush_para()
            desc = [m.group(2)] if m.group(2) else []
            i += 1
            while i < len(lines) and re.match(r"^ {6,}\S", lines[i]):
                desc.append(lines[i].strip())
                i += 1
            out.append(".TP")
            out.append("\\fB" + esc(m.group(1).strip()) + "\\fR")
            out.append(esc(" ".join(desc)) if desc else "")
            continue
        g = re.match(r"^ ?(\S[^:]*):$", line)
        if g and not line.startswith("usage:"):
            flush_para()
            out.append(".SS " + esc(g.group(1)))
            i += 1
            continue
        if not line.strip():
            flush_para()
        elif line.startswith("usage: "):
            flush_para()
            out.append(".PP")
            out.append("\\fB" + esc(line[len("usage: "):]) + "\\fR")
        else:
            para.append(line)
        i += 1
    flush_para()
    return out


def commands_to_roff(text: str) -> list[str]:
    """`ehlo help`: each "  name ..." entry (its continuation lines indented
    deeper) as a tagged paragraph; the paragraphs after the list as they are."""
    out: list[str] = []
    entries: list[list[str]] = []
    after: list[str] = []
    for line in text.rstrip("\n").split("\n")[1:]:
        if re.match(r"^  [a-z]", line):
            entries.append([line.strip()])
        elif re.match(r"^ {6,}\S", line) and entries and not after:
            entries[-1].append(line.strip())
        elif line.strip() and not line.endswith(":") and entries:
            after.append(line.strip())
    for e in entries:
        name, _, rest = e[0].partition(" ")
        parts = re.split(r"\s{2,}", rest.rstrip(), maxsplit=1)
        synopsis, first = parts[0], parts[1] if len(parts) > 1 else ""
        out += [".TP", f"\\fBehlo {esc(name)}\\fR " + esc(synopsis), esc(" ".join(([first] if first else []) + e[1:]))]
    if after:
        out += [".PP", esc(" ".join(after))]
    return out


def ehlo_1(ehlo: str) -> str:
    out = [
        f'.TH EHLO 1 "{DATE}" "ehlo" "User Commands"',
        ".SH NAME",
        "ehlo \\- SMTP protocol test harness and conformance fuzzer",
        ".SH SYNOPSIS",
        "\\fBehlo\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIPATH\\fR...]",
        ".SH DESCRIPTION",
        "ehlo plays SMTP conversations written as scenarios (JSON, see \\fBehlo-scenario\\fR(5)) "
        "against real servers and clients, either side, checks every reply and command against the RFCs, "
        "runs a catalog of conformance probes, fuzzes live peers and generates load.",
        ".SH COMMANDS",
    ]
    out += commands_to_roff(help_text(ehlo, "help"))
    for command in COMMANDS:
        text = help_text(ehlo, command, "--help")
        if not text.startswith("usage:"):
            continue  # a command this build does not have
        out.append(".SH " + esc(f"ehlo {command}").upper())
        out += options_to_roff(text)
    out += [
        ".SH EXIT STATUS",
        "0 when everything passed; 1 when a scenario failed, a probe found a violation, a threshold was crossed "
        "or a finding was made; 2 when an input or an option is invalid (nothing is played then).",
        ".SH FILES",
        ".TP",
        "\\fI/usr/share/ehlo/scenarios\\fR",
        "The scenarios: \\fIconformance/\\fR (the catalog \\fBehlo check\\fR plays), \\fIseeds/\\fR, "
        "\\fIservers/\\fR, \\fIclients/\\fR, \\fIlmtp/\\fR, \\fIpostfix/\\fR and \\fIexamples/\\fR.",
        ".SH SEE ALSO",
        "\\fBehlo-scenario\\fR(5), \\fBswaks\\fR(1), \\fBsmtp-source\\fR(1), \\fBsmtp-sink\\fR(1)",
    ]
    return "\n".join(out) + "\n"


def readme_to_roff(md: str) -> list[str]:
    """The subset of Markdown scenarios/README.md uses: headings, paragraphs,
    bullet lists, tables (each row a tagged paragraph) and indented or fenced
    code blocks."""
    out: list[str] = []
    lines = md.split("\n")
    i = 0
    para: list[str] = []

    def flush():
        if para:
            out.append(".PP")
            out.append(inline(" ".join(p.strip() for p in para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if line.startswith("# "):
            flush()
            i += 1
            continue
        if line.startswith("## "):
            flush()
            out.append(".SH " + inline(line[3:]).upper())
        elif line.startswith("### "):
            flush()
            out.append(".SS " + inline(line[4:]))
        elif line.startswith("```"):
            flush()
            i += 1
            out += [".PP", ".nf", ".RS 4"]
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(esc(lines[i]) if lines[i] else "")
                i += 1
            out += [".RE", ".fi"]
        elif line.startswith("    ") and not para:
            flush()
            out += [".PP", ".nf", ".RS 4"]
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                if not lines[i].strip() and (i + 1 >= len(lines) or not lines[i + 1].startswith("    ")):
                    break
                out.append(esc(lines[i][4:]))
                i += 1
            out += [".RE", ".fi"]
            continue
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", lines[i].strip())[1:-1]]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append([c.replace("\\|", "|") for c in cells])
                i += 1
            header, body = rows[0], rows[1:]
            for r in body:
                out.append(".TP")
                out.append(inline(r[0]))
                rest = [f"{header[k]}: {r[k]}" if len(r) > 2 and k < len(r) - 1 else r[k] for k in range(1, len(r))]
                out.append(inline("; ".join(rest)))
            continue
        elif re.match(r"^[-*] ", line):
            flush()
            item = [line[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                item.append(lines[i].strip())
                i += 1
            out += [".IP \\(bu 2", inline(" ".join(item))]
            continue
        elif not line.strip():
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    return out


def ehlo_scenario_5() -> str:
    md = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    out = [
        f'.TH EHLO-SCENARIO 5 "{DATE}" "ehlo" "File Formats"',
        ".SH NAME",
        "ehlo-scenario \\- the scenario files ehlo plays: an SMTP conversation in JSON",
        ".SH DESCRIPTION",
        "A scenario is a JSON file that scripts an SMTP conversation as a transcript shows it, "
        "server steps (S) and client steps (C) in order; \\fBehlo\\fR(1) plays either side of it. "
        "\\fBehlo schema\\fR prints its JSON Schema. What follows is scenarios/README.md, the reference.",
    ]
    out += readme_to_roff(md)
    out += [".SH SEE ALSO", "\\fBehlo\\fR(1)"]
    return "\n".join(out) + "\n"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    ehlo, out_dir = sys.argv[1], Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "ehlo.1").write_text(ehlo_1(ehlo), encoding="utf-8")
    (out_dir / "ehlo-scenario.5").write_text(ehlo_scenario_5(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
