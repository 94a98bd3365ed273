"""The dashboard against a real rw-server with bearer tokens (--auth-tokens), in a real headless Chromium (Selenium
with Debian's chromium and chromium-driver, as test_dashboard.py): the page asks for a token when /v1 answers 401,
keeps it in sessionStorage, sends it on every fetch (Authorization: Bearer) and on the EventSource URL
(access_token=), shows a refused token's problem again in the form, shows a 403 as an error, and forgets the token
on "Sign out". On an open server it never asks.

Without Chromium these tests are skipped, unless RW_REQUIRE_BROWSER=1 (CI sets it).
"""

import hashlib
import json
import signal
import time
import urllib.error
import urllib.request
import uuid

import numpy as np
import pytest

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer

from browser import headless_chromium

OBJECTIVES = [("accuracy", "max"), ("length", "min")]
TOKENS = {
    # name: (token, tenant, role)
    "team-a-viewer": ("viewer-" + uuid.uuid4().hex, "team-a", "viewer"),
    "team-a-trainer": ("trainer-" + uuid.uuid4().hex, "team-a", "trainer"),
    "team-b-trainer": ("trainer-b-" + uuid.uuid4().hex, "team-b", "trainer"),
    "ops-admin": ("admin-" + uuid.uuid4().hex, "ops", "admin"),
}
STORAGE_KEY = "rw-dashboard-token"


def _token(name):
    return TOKENS[name][0]


def _write_token_file(path, names):
    lines = ["tokens:"]
    for name in names:
        token, tenant, role = TOKENS[name]
        lines += [f"  - name: {name}", f"    sha256: {hashlib.sha256(token.encode()).hexdigest()}",
                  f"    tenant: {tenant}", f"    role: {role}"]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def browser():
    with headless_chromium(["--window-size=1300,1000"]) as driver:
        yield driver


@pytest.fixture(scope="module")
def auth_server(rw_server_binary, tmp_path_factory):
    """An rw-server that requires tokens: every token above."""
    token_file = tmp_path_factory.mktemp("auth") / "tokens.yaml"
    _write_token_file(token_file, TOKENS)
    with LocalServer(rw_server_binary, extra_args=["--auth-tokens", str(token_file)]) as server:
        server.token_file = token_file
        yield server


@pytest.fixture(scope="module")
def team_a_run(auth_server):
    """A team-a run with 5 steps, created over gRPC with team-a's trainer token (and a team-b run next to it)."""
    rng = np.random.default_rng(5)
    suffix = uuid.uuid4().hex[:6]
    with RewardWeighting(auth_server.address, token=_token("team-b-trainer")) as other:
        other.create_run(f"team-b-run-{suffix}", OBJECTIVES, method="fixed", weights=[0.5, 0.5])
    client = RewardWeighting(auth_server.address, token=_token("team-a-trainer"))
    run = client.create_run(f"team-a-run-{suffix}", OBJECTIVES, method="fixed", weights=[0.7, 0.3])
    for step in range(1, 6):
        run.scalarize(step, _rewards(rng))
    run.other_run_id = f"team-b-run-{suffix}"
    run.next_step = 6
    run.rng = rng
    try:
        yield run
    finally:
        client.close()


def _rewards(rng):
    return np.stack([rng.uniform(0, 1, 8), rng.normal(300, 30, 8)], axis=1)


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


# What the page shows, read in one script (the page redraws under element handles).
_STATE = """
const shown = (id) => { const e = document.getElementById(id); return Boolean(e) && !e.hidden && e.offsetParent !== null; };
const input = document.getElementById("access-token");
return {
  signIn: shown("sign-in"),
  detail: document.getElementById("sign-in-detail").textContent,
  error: shown("error") ? document.getElementById("error").textContent : null,
  signOut: shown("sign-out"),
  runsPanel: shown("runs-panel"),
  runs: [...document.querySelectorAll("#runs tbody tr")].map((row) => row.dataset.runId),
  selected: window.rwDashboard.run && window.rwDashboard.run.run_id,
  connection: document.getElementById("connection").textContent,
  focused: document.activeElement === input,
  stored: sessionStorage.getItem(arguments[0]),
  local: Object.keys(localStorage).map((key) => localStorage.getItem(key)),
  hash: location.hash,
};
"""


def _state(driver):
    return driver.execute_script(_STATE, STORAGE_KEY)


def _sign_in_shown(detail_part):
    def condition(driver):
        state = _state(driver)
        return state if state["signIn"] and detail_part in state["detail"] else None
    return condition


