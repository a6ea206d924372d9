#!/usr/bin/env python3
"""The HTML report of `ehlo check` as a person sees it, in headless Chromium.

Usage: check_html_browser.py PAGE [SCREENSHOT_DIR]

PAGE is the sample page (tests/report/sample_check_run.hpp: two targets, every
verdict, a transcript holding <script>alert(1)</script>, an onerror handler and
an end of </pre>) written by the doctest case "check html: the sample page for
the browser". The test looks at what the page shows: each cell's word and its
colour per verdict, the totals per target, a cell's click opening its
transcript, Escape closing it, and that nothing from the transcript ran or
became markup. It takes a screenshot (to SCREENSHOT_DIR, or a temporary
folder) with a panel open. Exit 77 (skipped) when Chromium, its driver or
Selenium is missing (scripts/install-deps.sh --peers installs them).
"""

import os
import shutil
import sys
import tempfile

SKIP = 77


def skip(why):
    print(f"skipped: {why}")
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("python3-selenium is not installed")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

# (probe id) -> the words of its cells, target by target (sample_check_run.hpp).
EXPECTED = {
    "line-100k": ["inconclusive", "conforms"],
    "rcpt-before-mail": ["VIOLATES should", "inconclusive"],
    "smuggling-cr-dot-cr": ["VIOLATES must", "conforms"],
    "smuggling-lf-dot-lf": ["conforms", "EXPLOITABLE must"],
    "starttls-twice": ["n/a", "conforms"],
    "ehlo-colon": ["VIOLATES lenient", "conforms"],
}
CATEGORIES = ["limits", "sequencing", "smuggling", "starttls", "syntax"]
TARGETS = ["127.0.0.1:2525", "127.0.0.1:2526"]

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}")


def rgb(css):
    """'rgb(207, 233, 213)' or 'rgba(...)' -> (207, 233, 213, alpha)."""
    inside = css[css.index("(") + 1 : css.index(")")]
    parts = [float(p) for p in inside.split(",")]
    return tuple(parts[:3]) + ((parts[3],) if len(parts) == 4 else (1.0,))


