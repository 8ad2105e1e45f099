"use strict";
// Gym TV between classes: the top of every board for one period, refreshed every 15 s.
const params = new URLSearchParams(location.search);
const period = ["daily", "weekly", "all_time"].includes(params.get("period")) ? params.get("period") : "weekly";
// EXERCISE_MODES and CHALLENGE_MODE come from /static/modes.js (the server's table of modes).
const MODES = [...EXERCISE_MODES.map((m) => [m.mode, m.label]), [CHALLENGE_MODE, "Challenges"]];
let live = null;

async function refresh() {
  const replies = await Promise.all(MODES.map(([mode]) => live.request({ type: "board.get", mode, period, limit: 10 })));
  const cards = MODES.map(([mode, label], i) => {
    const r = replies[i];
    const rows = r.type === "board" ? r.entries : [];
    return el("section", { class: "card board", "data-mode": mode },
      el("h2", {}, label),
      rows.length ? el("table", { class: "standings" }, el("tbody", {}, ...rows.map((e) =>
        el("tr", { class: "top" + e.rank }, el("td", { class: "num" }, e.rank), el("td", {}, e.name),
          el("td", { class: "num score" }, fmtNum(e.score))))))
        : el("p", { class: "muted" }, "No scores yet"));
  });
  document.getElementById("boards").replaceChildren(...cards);
}

document.title = { daily: "Today", weekly: "This week", all_time: "All time" }[period] + " · Ringside";
live = new Live({
  onOpen: () => refresh(),
  onMessage: () => {},
  onStatus: (s) => { const n = document.getElementById("status"); n.textContent = s === "live" ? "● live" : "reconnecting…"; n.className = "status " + s; },
});
setInterval(() => { if (live.ws.readyState === 1) refresh(); }, 15000);
for (const a of document.querySelectorAll("#periods a")) {
  if (a.getAttribute("href") === "?period=" + period) a.classList.add("current");
}
