"use strict";
document.getElementById("ws-url").textContent = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
document.getElementById("tv-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const code = document.getElementById("code").value.trim().toUpperCase();
  if (/^[A-Z0-9]{4,12}$/.test(code)) location.href = "/tv/" + code;
});
