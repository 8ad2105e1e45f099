"use strict";
// A reconnecting protocol client shared by the TV and coach pages. After every (re)connect it
// calls onOpen so the page re-reads its state: pushes can be missed while disconnected.
class Live {
  constructor({ onOpen, onMessage, onStatus }) {
    this.onOpen = onOpen; this.onMessage = onMessage; this.onStatus = onStatus || (() => {});
    this.nextId = 1; this.pending = new Map(); this.delayMs = 500; this.connect();
  }
  connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    this.ws = new WebSocket(url);
    this.ws.onopen = () => { this.delayMs = 500; this.onStatus("live"); this.onOpen(this); };
    this.ws.onmessage = (ev) => {
      let msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      const waiter = msg.re !== undefined ? this.pending.get(msg.re) : undefined;
      if (waiter) { this.pending.delete(msg.re); waiter(msg); }
      this.onMessage(msg);
    };
    this.ws.onclose = () => {
      this.onStatus("down");
      for (const waiter of this.pending.values()) waiter({ type: "error", code: "disconnected", message: "connection lost" });
      this.pending.clear();
      setTimeout(() => this.connect(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, 10000);
    };
  }
  request(message) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify(Object.assign({ v: 1, id }, message)));
    });
  }
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") node.className = v; else node.setAttribute(k, v); }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : String(c)));
  return node;
}
function fmtNum(x) { return typeof x === "number" ? (Number.isInteger(x) ? x.toLocaleString("en") : x.toFixed(1)) : "–"; }
function fmtTime(ms) { return ms ? new Date(ms).toLocaleString() : "–"; }
