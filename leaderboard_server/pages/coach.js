"use strict";
// Coach view: the players who share a group with you, their telemetry (per rep / per round, skeleton
// summaries; never video) and the plan override their game picks up. The token stays in this tab
// (sessionStorage, or the #token=... fragment, which is never sent to the server in a request line).
const params = new URLSearchParams(location.hash.slice(1));
let token = params.get("token") || sessionStorage.getItem("ringside-token") || "";
let selected = params.get("player") || null;
let me = null;
let live = null;
// The challenge's exercise choices: EXERCISE_MODES comes from /static/modes.js (the server's table).
document.getElementById("challenge-exercise").replaceChildren(...EXERCISE_MODES.map((m) =>
  el("option", m.mode === DEFAULT_EXERCISE_MODE ? { value: m.mode, selected: "" } : { value: m.mode }, m.title)));

function status(s) { const n = document.getElementById("status"); n.textContent = s === "live" ? "● live" : "reconnecting…"; n.className = "status " + s; }

async function signIn() {
  if (!token) return;
  const hello = await live.request({ type: "hello", token, client: "ringside-coach" });
  if (hello.type === "error") { document.getElementById("signin-error").textContent = hello.message; return; }
  sessionStorage.setItem("ringside-token", token);
  me = hello.player;
  document.getElementById("who").textContent = me.name + (me.role === "trainer" ? " · trainer" : "");
  document.getElementById("signin").hidden = true;
  if (me.role === "trainer") {
    document.getElementById("challenges").hidden = false;
    await loadChallenges();
  }
  document.getElementById("groups").hidden = false;
  await loadGroups();
  await loadPlayers();
}

async function loadGroups() {
  const reply = await live.request({ type: "group.list" });
  if (reply.type === "error") { document.getElementById("group-error").textContent = reply.message; return; }
  const rows = await Promise.all(reply.groups.map(async (g) => {
    const members = await live.request({ type: "group.members", group: g.id });
    const cell = el("td", { class: "members" });
    for (const m of members.type === "members" ? members.members : []) {
      const tag = el("span", { class: "tag", "data-member": m.id }, m.name);
      if (g.is_owner && m.id !== me.id) {
        const x = el("button", { type: "button", class: "small", title: "remove " + m.name }, "×");
        x.addEventListener("click", async () => {
          const r = await live.request({ type: "group.remove", group: g.id, player: m.id });
          document.getElementById("group-error").textContent = r.type === "error" ? r.message : "";
          loadGroups();
          loadPlayers();
        });
        tag.append(" ", x);
      }
      cell.append(tag, " ");
    }
    return el("tr", { "data-group": g.id }, el("td", {}, g.name + (g.is_owner ? " (yours)" : "")),
      el("td", {}, el("b", {}, g.invite_code)), el("td", { class: "num" }, g.members), cell);
  }));
  document.querySelector("#group-list tbody").replaceChildren(...rows);
}

document.getElementById("group-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const name = new FormData(ev.target).get("name").trim();
  const reply = await live.request({ type: "group.create", name });
  document.getElementById("group-error").textContent = reply.type === "error" ? reply.message : "";
  if (reply.type !== "error") ev.target.reset();
  loadGroups();
  if (me.role === "trainer") loadChallenges();
});

async function loadChallenges() {
  const [list, groups] = await Promise.all([
    live.request({ type: "challenge.list", limit: 20 }),
    live.request({ type: "group.list" }),
  ]);
  const select = document.getElementById("challenge-group");
  const chosen = select.value;
  if (groups.type === "groups") {
    select.replaceChildren(el("option", { value: "" }, "anyone with the code"),
      ...groups.groups.map((g) => el("option", { value: g.id }, "only " + g.name)));
    select.value = chosen;
  }
  if (list.type === "error") { document.getElementById("challenge-error").textContent = list.message; return; }
  const body = document.querySelector("#challenge-list tbody");
  body.replaceChildren(...list.challenges.map((c) => {
    const actions = el("td", {});
    const act = (label, type) => {
      const b = el("button", { type: "button", "data-action": type }, label);
      b.addEventListener("click", async () => {
        const reply = await live.request({ type, code: c.code });
        document.getElementById("challenge-error").textContent = reply.type === "error" ? reply.message : "";
        loadChallenges();
      });
      return b;
    };
    if (c.state === "lobby") actions.append(act("Start", "challenge.start"), " ");
    if (c.state !== "finished") actions.append(act("Stop", "challenge.stop"), " ");
    actions.append(el("a", { href: "/tv/" + c.code, target: "_blank", class: "link" }, "TV view"));
    return el("tr", { "data-code": c.code }, el("td", {}, el("b", {}, c.code)), el("td", {}, c.title),
      el("td", {}, c.exercise), el("td", { class: "state" }, c.state), el("td", { class: "num" }, c.players), actions);
  }));
}

