// The review page: the clip list, one clip with its vessels over the stabilized picture,
// corrections saved at once through the JSON API, and the agreement tables.
"use strict";

const $ = (id) => document.getElementById(id);
const CLASS_COLOURS = ["#e33", "#f90", "#ee3", "#3c3"];
const CLASS_NAMES = ["no flow", "intermittent", "sluggish", "continuous"];
const state = {
  rows: [], shown: [], sortCol: null, sortDir: 1, selRow: 0,
  clip: null, selected: null, drawing: null, view: null,
  frames: [], frame: 0, playing: null, showingMean: true, meanUrl: null, loadToken: 0,
};

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text || "";
  s.className = kind || "";
}

async function api(path, options = {}) {
  const headers = Object.assign({ "X-Review-Token": TOKEN }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response;
}
const getJson = async (path) => (await api(path)).json();
async function getBlobUrl(path) {
  return URL.createObjectURL(await (await api(path)).blob());
}
const fmt = (v, digits = 2) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));

// ---------- list ----------
async function loadList() {
  const data = await getJson("/api/clips");
  $("folder").textContent = data.folder;
  state.rows = data.clips;
  renderList();
}

function filteredRows() {
  const unrev = $("f-unreviewed").checked, unacc = $("f-unacceptable").checked, failed = $("f-failed").checked;
  let rows = state.rows.filter((r) =>
    (!unrev || !r.reviewed) && (!unacc || r.acceptable === false) && (!failed || r.failed));
  if (state.sortCol) {
    const c = state.sortCol, d = state.sortDir;
    rows = rows.slice().sort((a, b) => {
      const x = a[c], y = b[c];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * d;
    });
  }
  return rows;
}

function renderList() {
  state.shown = filteredRows();
  state.selRow = Math.min(state.selRow, Math.max(0, state.shown.length - 1));
  const body = document.querySelector("#clips tbody");
  const html = state.shown.map((r, i) => {
    const cls = [i === state.selRow ? "sel" : "", r.failed ? "failed" : "", r.acceptable === false ? "unacc" : ""].join(" ");
    const acc = r.failed ? "failed" : (r.acceptable ? "yes" : "no" + (r.unacceptable_reason ? " (" + r.unacceptable_reason + ")" : ""));
    return `<tr class="${cls}" data-index="${i}" data-id="${encodeURIComponent(r.id)}"><td>${esc(r.patient)}</td><td>${esc(r.day)}</td><td>${esc(r.site)}</td>` +
      `<td>${fmt(r.quality_score, 0)}</td><td>${fmt(r.tvd)}</td><td>${fmt(r.ppv, 1)}</td><td>${fmt(r.mfi)}</td>` +
      `<td>${r.reviewed ? "✓" : ""}</td><td>${acc}</td></tr>`;
  }).join("");
  body.innerHTML = html;
  $("count").textContent = `${state.shown.length} of ${state.rows.length} clips, ${state.rows.filter((r) => r.reviewed).length} reviewed`;
  document.querySelectorAll("#clips th").forEach((th) => {
    th.className = th.dataset.col === state.sortCol ? (state.sortDir > 0 ? "sorted-asc" : "sorted-desc") : "";
  });
  const sel = body.querySelector("tr.sel");
  if (sel) sel.scrollIntoView({ block: "nearest" });
}