def _listed(run_id):
    def condition(driver):
        state = _state(driver)
        return state if run_id in state["runs"] else None
    return condition


def _enter_token(driver, token):
    field = driver.find_element("css selector", "#sign-in-form input#access-token")
    field.clear()
    field.send_keys(token)
    driver.find_element("css selector", "#sign-in-form button[type=submit]").click()


def _open(driver, server, path="/"):
    """A fresh load of the page at `path` in this tab with no token stored: the tab's sessionStorage for the
    server's origin is cleared from another document of that origin first (a load, not a fragment change)."""
    driver.get(server.http_url + "/healthz")
    driver.execute_script("sessionStorage.clear()")
    driver.get(server.http_url + path)


def _get(server, path, headers=None):
    request = urllib.request.Request(server.http_url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_the_server_asks_for_a_bearer_token(auth_server, team_a_run):
    status, headers, problem = _get(auth_server, "/v1/runs")
    assert status == 401 and problem["code"] == "UNAUTHENTICATED" and problem["field"] == "authorization"
    assert headers["WWW-Authenticate"].startswith("Bearer")
    status, _, page = _get(auth_server, "/v1/runs?access_token=" + _token("team-a-viewer"))
    assert status == 200 and [run["run_id"] for run in page["runs"]] == [team_a_run.run_id]
    with urllib.request.urlopen(auth_server.http_url + "/", timeout=10) as response:
        assert response.status == 200  # the page itself needs no token


def test_the_dashboard_signs_in_with_a_token_and_follows_the_run_live(browser, auth_server, team_a_run):
    _open(browser, auth_server)

    # The 401 of /v1/runs: the sign-in form with the problem's detail, focused, and nothing else.
    state = _wait(browser, _sign_in_shown("a bearer token is required"), "the sign-in form")
    assert not state["runsPanel"] and not state["signOut"] and state["runs"] == []
    assert state["focused"], "the token field should have the focus"
    assert browser.execute_script(
        "const input = document.getElementById('access-token');"
        "return [input.type, input.required, input.labels.length && input.labels[0].textContent.trim(),"
        " input.getAttribute('aria-describedby').split(' ').includes('sign-in-detail')]"
    ) == ["password", True, "Access token", True]
    assert browser.execute_script("return document.getElementById('sign-in-detail').getAttribute('role')") == "alert"

    # A wrong token: the form again, with the server's reason; the token is not kept.
    _enter_token(browser, "not-a-token")
    state = _wait(browser, _sign_in_shown("is not a token this server accepts"), "the form after a wrong token")
    assert state["stored"] is None and not state["signOut"]
    assert browser.execute_script("return document.getElementById('access-token').value") == ""

    # The viewer's token: team-a's run is listed (not team-b's), the token is in sessionStorage only.
    viewer = _token("team-a-viewer")
    _enter_token(browser, viewer)
    state = _wait(browser, _listed(team_a_run.run_id), "team-a's run in the list")
    assert state["runs"] == [team_a_run.run_id], "another tenant's run is listed"
    assert not state["signIn"] and state["signOut"] and state["error"] is None
    assert state["stored"] == viewer
    assert viewer not in state["local"], "the token must not be in localStorage"
    cells = browser.execute_script(
        "return [...document.querySelector(`#runs tr[data-run-id=\"${arguments[0]}\"]`).cells]"
        ".map((cell) => cell.textContent)", team_a_run.run_id)
    assert cells[1:5] == ["active", "fixed", "2", "5"]

    # Live: the page's EventSource (access_token=) delivers a new Scalarize to the page, which redraws.
    _wait(browser, lambda d: _state(d)["connection"] == "live: " + team_a_run.run_id, "the event stream to open")
    received = browser.execute_script("window.rwDashboardMarker = 7; return window.rwDashboard.eventsReceived")
    step = team_a_run.next_step
    team_a_run.next_step += 1
    team_a_run.scalarize(step, _rewards(team_a_run.rng))
    last_sequence = team_a_run.state.last_sequence
    shown = _wait(browser, lambda d: d.execute_script(
        "const r = window.rwDashboard;"
        "return r.lastEventSequence === arguments[0] && r.run && r.run.last_sequence === arguments[0] &&"
        " [r.eventsReceived, r.run.last_steps.scalarize]", last_sequence), "the new event on the page")
    assert shown[0] >= received + 1 and shown[1] == step
    assert browser.execute_script("return window.rwDashboardMarker") == 7  # the same page, not reloaded
    assert [point[0] for point in browser.execute_script(
        "return window.rwDashboard.drawn.weights.datasets[0].data")] == list(range(1, step + 1))

    # A reload keeps the tab signed in (sessionStorage).
    browser.refresh()
    state = _wait(browser, _listed(team_a_run.run_id), "the run list after a reload")
    assert not state["signIn"] and state["stored"] == viewer

    # Sign out: the token is forgotten, the runs are gone, the form is back.
    browser.find_element("css selector", "#sign-out").click()
    state = _wait(browser, _sign_in_shown("a bearer token is required"), "the sign-in form after signing out")
    assert state["stored"] is None and state["runs"] == [] and not state["runsPanel"] and not state["signOut"]
    assert state["selected"] is None


def test_a_link_may_carry_the_token_once(browser, auth_server, team_a_run):
    viewer = _token("team-a-viewer")
    _open(browser, auth_server, f"/#token={viewer}&run={team_a_run.run_id}")
    state = _wait(browser, lambda d: (lambda s: s if s["selected"] == team_a_run.run_id else None)(_state(d)),
                  "the linked run")
    assert state["hash"] == "#run=" + team_a_run.run_id
    assert state["stored"] == viewer and not state["signIn"]
    assert viewer not in browser.execute_script("return location.href + JSON.stringify(history.state)")
    browser.find_element("css selector", "#sign-out").click()
    _wait(browser, _sign_in_shown("a bearer token is required"), "the sign-in form after signing out")


def test_a_forbidden_tenant_shows_the_problem_and_an_admin_may_name_a_tenant(browser, auth_server, team_a_run):
    # A viewer naming another tenant (rw-tenant, from #tenant=): 403, shown as an error, not as a sign-in.
    viewer = _token("team-a-viewer")
    _open(browser, auth_server, f"/#tenant=team-b&token={viewer}")
    state = _wait(browser, lambda d: (lambda s: s if s["error"] else None)(_state(d)), "the 403's error")
    assert "rw-tenant: a viewer token acts only in its own tenant" in state["error"]
    assert not state["signIn"] and state["signOut"] and state["runs"] == []

    # An admin reading team-a (#tenant=team-a): its run, opened and watched with rw-tenant.
    admin = _token("ops-admin")
    _open(browser, auth_server, f"/#tenant=team-a&token={admin}")
    state = _wait(browser, lambda d: (lambda s: s if s["selected"] == team_a_run.run_id else None)(_state(d)),
                  "team-a's run for the admin")
    assert state["runs"] == [team_a_run.run_id] and state["error"] is None
    assert state["hash"] == f"#tenant=team-a&run={team_a_run.run_id}"
    _wait(browser, lambda d: _state(d)["connection"] == "live: " + team_a_run.run_id, "the admin's event stream")
    browser.find_element("css selector", "#sign-out").click()
    _wait(browser, _sign_in_shown("a bearer token is required"), "the sign-in form after signing out")


def test_a_revoked_token_brings_the_form_back(browser, rw_server_binary, tmp_path):
    """The token file reloaded on SIGHUP without the viewer's token: the open page's next read answers 401."""
    token_file = tmp_path / "tokens.yaml"
    _write_token_file(token_file, ["team-a-viewer", "team-a-trainer"])
    with LocalServer(rw_server_binary, extra_args=["--auth-tokens", str(token_file)]) as server:
        with RewardWeighting(server.address, token=_token("team-a-trainer")) as client:
            run = client.create_run("revoked", OBJECTIVES, method="fixed", weights=[0.5, 0.5])
            run.scalarize(1, _rewards(np.random.default_rng(1)))
            _open(browser, server)
            _wait(browser, _sign_in_shown("a bearer token is required"), "the sign-in form")
            _enter_token(browser, _token("team-a-viewer"))
            _wait(browser, lambda d: _state(d)["connection"] == "live: revoked", "the event stream")

            _write_token_file(token_file, ["team-a-trainer"])
            server.process.send_signal(signal.SIGHUP)
            state = _wait(browser, _sign_in_shown("is not a token this server accepts"), "the form after revocation")
            assert state["stored"] is None and state["runs"] == [] and state["selected"] is None


def test_an_open_server_never_asks_for_a_token(browser, server, client):
    run_id = "open-" + uuid.uuid4().hex[:8]
    client.create_run(run_id, OBJECTIVES, method="fixed", weights=[0.5, 0.5])
    _open(browser, server, f"/#run={run_id}")
    state = _wait(browser, lambda d: (lambda s: s if s["selected"] == run_id else None)(_state(d)), "the run")
    assert not state["signIn"] and not state["signOut"] and state["error"] is None and state["stored"] is None
    assert state["runsPanel"] and state["hash"] == f"#run={run_id}"