document.getElementById("challenge-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const data = new FormData(ev.target);
  const msg = { type: "challenge.create", title: data.get("title").trim(), exercise: data.get("exercise"),
                duration_s: Number(data.get("duration_s")) };
  if (data.get("group")) msg.group = data.get("group");
  const reply = await live.request(msg);
  document.getElementById("challenge-error").textContent = reply.type === "error" ? reply.message : "";
  if (reply.type !== "error") ev.target.reset();
  loadChallenges();
});
setInterval(() => { if (me && me.role === "trainer" && live.ws.readyState === 1) loadChallenges(); }, 5000);

async function loadPlayers() {
  const list = document.getElementById("players");
  let players = [];
  if (me.role === "trainer") {
    const reply = await live.request({ type: "coach.players" });
    if (reply.type === "error") { list.replaceChildren(el("li", { class: "error" }, reply.message)); return; }
    players = reply.players;
  }
  players.unshift({ id: me.id, name: me.name + " (you)", last_played_ms: null });
  list.replaceChildren(...players.map((p) => {
    const li = el("li", { "data-player": p.id, class: p.id === selected ? "sel" : "" }, p.name,
      el("div", { class: "muted" }, p.last_played_ms ? "last played " + fmtTime(p.last_played_ms) : ""));
    li.addEventListener("click", () => { selected = p.id; loadPlayers(); });
    return li;
  }));
  if (selected) await showPlayer(selected);
}

function repTable(reps) {
  const cols = ["index", "duration_ms", "depth_deg", "spine_angle_deg", "knee_valgus_deg", "peak_velocity_mps", "velocity_loss_pct", "form_score"];
  const used = cols.filter((c) => reps.some((r) => r[c] !== undefined));
  return el("table", { class: "reps" },
    el("thead", {}, el("tr", {}, ...used.map((c) => el("th", { class: "num" }, c.replace(/_/g, " "))), el("th", {}, "cues"))),
    el("tbody", {}, ...reps.map((r) => el("tr", { class: r.counted === false ? "muted" : "" },
      ...used.map((c) => el("td", { class: "num" }, fmtNum(r[c]))), el("td", {}, (r.cues || []).join(", "))))));
}

function roundTable(rounds) {
  const cols = ["index", "duration_ms", "punches_thrown", "punches_landed", "peak_hand_speed_mps", "dodges", "max_combo", "score"];
  const used = cols.filter((c) => rounds.some((r) => r[c] !== undefined));
  return el("table", { class: "rounds" },
    el("thead", {}, el("tr", {}, ...used.map((c) => el("th", { class: "num" }, c.replace(/_/g, " "))))),
    el("tbody", {}, ...rounds.map((r) => el("tr", {}, ...used.map((c) => el("td", { class: "num" }, fmtNum(r[c])))))));
}

function summaryList(summary) {
  return el("p", { class: "muted" }, Object.entries(summary || {}).map(([k, v]) =>
    k + ": " + (Array.isArray(v) ? v.map(fmtNum).join("/") : typeof v === "object" ? JSON.stringify(v) : fmtNum(v))).join(" · "));
}