function esc(s) {
  return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function show(view) {
  for (const v of ["list-view", "clip-view", "agreement-view"]) $(v).hidden = v !== view;
  $("tab-list").classList.toggle("active", view !== "agreement-view");
  $("tab-agreement").classList.toggle("active", view === "agreement-view");
  if (view !== "clip-view") stopPlaying();
}

// ---------- one clip ----------
async function openClip(id) {
  show("clip-view");
  setStatus("opening " + id + " …");
  const token = ++state.loadToken;
  for (const url of state.frames) if (url) URL.revokeObjectURL(url);
  if (state.meanUrl) URL.revokeObjectURL(state.meanUrl);
  state.frames = []; state.meanUrl = null; state.selected = null; state.drawing = null;
  const clip = await getJson("/api/clips/" + encodeURIComponent(id));
  if (token !== state.loadToken) return;
  state.clip = clip;
  state.selRow = Math.max(0, state.shown.findIndex((r) => r.id === id));
  if (clip.failed) {
    $("clip-title").textContent = id + " — failed: " + (clip.entry.failure || "");
    $("vessels").innerHTML = "";
    setStatus("");
    return;
  }
  const [x, y, w, h] = clip.picture;
  const pic = $("picture");
  pic.setAttribute("x", x); pic.setAttribute("y", y); pic.setAttribute("width", w); pic.setAttribute("height", h);
  pic.removeAttribute("href");
  const vr = clip.valid_region;
  const valid = $("valid");
  valid.setAttribute("x", vr[0]); valid.setAttribute("y", vr[1]);
  valid.setAttribute("width", vr[2] - vr[0]); valid.setAttribute("height", vr[3] - vr[1]);
  state.view = { x: 0, y: 0, w: clip.width, h: clip.height };
  fitView();
  $("frame").max = Math.max(0, clip.frames - 1);
  $("frame").value = 0;
  state.frame = 0;
  renderClip();
  $("media-note").textContent = "";
  if (clip.media_available) {
    try {
      const url = await getBlobUrl(`/api/clips/${encodeURIComponent(id)}/mean.png`);
      if (token !== state.loadToken) return;
      state.meanUrl = url;
      showMean();
      setStatus("");
      preloadFrames(id, token, clip.frames);
    } catch (e) {
      $("media-note").textContent = e.message;
      setStatus("");
    }
  } else {
    $("media-note").textContent = "clip file not found: vessels only (start with --clips FOLDER to see the picture)";
    setStatus("");
  }
}

async function preloadFrames(id, token, n) {
  state.frames = new Array(n).fill(null);
  // A few requests at a time keep the loop going while the rest arrives.
  let next = 0;
  const worker = async () => {
    while (next < n && token === state.loadToken) {
      const t = next++;
      try {
        state.frames[t] = await getBlobUrl(`/api/clips/${encodeURIComponent(id)}/frames/${t}.png`);
      } catch (e) { return; }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

function fitView() {
  const box = $("viewer").getBoundingClientRect();
  const c = state.clip;
  const scale = Math.min(box.width / c.width, box.height / c.height) || 1;
  state.view = { x: 0, y: 0, w: box.width / scale, h: box.height / scale };
  applyView();
}

function applyView() {
  const v = state.view;
  $("svg").setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
  updateScaleBar();
}

function updateScaleBar() {
  if (!state.clip || !state.clip.um_per_px) return;
  const box = $("viewer").getBoundingClientRect();
  const screenPerPx = box.width / state.view.w;
  const screenPerUm = screenPerPx / state.clip.um_per_px;
  const choices = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
  let um = choices[0];
  for (const c of choices) if (c * screenPerUm <= 160) um = c;
  $("scalebar-bar").style.width = (um * screenPerUm) + "px";
  $("scalebar-label").textContent = um + " µm";
}

function svgPoint(event) {
  const svg = $("svg");
  const p = svg.createSVGPoint();
  p.x = event.clientX; p.y = event.clientY;
  const q = p.matrixTransform(svg.getScreenCTM().inverse());
  return [q.x, q.y];
}

function renderClip() {
  const c = state.clip;
  const e = c.entry;
  $("clip-title").textContent = `${e.patient} · day ${e.day} · site ${e.site}  (${c.id})`;
  const corrected = c.corrected;
  $("clip-quality").textContent = `quality ${fmt(c.quality.score, 0)} · ` +
    (corrected.acceptable ? "acceptable" : "unacceptable" + (corrected.unacceptable_reason ? " (" + corrected.unacceptable_reason + ")" : "")) +
    (corrected.reviewed ? " · reviewed" : "");
  const g = $("vessels");
  const parts = [];
  for (const v of corrected.vessels) {
    const pts = v.centerline_px.map((p) => p[0].toFixed(2) + "," + p[1].toFixed(2)).join(" ");
    const classes = ["v", v.flow_unresolved ? "unresolved" : "", v.key.startsWith("d") ? "drawn" : "", v.key === state.selected ? "selected" : ""].join(" ");
    parts.push(`<polyline class="${classes}" points="${pts}" stroke="${CLASS_COLOURS[v.flow_class]}" data-key="${v.key}"></polyline>`);
    parts.push(`<polyline class="hit" points="${pts}" data-key="${v.key}"></polyline>`);
  }
  g.innerHTML = parts.join("");
  if (c.review.stale) setStatus("this clip was re-scored after these corrections: check them (vessel ids may have changed)", "error");
  $("undo").disabled = !c.review.can_undo;
  $("redo").disabled = !c.review.can_redo;
  renderMetrics();
  renderVesselList();
  renderSelection();
  $("edits").innerHTML = c.review.edits.map((e) => `<li>${esc(e.at)}: ${esc(JSON.stringify(e.change))}</li>`).join("");
}

function renderMetrics() {
  const a = state.clip.automatic_metrics, k = state.clip.corrected.metrics;
  const rows = [["TVD mm/mm²", "tvd_mm_per_mm2"], ["PVD mm/mm²", "pvd_mm_per_mm2"], ["PPV %", "ppv_pct"], ["MFI", "mfi"], ["De Backer /mm", "de_backer_per_mm"]];
  $("metrics").innerHTML = "<tr><th></th><th>automatic</th><th>corrected</th></tr>" +
    rows.map(([label, key]) => `<tr data-metric="${key}"><td>${label}</td><td>${fmt(a[key])}</td><td class="corrected">${fmt(k[key])}</td></tr>`).join("");
}

function renderVesselList() {
  const body = document.querySelector("#vessel-list tbody");
  body.innerHTML = state.clip.corrected.vessels.map((v) =>
    `<tr data-key="${v.key}" class="${v.key === state.selected ? "sel" : ""}"><td>${v.key}</td><td>${v.flow_class}${v.edited ? "*" : ""}</td>` +
    `<td>${v.automatic_class === null ? "–" : v.automatic_class}</td><td>${fmt(v.length_um, 0)}</td></tr>`).join("");
}

function selectedVessel() {
  return state.clip && state.clip.corrected.vessels.find((v) => v.key === state.selected);
}

function renderSelection() {
  const v = selectedVessel();
  const info = $("vessel-info");
  const diagram = $("diagram");
  if (!v) {
    info.innerHTML = "<em>Click a vessel (or a row below) to select it.</em>";
    diagram.hidden = true;
    return;
  }
  const speed = v.velocity_um_s === null ? "–" : (v.velocity_at_least ? "≥ " : "") + fmt(v.velocity_um_s, 0) + " µm/s";
  info.innerHTML = `<strong>vessel ${v.key}</strong> · class <strong>${v.flow_class}</strong> (${CLASS_NAMES[v.flow_class]})` +
    (v.automatic_class !== null && v.automatic_class !== v.flow_class ? `, automatic ${v.automatic_class}` : "") +
    `<br>velocity ${speed} · flowing ${v.flowing_fraction === null ? "–" : fmt(100 * v.flowing_fraction, 0) + "%"}` +
    `<br>diameter ${fmt(v.diameter_um, 1)} µm · length ${fmt(v.length_um, 0)} µm` + (v.flow_unresolved ? "<br>flow not told by the clip" : "");
  if (state.clip.media_available) {
    const key = v.key, id = state.clip.id;
    getBlobUrl(`/api/clips/${encodeURIComponent(id)}/diagram/${key}.png`).then((url) => {
      if (state.selected !== key) return URL.revokeObjectURL(url);
      if (diagram.src) URL.revokeObjectURL(diagram.src);
      diagram.src = url;
      diagram.hidden = false;
      diagram.title = "space–time diagram: time downwards, position along the vessel across";
    }).catch(() => { diagram.hidden = true; });
  }
}

function select(key) {
  state.selected = key;
  renderClip();
  const row = document.querySelector(`#vessel-list tr[data-key="${key}"]`);
  if (row) row.scrollIntoView({ block: "nearest" });
}

async function edit(action) {
  if (!state.clip || state.clip.failed) return;
  try {
    const response = await api(`/api/clips/${encodeURIComponent(state.clip.id)}/edit`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ base_version: state.clip.review.version, action }),
    });
    state.clip = await response.json();
    if (state.selected && !selectedVessel()) state.selected = null;
    renderClip();
    setStatus("saved (version " + state.clip.review.version + ")", "ok");
    const row = state.rows.find((r) => r.id === state.clip.id);
    if (row) {
      const m = state.clip.corrected.metrics;
      Object.assign(row, { reviewed: state.clip.corrected.reviewed, acceptable: state.clip.corrected.acceptable,
        unacceptable_reason: state.clip.corrected.unacceptable_reason, tvd: m.tvd_mm_per_mm2, ppv: m.ppv_pct, mfi: m.mfi });
    }
  } catch (e) {
    setStatus(e.message, "error");
  }
}

function setClass(c) {
  if (state.selected) edit({ op: "set_class", vessel: state.selected, class: c });
}
function deleteSelected() {
  if (state.selected) edit({ op: "delete", vessel: state.selected });
}

// ---------- drawing ----------
function startDrawing() {
  state.drawing = [];
  $("viewer").classList.add("drawing");
  $("drawing").setAttribute("points", "");
  setStatus("drawing: click points along the vessel, Enter to finish, Esc to cancel");
}
function cancelDrawing() {
  state.drawing = null;
  $("viewer").classList.remove("drawing");
  $("drawing").setAttribute("points", "");
  setStatus("");
}
function finishDrawing() {
  const points = state.drawing;
  cancelDrawing();
  if (points && points.length >= 2) {
    edit({ op: "draw", centerline_px: points, class: Number($("draw-class").value), diameter_um: Number($("draw-diameter").value) || 8 });
  }
}

// ---------- playback ----------
function showMean() {
  state.showingMean = true;
  if (state.meanUrl) $("picture").setAttribute("href", state.meanUrl);
  $("frame-label").textContent = "mean image";
}
function showFrame(t) {
  const n = state.clip ? state.clip.frames : 0;
  if (!n) return;
  state.frame = ((t % n) + n) % n;
  $("frame").value = state.frame;
  const url = state.frames[state.frame];
  if (url) {
    $("picture").setAttribute("href", url);
    state.showingMean = false;
  }
  $("frame-label").textContent = `frame ${state.frame + 1}/${n}` + (url ? "" : " (loading)");
}
function stopPlaying() {
  if (state.playing) clearInterval(state.playing);
  state.playing = null;
  $("play").textContent = "▶";
}
function togglePlay() {
  if (state.playing) return stopPlaying();
  if (!state.clip || !state.clip.frames) return;
  const fps = state.clip.fps * Number($("speed").value);
  $("play").textContent = "⏸";
  state.playing = setInterval(() => showFrame(state.frame + 1), 1000 / fps);
}

// ---------- agreement ----------
async function loadAgreement() {
  show("agreement-view");
  const a = await getJson("/api/agreement");
  $("agreement-n").textContent = `${a.clips} reviewed clip(s) compared.` + (a.class_agreement === null ? "" : ` Flow class kept on ${fmt(100 * a.class_agreement, 1)}% of the automatic vessel length.`);
  $("agreement-table").innerHTML = "<tr><th>metric</th><th>n</th><th>mean automatic</th><th>mean corrected</th><th>bias</th><th>SD</th><th>95% limits</th><th>ICC(2,1)</th></tr>" +
    a.metrics.map((m) => `<tr data-metric="${m.metric}"><td>${m.label}</td><td>${m.n}</td><td>${fmt(m.mean_automatic, 3)}</td><td>${fmt(m.mean_corrected, 3)}</td>` +
      `<td>${fmt(m.bias, 3)}</td><td>${fmt(m.sd, 3)}</td><td>${fmt(m.loa_lower, 3)} to ${fmt(m.loa_upper, 3)}</td><td>${fmt(m.icc, 3)}</td></tr>`).join("");
  const labels = ["0", "1", "2", "3"];
  $("confusion").innerHTML = "<tr><th>automatic ↓ / corrected →</th>" + labels.map((l) => `<th>${l}</th>`).join("") + "<th>deleted</th></tr>" +
    a.confusion_um.map((row, r) => `<tr><th>${r === 4 ? "drawn" : labels[r]}</th>` + row.map((v) => `<td>${fmt(v, 0)}</td>`).join("") + "</tr>").join("");
  $("ava-section").hidden = !a.ava;
  if (a.ava) {
    $("ava-n").textContent = `${a.ava.matched} clip(s) with an AVA export.`;
    $("ava-table").innerHTML = "<tr><th>metric</th><th>n</th><th>mean automatic</th><th>mean AVA</th><th>bias</th><th>SD</th><th>95% limits</th><th>ICC(2,1)</th></tr>" +
      a.ava.metrics.map((m) => `<tr data-ava-metric="${m.metric}"><td>${m.label}</td><td>${m.n}</td><td>${fmt(m.mean_automatic, 3)}</td><td>${fmt(m.mean_corrected, 3)}</td>` +
        `<td>${fmt(m.bias, 3)}</td><td>${fmt(m.sd, 3)}</td><td>${fmt(m.loa_lower, 3)} to ${fmt(m.loa_upper, 3)}</td><td>${fmt(m.icc, 3)}</td></tr>`).join("");
  }
}

// ---------- events ----------
function wire() {
  $("tab-list").onclick = () => { show("list-view"); loadList(); };
  $("tab-agreement").onclick = () => loadAgreement().catch((e) => setStatus(e.message, "error"));
  for (const id of ["f-unreviewed", "f-unacceptable", "f-failed"]) $(id).onchange = () => { state.selRow = 0; renderList(); };
  document.querySelectorAll("#clips th").forEach((th) => th.onclick = () => {
    const c = th.dataset.col;
    state.sortDir = state.sortCol === c ? -state.sortDir : 1;
    state.sortCol = c;
    renderList();
  });
  document.querySelector("#clips tbody").onclick = (e) => {
    const tr = e.target.closest("tr");
    if (tr) openClip(decodeURIComponent(tr.dataset.id)).catch((err) => setStatus(err.message, "error"));
  };
  $("back").onclick = () => { show("list-view"); renderList(); };
  $("prev-clip").onclick = () => stepClip(-1);
  $("next-clip").onclick = () => stepClip(1);
  document.querySelectorAll("button.cls").forEach((b) => b.onclick = () => setClass(Number(b.dataset.class)));
  $("delete").onclick = deleteSelected;
  $("draw").onclick = startDrawing;
  $("undo").onclick = () => edit({ op: "undo" });
  $("redo").onclick = () => edit({ op: "redo" });
  $("confirm").onclick = () => edit({ op: "confirm" });
  $("unacceptable").onclick = () => edit({ op: "unacceptable", reason: $("reason").value });
  $("acceptable").onclick = () => edit({ op: "acceptable" });
  $("play").onclick = togglePlay;
  $("show-mean").onclick = () => { stopPlaying(); showMean(); };
  $("step-back").onclick = () => { stopPlaying(); showFrame(state.frame - 1); };
  $("step-fwd").onclick = () => { stopPlaying(); showFrame(state.frame + 1); };
  $("frame").oninput = () => { stopPlaying(); showFrame(Number($("frame").value)); };
  $("speed").onchange = () => { if (state.playing) { stopPlaying(); togglePlay(); } };
  document.querySelector("#vessel-list tbody").onclick = (e) => {
    const tr = e.target.closest("tr");
    if (tr) select(tr.dataset.key);
  };

  const viewer = $("viewer");
  let drag = null;
  viewer.addEventListener("mousedown", (e) => {
    if (state.drawing) return;
    drag = { x: e.clientX, y: e.clientY, view: Object.assign({}, state.view), moved: false };
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const box = viewer.getBoundingClientRect();
    const dx = (e.clientX - drag.x) * state.view.w / box.width, dy = (e.clientY - drag.y) * state.view.h / box.height;
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) drag.moved = true;
    if (drag.moved) { state.view.x = drag.view.x - dx; state.view.y = drag.view.y - dy; applyView(); }
  });
  window.addEventListener("mouseup", (e) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag || e.target.closest("#viewer") === null) return;
    if (state.drawing) {
      state.drawing.push(svgPoint(e).map((v) => Math.round(v * 100) / 100));
      $("drawing").setAttribute("points", state.drawing.map((p) => p.join(",")).join(" "));
      return;
    }
    const key = e.target.dataset ? e.target.dataset.key : null;
    if (key) select(key);
  });
  viewer.addEventListener("dblclick", (e) => { if (state.drawing) { e.preventDefault(); finishDrawing(); } });
  viewer.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [px, py] = svgPoint(e);
    const f = e.deltaY < 0 ? 0.8 : 1.25;
    const v = state.view;
    state.view = { x: px - (px - v.x) * f, y: py - (py - v.y) * f, w: v.w * f, h: v.h * f };
    applyView();
  }, { passive: false });
  window.addEventListener("resize", () => { if (state.clip && !state.clip.failed) updateScaleBar(); });
  document.addEventListener("keydown", onKey);
}

