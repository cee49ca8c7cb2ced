"""axe-core (installed by `scripts/setup.sh --tests` from package-lock.json) run in Chromium: WCAG 2.1 A and AA."""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[dict]:
    """The violations on the page as it stands: rule id, impact, and the offending elements.

    The page's CSP forbids inline scripts: the context that loads axe must be opened with bypass_csp=True.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
                          "nodes: v.nodes.map(n => n.target.join(' '))})))", TAGS)
    return found


def describe(found: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}) : {v['help']} → {v['nodes'][:3]}" for v in found)