async function showPlayer(playerId) {
  const detail = document.getElementById("detail");
  const [tele, ov] = await Promise.all([
    live.request({ type: "telemetry.list", player: playerId, limit: 20 }),
    live.request({ type: "override.get", player: playerId }),
  ]);
  if (tele.type === "error") { detail.replaceChildren(el("p", { class: "error" }, tele.message)); return; }
  const cards = tele.submissions.map((s) => el("div", { class: "card session", "data-submission": s.id },
    el("h3", {}, s.mode + " · " + fmtNum(s.score) + " ", s.accepted ? "" : el("span", { class: "tag bad" }, "rejected: " + s.reason)),
    el("div", { class: "muted" }, fmtTime(s.played_at_ms) + " · " + Math.round(s.duration_ms / 1000) + " s" + (s.challenge ? " · challenge " + s.challenge : "")),
    s.telemetry.reps && s.telemetry.reps.length ? repTable(s.telemetry.reps) : "",
    s.telemetry.rounds && s.telemetry.rounds.length ? roundTable(s.telemetry.rounds) : "",
    s.telemetry.skeleton_summary ? summaryList(s.telemetry.skeleton_summary) : ""));
  const current = ov.type === "override" && ov.override ? ov.override : null;
  const parts = [el("h2", {}, tele.player.name)];
  parts.push(el("p", { id: "override-current" }, current ? "Current plan override by " + current.coach + ": " + formatPlan(current.plan) + (current.note ? " — " + current.note : "") : "No plan override: the game plans from recovery data."));
  if (me.role === "trainer" && playerId !== me.id) parts.push(overrideForm(playerId, current), signOutDevices(playerId));
  parts.push(...(cards.length ? cards : [el("p", { class: "muted" }, "No sessions yet.")]));
  detail.replaceChildren(...parts);
}

function formatPlan(plan) {
  return Object.entries(plan).map(([k, v]) => k.replace(/_/g, " ") + ": " + (Array.isArray(v) ? v.join("/") : v)).join(", ");
}

// A player's lost phone: revoke every device token of theirs (they sign in again on the next sync).
function signOutDevices(playerId) {
  const result = el("span", { class: "muted", id: "signout-result" });
  const button = el("button", { type: "button", id: "signout-devices" }, "Sign out this player's devices");
  button.addEventListener("click", async () => {
    const reply = await live.request({ type: "token.revoke", player: playerId });
    result.textContent = reply.type === "error" ? reply.message : reply.tokens.length + " device(s) signed out";
  });
  return el("p", {}, button, " ", result);
}

function overrideForm(playerId, current) {
  const plan = (current && current.plan) || {};
  const sel = (name, options) => el("select", { name }, el("option", { value: "" }, "(" + name + ")"),
    ...options.map((o) => { const opt = el("option", { value: o }, o); if (plan[name] === o) opt.selected = true; return opt; }));
  const form = el("form", { class: "inline", id: "override-form" },
    sel("difficulty", ["easy", "normal", "hard", "expert"]), sel("intensity", ["rest", "low", "moderate", "high"]),
    el("input", { name: "volume_pct", type: "number", min: "0", max: "200", placeholder: "volume %", value: plan.volume_pct ?? "" }),
    el("input", { name: "note", maxlength: "500", placeholder: "note for the player", size: "30" }),
    el("button", { type: "submit" }, "Set plan"), el("span", { class: "error", id: "override-error" }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const newPlan = {};
    if (data.get("difficulty")) newPlan.difficulty = data.get("difficulty");
    if (data.get("intensity")) newPlan.intensity = data.get("intensity");
    if (data.get("volume_pct")) newPlan.volume_pct = Number(data.get("volume_pct"));
    const reply = await live.request({ type: "override.set", player: playerId, plan: newPlan, note: data.get("note") || "" });
    if (reply.type === "error") document.getElementById("override-error").textContent = reply.message; else showPlayer(playerId);
  });
  return form;
}

document.getElementById("token").value = token;
document.getElementById("signin").addEventListener("submit", (ev) => { ev.preventDefault(); token = document.getElementById("token").value.trim(); signIn(); });
live = new Live({ onOpen: () => signIn(), onMessage: () => {}, onStatus: status });
