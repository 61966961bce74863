"""The orchestrator: run every check over a bundle and build its specs."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .expressions import check_code, check_timers
from .graph import check_flow_graph
from .instructions import check_instructions
from .model import B, BundleReport, FormChecker, ParsedBundle, Problem, ProblemLog, SourceChecker, XmlDoc
from .names import check_names, check_process_keys
from .parsing import check_xsd, parse_xml
from .references import check_calls, load_dmns
from .specs import build_specs, main_process
from .start import check_start_files
from .structure import check_gateways, check_ids, check_lanes, check_properties, report_no_process
from .text import check_utf8, utf8_nfc
from .variables import check_form_fields, computed_variables, form_fields, parse_form


def validate_bundle(
    bpmn: bytes,
    files: Mapping[str, bytes],
    known_roles: Collection[str],
    check_source: SourceChecker | None = None,
    check_form: FormChecker | None = None,
) -> tuple[ParsedBundle | None, list[Problem]]:
    """Check a BPMN diagram and its DMN/form files; return the parsed bundle (if any) and all problems."""
    report = check_bundle(bpmn, files, known_roles, check_source, check_form)
    return report.parsed, report.problems


def check_bundle(
    bpmn: bytes,
    files: Mapping[str, bytes],
    known_roles: Collection[str],
    check_source: SourceChecker | None = None,
    check_form: FormChecker | None = None,
) -> BundleReport:
    """Check a BPMN diagram and its DMN/form files: the parsed bundle (if any), all problems and warnings.

    Every file is read as UTF-8 in NFC (``engine.definitions.deploy`` stores the same normalised text).
    ``check_form`` adds the caller's own rules for its forms' extension keywords (each problem on its file).
    """
    out = ProblemLog()
    parsed = _check(bpmn, files, known_roles, check_source, out)
    if check_form is not None:
        _check_forms(files, check_form, out)
    return BundleReport(parsed, out.sorted(), out.sorted_warnings())


def _check_forms(files: Mapping[str, bytes], check_form: FormChecker, out: ProblemLog) -> None:
    """The caller's rules over every form that is a JSON object (the structure checks report the others)."""
    for name in sorted(n for n in files if n.endswith(".schema.json")):
        form = parse_form(utf8_nfc(files[name]) or files[name])
        if isinstance(form, Mapping):
            for message in check_form(name, form):
                out.add("form_invalid", f"Biểu mẫu {name}: {message}", None, None, name)


def _check(
    bpmn: bytes,
    files: Mapping[str, bytes],
    known_roles: Collection[str],
    check_source: SourceChecker | None,
    out: ProblemLog,
) -> ParsedBundle | None:
    if not check_utf8(bpmn, None, out):
        return None
    bpmn = utf8_nfc(bpmn) or bpmn
    for name, data in files.items():
        check_utf8(data, name, out)
    files = {name: utf8_nfc(data) or data for name, data in files.items()}
    root = parse_xml(bpmn, None, out)
    dmn_docs: dict[str, XmlDoc] = {}
    for name in sorted(n for n in files if n.lower().endswith(".dmn")):
        dmn_root = parse_xml(files[name], name, out)
        if dmn_root is not None:
            dmn_docs[name] = XmlDoc(dmn_root, name)
            check_xsd(files[name], dmn_docs[name], out)
    if root is None:
        return None
    doc = XmlDoc(root, None)
    check_xsd(bpmn, doc, out)
    check_names(root, out)
    processes = [p for p in root.findall(f"{B}process") if p.get("isExecutable", "true") == "true"]
    if not processes:
        report_no_process(root, out)
        return None
    parser = SpiffBpmnParser()
    decisions = load_dmns(parser, dmn_docs, doc, out)
    check_ids(processes, out)
    check_process_keys(processes, out)
    lanes = check_lanes(doc, processes, known_roles, out)
    check_gateways(processes, out)
    check_flow_graph(processes, out)
    check_properties(processes, files, check_source, out)
    check_calls(doc, processes, decisions, out)
    check_timers(processes, check_source, out)
    check_code(processes, check_source, out)
    process = main_process(root, processes)
    key = process.get("id", "")
    specs = build_specs(parser, doc, dmn_docs, key, processes, out)
    if specs is None:
        check_instructions(processes, None, out)
        return None
    all_specs = [specs[0], *specs[1].values()]
    check_form_fields(doc, all_specs, lanes, files, out)
    # Every JSON file may be a form (a UI schema declares no fields): the names a step or the start may set.
    forms = {name: form_fields(parse_form(data)) for name, data in files.items() if name.endswith(".json")}
    computed = computed_variables(all_specs, lanes, lambda f: forms.get(f, frozenset()))
    check_start_files(files, computed, out)
    check_instructions(processes, set(computed).union(*forms.values()), out)
    return ParsedBundle(key, process.get("name"), lanes, specs[0], specs[1])
