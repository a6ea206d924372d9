#!/usr/bin/env python3
"""The HTML report of `ehlo load` as a person sees it, in headless Chromium.

Usage: load_html_browser.py PAGE_FOLDER [SCREENSHOT_DIR]

PAGE_FOLDER holds load.html and load.json, the sample run of
tests/report/sample_load_run.hpp (60 s: a ramp to 800 sessions/s, a dip with
errors and a latency spike at 35-40 s; two causes of failure, one of them
hostile text) written by the doctest case "load html: the sample page for the
browser". The test reads what the page draws against the JSON: a line per
series with a point per second where the figures put them (the ramp climbs,
the dip dips, the spike rises, p50 <= p90 <= p99 everywhere), a histogram per
step whose bars hold every sample, the table of percentiles, the causes with
their examples as text (no script run, no element made, nothing fetched). It
takes screenshots (to SCREENSHOT_DIR, or a temporary folder). Exit 77
(skipped) when Chromium, its driver or Selenium is missing
(scripts/install-deps.sh --peers installs them).
"""

import json
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
except ImportError:
    skip("python3-selenium is not installed")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}")


def points(polyline):
    """The (x, y) pixels of an SVG polyline."""
    return [tuple(float(v) for v in p.split(",")) for p in polyline.get_attribute("points").split()]


