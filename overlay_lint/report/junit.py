"""``--format junit``: JUnit XML for GitLab (``artifacts:reports:junit``) and Jenkins.

One test suite per environment checked, one test case per finding that shows in it (so a
finding in three envs fails three cases, as each env's deploy would), plus a passing case
for an env without findings and an ``<error>`` case per input problem.

Every text from the repository goes through :func:`~overlay_lint.core.escape.visible`:
XML 1.0 cannot hold most control characters even as references (ESC or BEL would make the
document ill-formed), and CI logs show these reports.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..core.escape import visible
from ..lint.findings import LintResult
from . import TOOL_NAME, posix_path


def _case(suite: ET.Element, name: str, classname: str, file: str | None = None,
          line: int | None = None) -> ET.Element:
    case = ET.SubElement(suite, "testcase", name=name, classname=visible(classname), time="0")
    if file:
        case.set("file", visible(posix_path(file)))
    if line:
        case.set("line", str(line))
    return case


def _where(e) -> str:
    return f"{posix_path(e.file)}:{e.line}: " if e.file and e.line else \
        (f"{posix_path(e.file)}: " if e.file else "")


def render(result: LintResult) -> str:
    """The JUnit XML document as text."""
    envs = [e for e in dict.fromkeys(result.envs) if e]
    for env in [e for f in result.findings for e in f.envs] + [e.env for e in result.errors] \
            + [s.env for s in result.skipped]:
        if env and env not in envs:      # never drop a finding or error of an unlisted env
            envs.append(env)
    root = ET.Element("testsuites", name=TOOL_NAME)
    total = failures = errors = 0
    for env in envs + [None]:
        found = [f for f in result.findings
                 if (env in f.envs if env else not any(f.envs))]
        errs = [e for e in result.errors if (e.env == env if env else not e.env)]
        skips = [s for s in result.skipped if (s.env == env if env else not s.env)]
        if env is None and not found and not errs and not skips:
            continue
        suite = ET.SubElement(root, "testsuite",
                              name=f"{TOOL_NAME} {visible(env) if env else 'repository'}")
        for f in found:
            loc = f"{visible(posix_path(f.file))}:{f.line}:{f.col}"
            msg = visible(f.message)
            case = _case(suite, f"[{visible(f.rule)}] {loc}", f"{TOOL_NAME}.{f.rule}", f.file,
                         f.line)
            fail = ET.SubElement(case, "failure", type=visible(f.severity),
                                 message=f"{loc}: {msg}")
            fail.text = "\n".join(x for x in (
                f"{loc}: {visible(f.severity)} [{visible(f.rule)}] {msg}",
                f"resource: {visible(f.resource)}" if f.resource else "",
                f"field: {visible(f.field_path)}" if f.field_path else "",
                f"envs: {visible(', '.join(f.envs))}" if f.envs else "") if x)
        for e in errs:
            where = f" {visible(posix_path(e.file))}:{e.line or 1}" if e.file else ""
            case = _case(suite, f"input error{where}", f"{TOOL_NAME}.input", e.file, e.line)
            ET.SubElement(case, "error", type="input", message=visible(e)).text = visible(e)
        for s in skips:
            case = _case(suite, f"env {visible(env or '')}", f"{TOOL_NAME}.env", s.file,
                         s.line)
            ET.SubElement(case, "skipped",
                          message=visible(f"{_where(s)}not checked: {s.message}"))
        if env and not found and not errs and not skips:
            _case(suite, f"env {visible(env)}", f"{TOOL_NAME}.env")
        n = len(suite)
        suite.set("tests", str(n))
        suite.set("failures", str(len(found)))
        suite.set("errors", str(len(errs)))
        suite.set("skipped", str(len(skips)))
        total, failures, errors = total + n, failures + len(found), errors + len(errs)
    if result.warnings:   # visible, never failing
        holder = root[0] if len(root) else ET.SubElement(
            root, "testsuite", name=TOOL_NAME, tests="0", failures="0", errors="0",
            skipped="0")
        ET.SubElement(holder, "system-out").text = "\n".join(
            visible(f"warning: {_where(w)}{w.message}") for w in result.warnings)
    if not len(root):  # nothing checked at all: one passing case so the report is not empty
        suite = ET.SubElement(root, "testsuite", name=TOOL_NAME, tests="1", failures="0",
                              errors="0", skipped="0")
        _case(suite, "overlay-lint", f"{TOOL_NAME}.run")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
