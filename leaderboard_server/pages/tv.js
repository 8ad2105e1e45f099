"use strict";
// Gym TV: standings of one challenge, pushed live. Initial state comes over HTTP so the page shows
// something even before the socket is up; every snapshot carries a version and older ones are ignored.
const code = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "").toUpperCase();
let current = null;          // latest snapshot
let clockOffsetMs = 0;       // server clock minus our clock

function render(snap) {
  if (current && snap.version < current.version && snap.challenge.code === current.challenge.code) return;
  current = snap;
  clockOffsetMs = snap.now_ms - Date.now();
  const ch = snap.challenge;
  document.title = ch.title + " · Ringside";
  document.getElementById("title").textContent = ch.title;
  document.getElementById("code").textContent = ch.code;
  document.getElementById("state").textContent = ch.state;
  const mode = EXERCISE_MODES.find((m) => m.mode === ch.exercise);  // from /static/modes.js
  document.getElementById("exercise").textContent = mode ? mode.label : ch.exercise;
  document.getElementById("trainer").textContent = "Trainer: " + ch.trainer;
  const body = document.querySelector("#standings tbody");
  body.replaceChildren(...snap.entries.map((e) =>
    el("tr", { class: "top" + e.rank, "data-player": e.player },
      el("td", { class: "num" }, e.rank), el("td", {}, e.name), el("td", { class: "num score" }, fmtNum(e.score)))));
  document.getElementById("message").textContent = snap.entries.length ? "" : "Waiting for players to join with code " + ch.code;
  tick();
}

function tick() {
  if (!current) return;
  const ch = current.challenge;
  let text = "";
  if (ch.state === "running" && ch.ends_at_ms) {
    const left = Math.max(0, ch.ends_at_ms - (Date.now() + clockOffsetMs));
    const s = Math.ceil(left / 1000);
    text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  } else if (ch.state === "lobby") {
    text = Math.floor(ch.duration_s / 60) + ":" + String(ch.duration_s % 60).padStart(2, "0");
  } else if (ch.state === "finished") {
    text = "Final";
  }
  document.getElementById("clock").textContent = text;
}

function showError(text) { document.getElementById("title").textContent = text; }

fetch("/api/challenges/" + encodeURIComponent(code))
  .then((r) => r.ok ? r.json() : r.json().then((j) => Promise.reject(j.message || r.statusText)))
  .then(render)
  .catch((e) => showError(String(e)));

new Live({
  onOpen: async (live) => {
    await live.request({ type: "hello", client: "ringside-tv" });
    const reply = await live.request({ type: "challenge.watch", code });
    if (reply.type === "error") showError(reply.message); else render(reply);
  },
  onMessage: (msg) => { if (msg.type === "standings") render(msg); },
  onStatus: (s) => { const n = document.getElementById("status"); n.textContent = s === "live" ? "● live" : "reconnecting…"; n.className = "status " + s; },
});
setInterval(tick, 250);