def series_line(svg, name):
    lines = [p for p in svg.find_elements(By.CSS_SELECTOR, "polyline") if p.get_attribute("data-series") == name]
    check(len(lines) == 1, f"one line '{name}' (found {len(lines)})")
    return lines[0] if lines else None


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    folder = os.path.abspath(sys.argv[1])
    page = os.path.join(folder, "load.html")
    if not os.path.isfile(page):
        print(f"no page at {page}: run the doctest case first (EHLO_LOAD_HTML_OUT)")
        return 1
    with open(os.path.join(folder, "load.json"), encoding="utf-8") as f:
        report = json.load(f)
    if not os.access(CHROMIUM, os.X_OK):
        skip("chromium is not installed")
    if not os.access(DRIVER, os.X_OK):
        skip("chromium-driver is not installed")
    shots = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="ehlo-load-html-")
    os.makedirs(shots, exist_ok=True)
    series = report["series"]
    steps = report["steps"]

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
        try:
            text = driver.switch_to.alert.text
            check(False, f"an alert ({text!r}) when the page loaded")
        except NoAlertPresentException:
            pass

        # The cards: the totals of the JSON.
        def card(name):
            return driver.find_element(By.CSS_SELECTOR, f"#card-{name} .big").text
        totals = report["totals"]
        check(card("sessions") == str(totals["sessions_passed"]), f"sessions card: {card('sessions')}")
        check(card("messages") == str(totals["messages"]), f"messages card: {card('messages')}")
        check(card("errors") == str(totals["errors"]), f"errors card: {card('errors')}")
        check("starttls <b>bold</b>.json" in driver.find_element(By.ID, "run").text, "a scenario's name as text")

        # Throughput: three lines, a point per second, where the figures put them.
        svg = driver.find_element(By.ID, "throughput-chart")
        box = [float(v) for v in driver.execute_script("return arguments[0].getAttribute('viewBox')", svg).split()]
        lines = {n: series_line(svg, n) for n in ("sessions/s", "messages/s", "errors/s")}
        for name, line in lines.items():
            if line is None:
                continue
            pts = points(line)
            check(len(pts) == len(series) == int(line.get_attribute("data-points")),
                  f"{name}: {len(pts)} points for {len(series)} seconds")
            check(all(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in pts), f"{name}: inside the chart")
            check(all(a[0] < b[0] for a, b in zip(pts, pts[1:])), f"{name}: left to right in time")
            check(line.is_displayed() and line.size["width"] > 500, f"{name}: drawn across the chart")
        sessions = points(lines["sessions/s"])
        errors = points(lines["errors/s"])
        # Higher is more: y decreases while the rate climbs (seconds 0-9), then holds.
        check(all(b[1] < a[1] for a, b in zip(sessions[:10], sessions[1:10])), "the ramp climbs")
        check(abs(sessions[20][1] - sessions[30][1]) < 0.5, "the rate holds between 20 s and 30 s")
        check(sessions[37][1] > sessions[30][1] + 10, "the dip dips at 37 s")
        check(errors[37][1] < errors[30][1] - 10, "the errors rise at 37 s")
        legend = svg.find_element(By.CSS_SELECTOR, "g.legend").text
        for word in ("sessions/s", "messages/s", "errors/s"):
            check(word in legend, f"the throughput legend has {word}")
        yticks = [t.text for t in svg.find_elements(By.CSS_SELECTOR, "text.ytick")]
        check(len(yticks) >= 3 and yticks[0] == "0", f"the rate axis is labelled from 0: {yticks}")

        # Latency over time: p50 <= p90 <= p99 <= max at every second (smaller y is more), the spike rises.
        svg = driver.find_element(By.ID, "latency-chart")
        lat = {n: points(series_line(svg, n)) for n in ("p50", "p90", "p99", "max")}
        timed = [p for p in series if p["timed"] > 0]
        check(all(len(v) == len(timed) for v in lat.values()), "a latency point per second with sessions")
        check(all(lat["p50"][i][1] >= lat["p90"][i][1] - 0.2 >= lat["p99"][i][1] - 0.4 >= lat["max"][i][1] - 0.6
                  for i in range(len(timed))), "p50 <= p90 <= p99 <= max everywhere")
        check(lat["p50"][37][1] < lat["p50"][20][1] - 20, "the latency spike rises at 37 s")
        yticks = [t.text for t in svg.find_elements(By.CSS_SELECTOR, "text.ytick")]
        check(any(t.endswith("ms") for t in yticks), f"the latency axis in ms: {yticks}")

        # A histogram per step, its bars holding every sample; the table of percentiles.
        figures = driver.find_elements(By.CSS_SELECTOR, "figure.hist")
        check([f.get_attribute("data-step") for f in figures] == list(steps), "a histogram per step, in order")
        for f in figures:
            name = f.get_attribute("data-step")
            bars = f.find_elements(By.CSS_SELECTOR, "rect.bar")
            total = sum(int(b.get_attribute("data-count")) for b in bars)
            check(total == steps[name]["count"], f"{name}: the bars hold {total} of {steps[name]['count']}")
            check(len(bars) >= 5, f"{name}: {len(bars)} bars")
            check(all(b.size["height"] >= 0 for b in bars), f"{name}: bars drawn")
            check(len(f.find_elements(By.CSS_SELECTOR, "line.mark-p50")) == 1 and
                  len(f.find_elements(By.CSS_SELECTOR, "line.mark-p99")) == 1, f"{name}: p50 and p99 marked")
            check(f"{steps[name]['count']} timed" in f.find_element(By.TAG_NAME, "figcaption").text,
                  f"{name}: the caption counts")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.steps tbody tr")
        check([r.get_attribute("data-step") for r in rows] == list(steps), "a row per step")
        for r in rows:
            cells = [c.text for c in r.find_elements(By.TAG_NAME, "td")]
            check(cells[1] == str(steps[cells[0]]["count"]), f"{cells[0]}: the count in the table")

        # Errors: the causes and their examples as text.
        causes = driver.find_elements(By.CSS_SELECTOR, "table.errors tbody tr")
        check(len(causes) == len(report["errors"]), f"a row per cause: {len(causes)}")
        check(any("timeout at steps/2 (reply to EHLO) <script>alert(1)</script>" in c.text for c in causes),
              "the hostile cause shown as text")
        for d in driver.find_elements(By.CSS_SELECTOR, "table.errors details"):
            d.find_element(By.TAG_NAME, "summary").click()
        pres = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "table.errors details pre")]
        check(any('<img src=x onerror="window.ehloPwned=1">' in p and "ESC[31mred" in p for p in pres),
              "the hostile example shown as text, ESC named")
        check(any("S: 452 4.5.3 Too many recipients" in p for p in pres), "the example's transcript")
        check(driver.execute_script("return typeof window.ehloPwned") == "undefined", "no script from a server ran")
        check(len(driver.find_elements(By.CSS_SELECTOR, "script, img, b")) == 0, "no element from a server")
        check(driver.execute_script("return performance.getEntriesByType('resource').length") == 0, "nothing fetched")
        findings = driver.find_element(By.CSS_SELECTOR, "table.findings").text
        check("5321-4.2-b" in findings, "the findings by rule")

        driver.execute_script("window.scrollTo(0, 0)")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1400, min(height + 100, 6000))
        driver.save_screenshot(os.path.join(shots, "load-html.png"))
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
