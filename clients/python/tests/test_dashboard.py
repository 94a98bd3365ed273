"""The dashboard page of a real rw-server, loaded in a real headless Chromium (Selenium with Debian's chromium and
chromium-driver): trainers drive runs over gRPC, and the page must list them and draw exactly the points the
HTTP API serves, then follow new steps live (server-sent events) without a reload.

Without Chromium these tests are skipped, unless RW_REQUIRE_BROWSER=1 (CI sets it), which makes a missing browser
a failure. RW_DASHBOARD_SCREENSHOTS names the directory to save the screenshots in (dashboard-gradient.png and
dashboard-hypervolume.png; default: the server's tmp directory).
"""

import json
import os
import pathlib
import time
import urllib.error
import urllib.request
import uuid

import numpy as np
import pytest

from rewardweighting.server import LocalServer

from browser import headless_chromium

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]
STEPS = 30


@pytest.fixture(scope="module")
def browser():
    with headless_chromium(["--window-size=1500,1250", "--force-device-scale-factor=1"]) as driver:
        yield driver


def _get_json(server, path):
    with urllib.request.urlopen(server.http_url + path, timeout=10) as response:
        return json.loads(response.read())


def _wait(driver, condition, what, timeout=30.0):
    """Polls `condition(driver)` until it returns a true value, which it returns."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition(driver)
        except Exception as error:  # the page may still be loading
            last = error
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def _drawn(driver):
    return driver.execute_script("return window.rwDashboard && window.rwDashboard.drawn")


def _train(run, method, steps, rng, start=1):
    """What a trainer sends per step: a Scalarize batch of 16 responses, its Gram matrix (gradient method) and a
    checkpoint every 5 steps (hypervolume method), with accuracy and clarity improving and length shrinking."""
    for step in range(start, start + steps):
        progress = step / (STEPS + 10)
        accuracy = np.clip(rng.normal(0.35 + 0.4 * progress, 0.15, 16), 0, 1)
        length = rng.normal(420 - 150 * progress, 40, 16)
        clarity = np.clip(rng.normal(0.5 + 0.2 * np.sin(step / 4), 0.1, 16), 0, 1)
        run.scalarize(step, np.stack([accuracy, length, clarity], axis=1))
        if method == "gradient":
            gradients = rng.normal(size=(3, 64))
            gradients[1] -= 0.6 * gradients[0]  # length conflicts with accuracy
            gradients[2] += 0.4 * gradients[0]  # clarity agrees with it
            run.report_gradients(step, gradients @ gradients.T / 64)
        if method == "hypervolume" and step % 5 == 0:
            run.report_checkpoint(step, [accuracy.mean(), length.mean(), clarity.mean()])


def _expected_series(history, key):
    """The [[step, value], …] per objective the page must draw for history rows' `key`."""
    rows = [row for row in history["rows"] if row[key] is not None]
    return [[[row["step"], row[key][j]] for row in rows] for j in range(len(history["objectives"]))]


def _check_page_matches_api(driver, server, run_id, method):
    last_sequence = _get_json(server, f"/v1/runs/{run_id}")["last_sequence"]
    history = _get_json(server, f"/v1/runs/{run_id}/history")
    front = _get_json(server, f"/v1/runs/{run_id}/front")
    last_step = history["rows"][-1]["step"]

    expected_weights = _expected_series(history, "weights")

    def ready(d):
        # Every event redrawn: the page shows the run at the API's last sequence (it reads the run before the
        # history and front), and a step's row drawn between two of its events has been redrawn since.
        shown = d.execute_script("return window.rwDashboard.run && "
                                 "[window.rwDashboard.run.run_id, window.rwDashboard.run.last_sequence]")
        drawn = _drawn(d)
        weights = drawn and drawn.get("weights")
        done = shown == [run_id, last_sequence] and weights \
            and [set["data"] for set in weights["datasets"]] == expected_weights
        return drawn if done else None

    drawn = _wait(driver, ready, f"the page to draw {run_id} up to step {last_step}")
    assert [d["data"] for d in drawn["weights"]["datasets"]] == expected_weights
    assert [d["label"] for d in drawn["weights"]["datasets"]] == history["objectives"]
    rewards = [d["data"] for d in drawn["rewards"]["datasets"]]
    assert rewards == _expected_series(history, "reward_means")
    assert rewards[0], "no reward means were drawn"
    checkpoints = [row for row in history["rows"] if row["r_pareto"] is not None]
    meta = {d["label"]: d["data"] for d in drawn["meta"]["datasets"]}
    assert meta["r_pareto"] == [[row["step"], row["r_pareto"]] for row in checkpoints]
    assert meta["ΔHV"] == [[row["step"], row["delta_hypervolume"]] for row in checkpoints]
    buffer = drawn["front"]["datasets"][0]["data"]
    assert buffer == [[p["scores"][0], p["scores"][1]] for p in front["points"]]
    if method == "hypervolume":
        assert len(checkpoints) == STEPS // 5 and len(buffer) >= 1
    latest_cosines = [row["cosines"] for row in history["rows"] if row["cosines"] is not None]
    if method == "gradient":
        assert drawn["conflict"]["cosines"] == latest_cosines[-1]
        latest_ratios = [row["gradient_norm_ratios"] for row in history["rows"] if row["cosines"] is not None][-1]
        assert drawn["conflict"]["norm_ratios"] == latest_ratios and max(latest_ratios) == 1.0
        cells = driver.find_elements("css selector", "#conflict td")
        assert len(cells) == 9 + 3  # the K×K cosines, then the K norm ratios
        ratio_cells = driver.find_elements("css selector", "#conflict tr.norm-ratios td")
        assert [float(c.get_attribute("data-value")) for c in ratio_cells] == latest_ratios
    else:
        assert drawn["conflict"] is None
    return drawn


