// The live dashboard of rw-server: the run list (polled from GET /v1/runs), and for the selected run its weights,
// reward means, r_pareto and ΔHV over steps, its Pareto buffer and its latest gradient cosines and norm ratios,
// redrawn whenever the run's server-sent event stream (GET /v1/runs/{id}/watch) delivers an event. Charts use Chart.js when the
// server found it (GET /dashboard/chart.js); otherwise every series is a plain table.
//
// What the page drew is exposed as window.rwDashboard.drawn (per chart: the renderer and the datasets as
// [x, y] pairs), so that a browser test can check the points against the API.
//
// A server with --auth-tokens answers 401 to /v1 requests without a token it accepts: the page then asks for one
// (the sign-in form), keeps it in sessionStorage (this tab only) and sends it as `Authorization: Bearer …` on
// every request and as `access_token=` on the EventSource URL (which cannot carry headers). A 403 is shown as an
// error. A link may carry the token once as `#token=…` (removed from the address as soon as the page reads it),
// and an admin may name the tenant to read as `#tenant=…` (sent as `rw-tenant`). An open server never answers
// 401, and the page never asks.
"use strict";

(function () {
  const palette = ["#2f6fdf", "#d9480f", "#2b8a3e", "#ae3ec9", "#e67700", "#0c8599", "#5c940d", "#c2255c"];
  const hasChart = typeof window.Chart === "function";
  const runListInterval = 2000;
  const refreshDelay = 150;
  const tokenKey = "rw-dashboard-token";

  const dashboard = {
    renderer: hasChart ? "chart.js " + window.Chart.version : "tables",
    runs: [],
    selected: null,
    run: null,
    history: null,
    front: null,
    drawn: {},
    eventsReceived: 0,
    lastEventSequence: 0,
    renders: 0,
  };
  window.rwDashboard = dashboard;

  const charts = {};
  let source = null;
  let refreshTimer = null;
  let refreshing = false;
  let refreshAgain = false;

  // The bearer token (null: none), mirrored in sessionStorage when the browser allows it; the tenant an admin
  // reads (#tenant=, null: its own); whether the sign-in form waits for a token; and a counter bumped at every
  // change of credentials: answers to requests sent before it are dropped.
  let token = readStoredToken();
  let tenant = null;
  let signInShown = false;
  let credentialsEpoch = 0;
  const errors = {};

  // MARK: - Data

  async function getJSON(path) {
    const sentToken = token;
    const response = await fetch(path, { cache: "no-store", headers: requestHeaders() });
    if (!response.ok) {
      let detail = String(response.status);
      try {
        detail = (await response.json()).detail || detail;
      } catch (_) {}
      const error = new Error(path + ": " + detail);
      error.status = response.status;
      error.detail = detail;
      error.token = sentToken;
      throw error;
    }
    return response.json();
  }

  function requestHeaders() {
    const headers = {};
    if (token) headers.Authorization = "Bearer " + token;
    if (tenant) headers["rw-tenant"] = tenant;
    return headers;
  }

  function runPath(runID) {
    return "/v1/runs/" + encodeURIComponent(runID);
  }

  function latestStep(run) {
    const steps = Object.values(run.last_steps).filter((step) => step !== null);
    return steps.length ? Math.max(...steps) : null;
  }

  function format(value, digits) {
    if (value === null || value === undefined) return "–";
    if (typeof value !== "number") return String(value);
    if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(digits || 3);
    return value.toFixed(digits === undefined ? 3 : digits);
  }

  function setConnection(state, text) {
    const element = document.getElementById("connection");
    element.dataset.state = state;
    element.textContent = text;
  }

  async function loadRuns() {
    if (signInShown) return; // until a token is entered
    const epoch = credentialsEpoch;
    try {
      const page = await getJSON("/v1/runs?page_size=1000");
      if (epoch !== credentialsEpoch) return;
      clearError("runs");
      document.getElementById("runs-panel").hidden = false;
      dashboard.runs = page.runs;
      renderRuns();
      const wanted = hashRunID();
      if (!dashboard.selected && page.runs.length) {
        select(page.runs.some((run) => run.run_id === wanted) ? wanted : page.runs[0].run_id);
      }
      if (!source) setConnection("live", "polling runs");
    } catch (error) {
      if (epoch !== credentialsEpoch || refused("runs", error)) return;
      setConnection("offline", "server unreachable (" + error.message + ")");
    }
  }

  function select(runID) {
    if (dashboard.selected === runID) return;
    dashboard.selected = runID;
    writeHash(runID);
    clearError("run");
    if (source) source.close();
    source = null;
    for (const name of Object.keys(charts)) {
      charts[name].destroy();
      delete charts[name];
    }
    dashboard.run = dashboard.history = dashboard.front = null;
    dashboard.drawn = {};
    renderRuns();
    refresh(); // and then watch
  }

  function watch(runID) {
    if (source !== null || dashboard.selected !== runID || !dashboard.run) return;
    const from = dashboard.run.last_sequence + 1;
    let url = runPath(runID) + "/watch?from_sequence=" + from;
    if (token) url += "&access_token=" + encodeURIComponent(token);
    if (tenant) url += "&rw-tenant=" + encodeURIComponent(tenant);
    const stream = new EventSource(url);
    source = stream;
    stream.onopen = () => setConnection("live", "live: " + runID);
    stream.onmessage = (message) => {
      const event = JSON.parse(message.data);
      dashboard.eventsReceived += 1;
      dashboard.lastEventSequence = event.sequence;
      if (event.kind === "archived") {
        stream.close();
        setConnection("live", runID + " archived");
      }
      scheduleRefresh();
    };
    // A problem event (shutdown, or this page fell behind) ends the stream; EventSource reconnects by itself,
    // resuming after the last event it got (Last-Event-ID).
    stream.addEventListener("problem", (message) => {
      setConnection("offline", "reconnecting: " + JSON.parse(message.data).detail);
    });
    stream.onerror = () => {
      if (stream.readyState !== EventSource.CLOSED) {
        setConnection("offline", "reconnecting…");
      } else if (source === stream) {
        // The browser gave up: the server answered other than 200 (401 when the token was revoked, 403, 404).
        // A read of the run says why (and asks for a token again on 401); then watch again.
        source = null;
        setConnection("offline", "event stream closed");
        const epoch = credentialsEpoch;
        setTimeout(() => {
          if (epoch === credentialsEpoch && source === null && dashboard.selected === runID) refresh();
        }, runListInterval);
      }
    };
  }

  function scheduleRefresh() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, refreshDelay);
  }

  async function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    const runID = dashboard.selected;
    if (runID === null) return;
    refreshing = true;
    const epoch = credentialsEpoch;
    try {
      // The run first: the history and front read after it are at least as recent as its last_sequence, so
      // what the page shows includes every event up to the sequence it displays.
      const run = await getJSON(runPath(runID));
      const [steps, front] = await Promise.all([
        getJSON(runPath(runID) + "/history"),
        getJSON(runPath(runID) + "/front"),
      ]);
      if (epoch === credentialsEpoch && runID === dashboard.selected) {
        clearError("run");
        dashboard.run = run;
        dashboard.history = steps;
        dashboard.front = front;
        // The run list shows the selected run as just read, without waiting for its next poll.
        dashboard.runs = dashboard.runs.map((listed) => (listed.run_id === run.run_id ? run : listed));
        renderRuns();
        renderRun();
        // The first read of a run (or the first since its stream closed) opens its event stream.
        if (source === null) watch(runID);
      }
    } catch (error) {
      if (epoch === credentialsEpoch && !refused("run", error)) setConnection("offline", error.message);
    } finally {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        scheduleRefresh();
      }
    }
  }

  // MARK: - Run list

  function renderRuns() {
    const body = document.querySelector("#runs tbody");
    body.replaceChildren();
    document.getElementById("no-runs").hidden = dashboard.runs.length > 0;
    for (const run of dashboard.runs) {
      const row = document.createElement("tr");
      row.dataset.runId = run.run_id;
      if (run.run_id === dashboard.selected) row.className = "selected";
      const cells = [
        run.run_id, run.status, run.method, String(run.objectives.length), format(latestStep(run), 0),
        run.weights.map((w) => format(w, 3)).join(" / "), format(run.r_pareto, 3),
        new Date(run.updated_at).toLocaleTimeString(),
      ];
      for (const text of cells) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.appendChild(cell);
      }
      row.addEventListener("click", () => select(run.run_id));
      body.appendChild(row);
    }
  }

  // MARK: - One run

  function renderRun() {
    const run = dashboard.run;
    const rows = dashboard.history.rows;
    const objectives = run.objectives;
    document.getElementById("run-panel").hidden = false;
    document.getElementById("run-title").textContent = run.run_id;
    document.getElementById("run-summary").textContent =
      run.method + " · " + run.status + " · step " + format(latestStep(run), 0) + " · r_pareto " +
      format(run.r_pareto) + " · buffer " + run.buffer_size + " · event " + run.last_sequence;

    const series = (filter, value) =>
      objectives.map((name, j) => ({
        label: name,
        data: rows.filter(filter).map((row) => ({ x: row.step, y: value(row)[j] })),
      }));
    draw("weights", "line", series(() => true, (row) => row.weights), { yTitle: "weight", min: 0, max: 1 });
    draw("rewards", "line", series((row) => row.reward_means !== null, (row) => row.reward_means), {
      separateAxes: true,
    });
    const checkpoints = rows.filter((row) => row.r_pareto !== null);
    draw("meta", "line", [
      { label: "r_pareto", data: checkpoints.map((row) => ({ x: row.step, y: row.r_pareto })), axis: "y0" },
      { label: "ΔHV", data: checkpoints.map((row) => ({ x: row.step, y: row.delta_hypervolume })), axis: "y1" },
    ], { separateAxes: true });
    renderFront();
    renderConflict(objectives, rows);
    // Only the hypervolume method has checkpoint decisions and a buffer; only gradient reports give cosines.
    const hypervolume = run.method === "hypervolume";
    document.getElementById("meta-figure").hidden = !hypervolume && checkpoints.length === 0;
    document.getElementById("front-figure").hidden = !hypervolume && dashboard.front.points.length === 0;
    document.getElementById("conflict-figure").hidden =
      run.method !== "gradient" && !rows.some((row) => row.cosines !== null);
    dashboard.renders += 1;
    document.body.dataset.renders = String(dashboard.renders);
  }

  function renderFront() {
    const front = dashboard.front;
    const objectives = front.objectives;
    const xSelect = document.getElementById("front-x");
    const ySelect = document.getElementById("front-y");
    if (xSelect.options.length !== objectives.length) {
      for (const select of [xSelect, ySelect]) {
        select.replaceChildren(...objectives.map((name, j) => new Option(name, String(j))));
        select.onchange = renderFront;
      }
      xSelect.value = "0";
      ySelect.value = String(Math.min(1, objectives.length - 1));
    }
    const x = Number(xSelect.value);
    const y = Number(ySelect.value);
    document.getElementById("front-hypervolume").textContent =
      "· HV " + format(front.hypervolume) + " · " + front.points.length +
      (front.points.length === 1 ? " point" : " points");
    const datasets = [{
      label: "buffer (" + objectives[x] + " × " + objectives[y] + ")",
      data: front.points.map((point) => ({ x: point.scores[x], y: point.scores[y], step: point.step })),
    }];
    if (front.reference_point) {
      datasets.push({
        label: "reference point",
        data: [{ x: front.reference_point[x], y: front.reference_point[y] }],
      });
    }
    draw("front", "scatter", datasets, { xTitle: objectives[x], yTitle: objectives[y], rebuild: true });
  }

  function renderConflict(objectives, rows) {
    const table = document.getElementById("conflict");
    const latest = rows.filter((row) => row.cosines !== null).pop();
    table.replaceChildren();
    document.getElementById("conflict-step").textContent = latest ? "at step " + latest.step : "(no gradients yet)";
    dashboard.drawn.conflict = latest
      ? {
          renderer: "heatmap",
          step: latest.step,
          cosines: latest.cosines,
          norm_ratios: latest.gradient_norm_ratios,
        }
      : null;
    if (!latest) return;
    const header = document.createElement("tr");
    header.appendChild(document.createElement("th"));
    for (const name of objectives) {
      const cell = document.createElement("th");
      cell.textContent = name;
      header.appendChild(cell);
    }
    table.appendChild(header);
    latest.cosines.forEach((values, i) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.textContent = objectives[i];
      row.appendChild(name);
      for (const value of values) {
        const cell = document.createElement("td");
        cell.textContent = value === null ? "–" : value.toFixed(2);
        cell.style.background = heat(value);
        cell.dataset.value = value === null ? "" : String(value);
        row.appendChild(cell);
      }
      table.appendChild(row);
    });
    // ‖∇J_i‖ / max_j ‖∇J_j‖: how much each objective's gradient weighs against the largest one.
    if (latest.gradient_norm_ratios) {
      const row = document.createElement("tr");
      row.className = "norm-ratios";
      const name = document.createElement("th");
      name.textContent = "‖∇J‖ / max";
      row.appendChild(name);
      for (const value of latest.gradient_norm_ratios) {
        const cell = document.createElement("td");
        cell.textContent = value.toFixed(2);
        cell.dataset.value = String(value);
        row.appendChild(cell);
      }
      table.appendChild(row);
    }
  }

  // Blue for agreeing gradients (cos → 1), white for orthogonal ones, red for conflicting ones (cos → −1).
  function heat(value) {
    if (value === null) return "#eee";
    const t = Math.max(-1, Math.min(1, value));
    const target = t >= 0 ? [47, 111, 223] : [201, 54, 43];
    const mix = (channel) => Math.round(255 + (channel - 255) * Math.abs(t));
    return "rgb(" + target.map(mix).join(",") + ")";
  }

  // MARK: - Drawing

  // Draws `datasets` ([{label, data: [{x, y}], axis?}]) in the figure named `name`: a Chart.js chart when the
  // library is there (updated in place when it exists already), else a table with one column per dataset.
  function draw(name, type, datasets, options) {
    const figure = document.querySelector('figure[data-chart="' + name + '"]');
    dashboard.drawn[name] = {
      renderer: hasChart ? "chart" : "table",
      datasets: datasets.map((set) => ({ label: set.label, data: set.data.map((p) => [p.x, p.y]) })),
    };
    if (!hasChart) {
      drawTable(figure, datasets);
      return;
    }
    const styled = datasets.map((set, index) => ({
      label: set.label,
      data: set.data,
      yAxisID: options.separateAxes ? set.axis || "y" + index : "y",
      borderColor: palette[index % palette.length],
      backgroundColor: palette[index % palette.length],
      pointRadius: type === "scatter" ? 4 : 1.5,
      borderWidth: 1.5,
      showLine: type !== "scatter",
    }));
    const scales = { x: { type: "linear", title: { display: true, text: options.xTitle || "step" } } };
    if (options.separateAxes) {
      styled.forEach((set, index) => {
        scales[set.yAxisID] = {
          type: "linear",
          position: index === 0 ? "left" : "right",
          grid: { drawOnChartArea: index === 0 },
          title: { display: true, text: set.label, color: set.borderColor },
        };
      });
    } else {
      scales.y = { type: "linear", min: options.min, max: options.max,
        title: { display: Boolean(options.yTitle), text: options.yTitle || "" } };
    }
    const existing = charts[name];
    if (existing && !options.rebuild && existing.data.datasets.length === styled.length) {
      existing.data.datasets.forEach((set, index) => { set.data = styled[index].data; });
      existing.update("none");
      return;
    }
    if (existing) existing.destroy();
    let canvas = figure.querySelector("canvas");
    if (!canvas) {
      canvas = document.createElement("canvas");
      figure.appendChild(canvas);
    }
    charts[name] = new window.Chart(canvas, {
      type: type,
      data: { datasets: styled },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function drawTable(figure, datasets) {
    let table = figure.querySelector("table.fallback");
    if (!table) {
      table = document.createElement("table");
      table.className = "fallback";
      figure.appendChild(table);
    }
    const xs = [...new Set(datasets.flatMap((set) => set.data.map((point) => point.x)))].sort((a, b) => a - b);
    const header = document.createElement("tr");
    for (const title of ["x"].concat(datasets.map((set) => set.label))) {
      const cell = document.createElement("th");
      cell.textContent = title;
      header.appendChild(cell);
    }
    const rows = [header];
    for (const x of xs) {
      const row = document.createElement("tr");
      const values = [x].concat(datasets.map((set) => {
        const point = set.data.find((p) => p.x === x);
        return point ? point.y : null;
      }));
      for (const value of values) {
        const cell = document.createElement("td");
        cell.textContent = format(value);
        row.appendChild(cell);
      }
      rows.push(row);
    }
    table.replaceChildren(...rows);
  }

  // MARK: - Credentials

  function readStoredToken() {
    try {
      return sessionStorage.getItem(tokenKey) || null;
    } catch (_) {
      return null; // no storage (a sandboxed frame): the token lives as long as the page
    }
  }

  function setToken(value) {
    token = value || null;
    try {
      if (token) sessionStorage.setItem(tokenKey, token);
      else sessionStorage.removeItem(tokenKey);
    } catch (_) {}
    updateSignOut();
  }

  // Handles a request refused for its credentials: 401 asks for a token, 403 shows the problem's detail.
  // Returns whether it did.
  function refused(key, error) {
    if (error.status === 401) {
      // An answer to a request sent with another token than the current one says nothing about the current one.
      if (error.token === token) signInRequired(error.detail);
      return true;
    }
    if (error.status === 403) {
      setError(key, error.detail);
      setConnection("offline", "permission denied");
      return true;
    }
    return false;
  }

  function signInRequired(detail) {
    setToken(null); // refused: never sent again
    credentialsEpoch += 1;
    resetView();
    signInShown = true;
    document.getElementById("runs-panel").hidden = true;
    document.getElementById("sign-in").hidden = false;
    document.getElementById("sign-in-detail").textContent = detail;
    updateSignOut();
    setConnection("offline", "sign-in required");
    const input = document.getElementById("access-token");
    input.value = "";
    input.focus();
  }

  // Starts over with the current credentials: nothing shown until the run list answers.
  function restart(state) {
    credentialsEpoch += 1;
    resetView();
    signInShown = false;
    document.getElementById("sign-in").hidden = true;
    document.getElementById("runs-panel").hidden = true;
    updateSignOut();
    setConnection("connecting", state);
    loadRuns();
  }

  // Forgets the shown runs (they were read with other credentials).
  function resetView() {
    if (source) source.close();
    source = null;
    clearTimeout(refreshTimer);
    refreshTimer = null;
    for (const name of Object.keys(charts)) {
      charts[name].destroy();
      delete charts[name];
    }
    dashboard.selected = dashboard.run = dashboard.history = dashboard.front = null;
    dashboard.runs = [];
    dashboard.drawn = {};
    for (const key of Object.keys(errors)) delete errors[key];
    renderErrors();
    renderRuns();
    document.getElementById("run-panel").hidden = true;
    for (const table of document.querySelectorAll("#run-panel table.fallback, #conflict")) table.replaceChildren();
  }

  function updateSignOut() {
    document.getElementById("sign-out").hidden = !token || signInShown;
  }

  function setError(key, text) {
    errors[key] = text;
    renderErrors();
  }

  function clearError(key) {
    if (!(key in errors)) return;
    delete errors[key];
    renderErrors();
  }

  function renderErrors() {
    const element = document.getElementById("error");
    const text = [...new Set(Object.values(errors))].join(" · ");
    if (element.textContent !== text) element.textContent = text;
    element.hidden = text === "";
  }

  document.getElementById("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("access-token");
    const value = input.value.trim();
    input.value = "";
    if (!value) return;
    setToken(value);
    restart("signing in…");
  });

  document.getElementById("sign-out").addEventListener("click", () => {
    setToken(null);
    restart("signed out"); // a server with tokens answers 401: the sign-in form
  });

  // MARK: - Location

  // The fragment's parameters: run=ID, tenant=TENANT (an admin's rw-tenant), token=TOKEN (taken once).
  function hashParameters() {
    const parameters = {};
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      const at = part.indexOf("=");
      if (at <= 0) continue;
      try {
        parameters[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1));
      } catch (_) {}
    }
    return parameters;
  }

  function hashRunID() {
    return hashParameters().run || null;
  }

  function writeHash(runID) {
    const parts = [];
    if (tenant) parts.push("tenant=" + encodeURIComponent(tenant));
    if (runID) parts.push("run=" + encodeURIComponent(runID));
    history.replaceState(null, "", location.pathname + location.search + (parts.length ? "#" + parts.join("&") : ""));
  }

  // Reads the tenant and a token from the fragment; the token is stored, and removed from the address (and so
  // from this history entry) at once.
  function readHash() {
    const parameters = hashParameters();
    tenant = parameters.tenant || null;
    if ("token" in parameters) {
      if (parameters.token) setToken(parameters.token);
      writeHash(parameters.run || null);
    }
  }

  window.addEventListener("hashchange", () => {
    const before = [token, tenant];
    readHash();
    if (token !== before[0] || tenant !== before[1]) {
      restart("connecting…");
      return;
    }
    const runID = hashRunID();
    if (runID) select(runID);
  });
  readHash();
  updateSignOut();
  loadRuns();
  setInterval(loadRuns, runListInterval);
})();
