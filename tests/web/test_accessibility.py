"""WCAG 2.1 AA on the queue, an item and the debrief: axe-core in Chromium, plus what axe cannot see
(focus contrast, j/k moving real focus with aria-selected, comboboxes, 200 % zoom without sideways scroll)."""
from __future__ import annotations

import pytest

from tests.web.axe import describe, violations
from tests.web.conftest import CHROMIUM, PASSWORDS
from tests.web.seed import email_bytes, email_item, store
from tests.web.standup_seed import MONDAY, seed

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CONTRAST = """el => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let node = el.parentElement, bg = [255, 255, 255];
  while (node) { const c = rgb(getComputedStyle(node).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) { bg = c.slice(0, 3); break; } node = node.parentElement; }
  const style = getComputedStyle(el);
  if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) return 0;
  const a = lum(rgb(style.outlineColor).slice(0, 3)), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def checked(browser, live_server):
    """A signed-in page whose CSP lets axe-core in (the app's own policy forbids inline scripts)."""
    def open_page(width=1366, height=768, scale=1):
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height},
                                      device_scale_factor=scale, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server}/connexion")
        page.fill('input[name="username"]', "agent")
        page.fill('input[name="password"]', PASSWORDS["agent"])
        page.click('button[type="submit"]')
        page.wait_for_url(f"{live_server}/file")
        contexts.append(context)
        return page
    contexts = []
    yield open_page
    for context in contexts:
        context.close()


def _many(site, count=20):
    store(site.sessions, site.settings.file_store_dir,
          [email_item(email_bytes(f"Demande n° {n} concernant la collecte", "Bonjour."),
                      competences=[("dechets", 0.5)], name=f"a11y-{n}.eml") for n in range(count)])


def test_axe_finds_nothing_on_queue_item_and_debrief(site, live_server, checked):
    seed(site.sessions)
    page = checked()
    page.keyboard.press("j")
    assert violations(page) == [], describe(violations(page))
    page.goto(f"{live_server}/elements/{site.items[0]}")
    page.keyboard.press("c")
    page.keyboard.type("bes")
    page.wait_for_selector("#commune-list li")  # the open combobox too
    found = violations(page)
    assert found == [], describe(found)
    page.goto(f"{live_server}/debrief?jour={MONDAY.isoformat()}")
    found = violations(page)
    assert found == [], describe(found)


def test_focus_is_visible_at_three_to_one_and_j_k_move_real_focus(site, live_server, checked):
    page = checked()
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate_handle("document.activeElement")
    assert page.evaluate("el => [el.getAttribute('role'), el.getAttribute('aria-selected')]", focused) == ["option", "true"]
    assert page.locator('#queue [aria-selected="true"]').count() == 1
    assert page.get_attribute("#queue", "role") == "listbox"
    for selector in ("#queue [role=option]", "#start", "#search", ".topbar nav a"):
        page.focus(selector)
        if selector == "#queue [role=option]":  # focus-visible comes with the keyboard
            page.keyboard.press("j")
        element = page.evaluate_handle("document.activeElement")
        assert page.evaluate(CONTRAST, element) >= 3, selector
    page.goto(f"{live_server}/elements/{site.items[0]}")
    assert page.get_attribute("#commune-search", "role") == "combobox"
    assert page.get_attribute("#commune-search", "aria-controls") == "commune-list"


@pytest.mark.parametrize("path", ["/file", "/elements/{item}", "/debrief?jour=2026-11-30"])
def test_pages_at_200_percent_zoom_do_not_scroll_sideways(site, live_server, checked, path):
    _many(site)
    seed(site.sessions)
    page = checked(683, 384, 2)  # 1366×768 at 200 %
    page.goto(live_server + path.format(item=site.items[0]))
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    if "elements" in path:  # the decision form comes before the document, not after it
        form, text = (page.locator(s).bounding_box()["y"] for s in ("#review-form", "#extracted"))
        assert form < text