def _screenshot(driver, server, name):
    directory = pathlib.Path(os.environ.get("RW_DASHBOARD_SCREENSHOTS") or server._tmp.name)
    directory.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(directory / name))
    assert (directory / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_dashboard_lists_runs_and_draws_their_data_live(browser, client, server):
    rng = np.random.default_rng(11)
    suffix = uuid.uuid4().hex[:6]
    runs = {}
    for method in ("fixed", "gradient", "hypervolume"):
        options = {"weights": [0.5, 0.25, 0.25]}
        if method == "gradient":
            options.update(eta=1e-4, mu=1e-3, schedule="polynomial", total_steps=STEPS + 10)
        runs[method] = client.create_run(f"qwen3-math-{method}-{suffix}", OBJECTIVES, method=method, **options)
        _train(runs[method], method, STEPS, rng)

    browser.get(server.http_url + "/#run=" + runs["hypervolume"].run_id)
    renderer = _wait(browser, lambda d: d.execute_script("return window.rwDashboard.renderer"), "the page script")
    assert renderer.startswith("chart.js"), "the server did not find Chart.js (install libjs-chart.js)"
    # The run list: every run with its status and method.
    for method, run in runs.items():
        # The list is redrawn every poll: read the row's cells in one script, not through element handles.
        script = ("const row = document.querySelector(`#runs tr[data-run-id=\"${arguments[0]}\"]`);"
                  "return row && [...row.cells].map((cell) => cell.textContent);")
        cells = _wait(browser, lambda d: d.execute_script(script, run.run_id), f"{run.run_id} in the run list")
        assert cells[1:5] == ["active", method, "3", str(STEPS)]
    for method in ("hypervolume", "fixed", "gradient"):
        browser.get(server.http_url + "/#run=" + runs[method].run_id)
        drawn = _check_page_matches_api(browser, server, runs[method].run_id, method)
        assert all(chart["renderer"] == "chart" for name, chart in drawn.items() if name != "conflict")
        assert browser.find_elements("css selector", "#weights-figure canvas")
        if method == "hypervolume":
            _screenshot(browser, server, "dashboard-hypervolume.png")

    # Live: the gradient run is open; 5 more steps arrive over gRPC and the page redraws without a reload.
    marker = browser.execute_script("window.rwDashboardMarker = 42; return window.rwDashboard.eventsReceived")
    _train(runs["gradient"], "gradient", 5, rng, start=STEPS + 1)
    _check_page_matches_api(browser, server, runs["gradient"].run_id, "gradient")
    assert browser.execute_script("return window.rwDashboardMarker") == 42  # the same page, not reloaded
    assert browser.execute_script("return window.rwDashboard.eventsReceived") >= marker + 10
    assert browser.execute_script("return window.rwDashboard.lastEventSequence") == runs["gradient"].state.last_sequence

    _screenshot(browser, server, "dashboard-gradient.png")


def test_without_chart_js_the_dashboard_draws_tables(browser, rw_server_binary, tmp_path):
    missing = tmp_path / "no-chart.js"
    with LocalServer(rw_server_binary, extra_args=["--dashboard-chart-js", str(missing)]) as server:
        from rewardweighting import RewardWeighting

        with RewardWeighting(server.address) as client:
            run = client.create_run("tables", OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, total_steps=20)
            _train(run, "gradient", 6, np.random.default_rng(3))
            browser.get(server.http_url + "/#run=tables")
            assert _wait(browser, lambda d: d.execute_script("return window.rwDashboard.renderer"), "the script") \
                == "tables"
            drawn = _check_page_matches_api(browser, server, "tables", "gradient")
            assert drawn["weights"]["renderer"] == "table"
            rows = browser.find_elements("css selector", "#weights-figure table.fallback tr")
            assert len(rows) == 1 + 6  # a header and one row per step
            assert not browser.find_elements("css selector", "canvas")
        with urllib.request.urlopen(server.http_url + "/dashboard/index.html", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/html")
        try:
            urllib.request.urlopen(server.http_url + "/dashboard/chart.js", timeout=10)
            raise AssertionError("chart.js was served")
        except urllib.error.HTTPError as error:
            assert error.code == 404 and "libjs-chart.js" in json.loads(error.read())["detail"]