function stepClip(d) {
  if (!state.shown.length) return;
  state.selRow = Math.min(state.shown.length - 1, Math.max(0, state.selRow + d));
  openClip(state.shown[state.selRow].id).catch((e) => setStatus(e.message, "error"));
}

function onKey(e) {
  if (e.target.tagName === "INPUT" && e.target.type !== "checkbox" && e.target.type !== "range") return;
  if (e.target.tagName === "SELECT") return;
  const inList = !$("list-view").hidden, inClip = !$("clip-view").hidden;
  const ctrl = e.ctrlKey || e.metaKey;
  if (inList) {
    if (e.key === "ArrowDown" || e.key === "j") { state.selRow = Math.min(state.shown.length - 1, state.selRow + 1); renderList(); e.preventDefault(); }
    else if (e.key === "ArrowUp" || e.key === "k") { state.selRow = Math.max(0, state.selRow - 1); renderList(); e.preventDefault(); }
    else if (e.key === "Enter" && state.shown[state.selRow]) { openClip(state.shown[state.selRow].id).catch((err) => setStatus(err.message, "error")); e.preventDefault(); }
    return;
  }
  if (!inClip) { if (e.key === "Escape") { show("list-view"); renderList(); } return; }
  if (state.drawing) {
    if (e.key === "Enter") { finishDrawing(); e.preventDefault(); }
    else if (e.key === "Escape") { cancelDrawing(); e.preventDefault(); }
    else if (e.key === "Backspace") { state.drawing.pop(); $("drawing").setAttribute("points", state.drawing.map((p) => p.join(",")).join(" ")); e.preventDefault(); }
    return;
  }
  if (ctrl && (e.key === "z" || e.key === "Z")) { edit({ op: e.shiftKey ? "redo" : "undo" }); e.preventDefault(); return; }
  if (ctrl && (e.key === "y" || e.key === "Y")) { edit({ op: "redo" }); e.preventDefault(); return; }
  if (ctrl || e.altKey) return;
  if (["0", "1", "2", "3"].includes(e.key)) { setClass(Number(e.key)); e.preventDefault(); }
  else if (e.key === "Delete" || e.key === "Backspace" || e.key === "x") { deleteSelected(); e.preventDefault(); }
  else if (e.key === "d") { startDrawing(); e.preventDefault(); }
  else if (e.key === "c") edit({ op: "confirm" });
  else if (e.key === "u") edit({ op: "unacceptable", reason: $("reason").value });
  else if (e.key === " ") { togglePlay(); e.preventDefault(); }
  else if (e.key === "ArrowRight") { stopPlaying(); showFrame(state.frame + 1); e.preventDefault(); }
  else if (e.key === "ArrowLeft") { stopPlaying(); showFrame(state.frame - 1); e.preventDefault(); }
  else if (e.key === "m") { stopPlaying(); showMean(); }
  else if (e.key === "n") stepClip(1);
  else if (e.key === "p") stepClip(-1);
  else if (e.key === "f") fitView();
  else if (e.key === "Escape") { show("list-view"); renderList(); }
}

wire();
loadList().catch((e) => setStatus(e.message, "error"));