def no_alert(driver, when):
    try:
        text = driver.switch_to.alert.text
        failures.append(f"an alert ({text!r}) {when}")
        print(f"FAIL: an alert ({text!r}) {when}")
    except NoAlertPresentException:
        pass


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    page = os.path.abspath(sys.argv[1])
    if not os.path.isfile(page):
        print(f"no page at {page}: run the doctest case first (EHLO_CHECK_HTML_OUT)")
        return 1
    if not os.access(CHROMIUM, os.X_OK):
        skip("chromium is not installed")
    if not os.access(DRIVER, os.X_OK):
        skip("chromium-driver is not installed")
    shots = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="ehlo-check-html-")
    os.makedirs(shots, exist_ok=True)

    profile = tempfile.mkdtemp(prefix="ehlo-chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get("file://" + page)
        no_alert(driver, "when the page loaded")

        # Totals per target, at the top.
        cards = driver.find_elements(By.CSS_SELECTOR, ".targets .target")
        check([c.find_element(By.TAG_NAME, "h2").text for c in cards] == TARGETS, "a card per target, in order")
        check("3 violate (1 must, 1 should, 1 lenient)" in cards[0].text, "the first target's violations by severity")
        check("1 exploitable" in cards[1].text and "4 conform" in cards[1].text, "the second target's counts")

        # The matrix: category rows in order, a row per probe, a column per target.
        heads = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "table.matrix thead th.target-col")]
        check(heads == TARGETS, f"a column per target: {heads}")
        cats = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "tr.category th")]
        check(cats == CATEGORIES, f"categories in order: {cats}")
        colours = {}
        for row in driver.find_elements(By.CSS_SELECTOR, "table.matrix tbody tr:not(.category)"):
            probe = row.find_element(By.CSS_SELECTOR, "td.id").text
            cells = row.find_elements(By.CSS_SELECTOR, "td.verdict")
            words = [c.text for c in cells]
            check(words == EXPECTED.get(probe), f"{probe}: cells say {words}, expected {EXPECTED.get(probe)}")
            for cell in cells:
                verdict = cell.get_attribute("data-verdict")
                colour = rgb(cell.value_of_css_property("background-color"))
                colours.setdefault(verdict, set()).add(colour)
        check(set(colours) == {"conforms", "violates", "exploitable", "inconclusive", "not-applicable"},
              f"every verdict shown: {sorted(colours)}")
        for verdict, seen in colours.items():
            check(len(seen) == 1, f"{verdict}: one colour, not {seen}")
            check(all(c[3] == 1.0 and c[:3] != (255, 255, 255) for c in seen), f"{verdict}: a colour of its own")
        firsts = {v: next(iter(c)) for v, c in colours.items()}
        check(len(set(firsts.values())) == len(firsts), f"a different colour per verdict: {firsts}")
        g = firsts.get("conforms", (0, 0, 0, 1))
        r = firsts.get("violates", (0, 0, 0, 1))
        check(g[1] > g[0] and g[1] > g[2], f"conforms is green: {g}")
        check(r[0] > r[1] and r[0] > r[2], f"violates is red: {r}")
        legend = driver.find_element(By.ID, "legend").text
        for word in ("conforms", "VIOLATES", "EXPLOITABLE", "inconclusive", "n/a"):
            check(word in legend, f"the legend has {word}")

        # No panel open yet.
        check(not any(p.is_displayed() for p in driver.find_elements(By.CSS_SELECTOR, "section.detail")),
              "no panel shown before a click")

        # The exploitable cell (smuggling-lf-dot-lf on the second target) opens its transcript.
        cell = driver.find_element(By.CSS_SELECTOR, "td.v-exploitable a")
        cell.click()
        panel = driver.find_element(By.ID, cell.get_attribute("href").split("#", 1)[1])
        WebDriverWait(driver, 10).until(lambda d: panel.is_displayed())
        check(panel.is_displayed(), "a click on a cell shows its panel")
        check("smuggling-lf-dot-lf" in panel.text and "127.0.0.1:2526" in panel.text, "the panel names probe and target")
        pre = panel.find_element(By.CSS_SELECTOR, "pre.transcript").text
        check("S: 220 mx.example <script>alert(1)</script> ESMTP" in pre, "the transcript shows the script as text")
        check('<img src=x onerror="window.ehloPwned=1">' in pre, "the onerror handler shown as text")
        check("</pre></section><script>window.ehloPwned=2</script>" in pre, "the end of </pre> shown as text")
        check("ESC[31mred" in pre and "NUL nul" in pre and "\ufffd" in pre, "ESC and NUL named, bad UTF-8 as U+FFFD")
        check([e.text for e in panel.find_elements(By.CSS_SELECTOR, "pre .ctl")] == ["ESC", "ESC", "NUL"],
              "the control characters marked")
        check("after the look-alike <i>250 twice</i>" in panel.text, "markup in why shown as text")
        check(cell.get_attribute("class") == "selected", "the page's own script marked the chosen cell")
        no_alert(driver, "after opening the hostile transcript")
        check(driver.execute_script("return typeof window.ehloPwned") == "undefined", "no script from the transcript ran")
        check(len(driver.find_elements(By.TAG_NAME, "script")) == 1, "one script element: the page's own")
        check(len(driver.find_elements(By.CSS_SELECTOR, "img, b, i, pre script")) == 0, "no element from the transcript")
        check(driver.execute_script("return performance.getEntriesByType('resource').length") == 0, "nothing fetched")
        driver.save_screenshot(os.path.join(shots, "check-html-exploitable.png"))

        # Another cell: its panel instead.
        other = driver.find_element(By.CSS_SELECTOR, "td.v-violates a")
        other.click()
        other_panel = driver.find_element(By.ID, other.get_attribute("href").split("#", 1)[1])
        WebDriverWait(driver, 10).until(lambda d: other_panel.is_displayed())
        check(not panel.is_displayed(), "the first panel closed when another cell was clicked")
        check("it accepted RCPT before MAIL" in other_panel.text, "the second panel says why")

        # Escape closes it (the script), back to its cell.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        WebDriverWait(driver, 10).until(lambda d: not other_panel.is_displayed())
        check(not other_panel.is_displayed(), "Escape closes the panel")
        driver.save_screenshot(os.path.join(shots, "check-html-matrix.png"))
        no_alert(driver, "at the end")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)

    print(f"screenshots in {shots}")
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print("the page reads as it should")
    return 0


if __name__ == "__main__":
    sys.exit(main())
