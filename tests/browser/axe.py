"""axe-core, the accessibility engine, run in a Playwright page: the WCAG 2.0-2.2 A/AA rules and best practice.

axe-core is pinned in tools/package.json and installed under tools/node_modules by `npm ci --prefix tools`
(`make test` and `make html` run it).  Usage:

    violations = run_axe(page, include=".jp-OutputArea-output")
    assert not violations, format_violations(violations)
"""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN = """async ([include, tags]) => {
    const context = include === null ? document : {include: include.map(selector => [selector])};
    const result = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
    }));
}"""


def run_axe(page, include=None):
    """Run axe-core on page (a Playwright Page); return its violations.

    include: None for the whole document, or a CSS selector or a list of them limiting the check to those
    elements (and what is inside them).  Returns a list of {"id", "impact", "help", "nodes": [{"target",
    "summary"}]}, one per rule violated, each node an element that violates it.
    """
    if include is not None and not isinstance(include, str | list | tuple):
        raise TypeError(f"include must be None, a CSS selector or a list of them, got {type(include).__name__}")
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `npm ci --prefix tools` (or `make test`)")
    if isinstance(include, str):
        include = [include]
    if include is not None and not page.locator(", ".join(include)).count():
        raise ValueError(f"include matches no element of the page: {include}")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(RUN, [None if include is None else list(include), TAGS])


def format_violations(violations, targets=3):
    """One paragraph per violation: its id, impact, count of elements and the first few targets with summaries."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {len(v['nodes'])} element(s) -- {v['help']}")
        for node in v["nodes"][:targets]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > targets:
            lines.append(f"    ... and {len(v['nodes']) - targets} more")
    return "\n".join(lines)


def count_by_rule(violations):
    """{rule id: number of elements violating it}."""
    return {v["id"]: len(v["nodes"]) for v in violations}
