/* Shared code of the three mobile pages: login with an API token kept in localStorage, API calls that
 * carry an Idempotency-Key (a retry after a network failure resends the same key, so nothing is created
 * twice), safe DOM building, work-order lists and the line-by-line checklist round editor.
 * Only ever talks to /api/v1/. UI strings come translated from the page (#m-strings). */
"use strict";
const M = (() => {
  const S = JSON.parse(document.getElementById("m-strings").textContent);
  const API = document.body.dataset.api;
  const ROLES = document.body.dataset.roles.split(",");
  const TOKEN = "enforcement.api.token";
  let me = null;
  const readyHandlers = [];

  class ApiError extends Error {
    constructor(status, data) { super(describe(data) || `${S.error} ${status}`); this.status = status; this.data = data; }
  }

  function describe(data) {
    if (!data || typeof data !== "object") return "";
    if (data.detail) return String(data.detail);
    // The API's messages are translated; its field names are not, so they are left out.
    return Object.values(data).flat(Infinity).map(String).join("；");
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function flash(message, isError = false) {
    const box = document.getElementById("flash");
    box.textContent = message || "";
    box.className = isError ? "error" : "";
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value != null) node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child != null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(path, { method = "GET", json, form, retries = 2 } = {}) {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem(TOKEN);
    if (token) headers.Authorization = `Token ${token}`;
    let body;
    if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
    if (form) body = form;
    if (method !== "GET" && !path.startsWith("auth/")) headers["Idempotency-Key"] = uuid();
    for (let attempt = 0; ; attempt += 1) {
      let response;
      try {
        response = await fetch(API + path, { method, headers, body, credentials: "same-origin" });
      } catch (err) {
        if (attempt >= retries) throw err;
        flash(S.network, true);
        await sleep(700 * (attempt + 1));
        continue;
      }
      if (response.status === 401 && token) { signOut(); }
      const data = response.status === 204 ? null : await response.json().catch(() => null);
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
  }

  // Times as the county reads them, whatever the phone's own language and zone.
  const when = (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) : "");

  function showApp(show) {
    document.getElementById("login").hidden = show;
    document.getElementById("app").hidden = !show;
    document.getElementById("logout").hidden = !show;
  }

  function signOut() {
    localStorage.removeItem(TOKEN);
    me = null;
    document.getElementById("who").textContent = "";
    showApp(false);
  }

  async function start() {
    try {
      me = await api("auth/me/");
    } catch (err) { signOut(); return; }
    if (!ROLES.includes(me.role)) { flash(S.wrongRole, true); signOut(); return; }
    document.getElementById("who").textContent = me.enterprise_name || me.township_name || me.username;
    showApp(true);
    for (const handler of readyHandlers) {
      try { await handler(me); } catch (err) { flash(err.message, true); }
    }
  }

  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const data = await api("auth/token/", { method: "POST",
        json: { username: form.get("username"), password: form.get("password") } });
      localStorage.setItem(TOKEN, data.token);
      flash("");
      await start();
    } catch (err) { flash(err.status === 400 ? S.loginFailed : err.message, true); }
  });

  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("auth/logout/", { method: "POST" }); } finally { signOut(); }
  });

  /* Run an action and report it; reload what it changed. */
  async function act(promise, reload) {
    try { await promise; flash(S.done); } catch (err) { flash(err.message, true); }
    if (reload) await reload();
  }

  /* The device's position, asked for only when the user ticks the box (the browser asks consent too). */
  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null),
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function locationBox() {
    const box = el("input", { type: "checkbox", name: "share_location", class: "inline-check" });
    return { box, label: el("label", { class: "check" }, box, S.shareLocation) };
  }

  function feedbackForm(order, reload) {
    const text = el("textarea", { name: "text", rows: 2, placeholder: S.feedbackText, required: true });
    // The browser's own file button speaks the browser's language: a label in ours stands in for it.
    const photo = el("input", { type: "file", name: "files", accept: "image/*", capture: "environment", class: "file-input" });
    const chosen = el("span", { class: "meta file-name" }, S.noPhoto);
    photo.addEventListener("change", () => {
      chosen.textContent = photo.files.length ? Array.from(photo.files, (file) => file.name).join("、") : S.noPhoto;
    });
    const where = locationBox();
    return el("form", { class: "feedback", onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData();
      data.append("text", text.value);
      for (const file of photo.files) data.append("files", file);
      if (where.box.checked) {
        const coords = await position();
        if (coords) {
          data.append("latitude", coords.latitude.toFixed(6));
          data.append("longitude", coords.longitude.toFixed(6));
        } else flash(S.noLocation, true);
      }
      act(api(`work-orders/${order.id}/feedback/`, { method: "POST", form: data }), reload);
    } }, el("label", {}, S.feedbackText, text),
    el("div", { class: "row" }, el("label", { class: "file-button" }, S.choosePhoto, photo), chosen), where.label,
    el("button", { type: "submit" }, S.feedback));
  }

  /* The buttons a handler or reviewer needs for an order in its state (the API decides what is allowed). */
  function orderControls(order, reload, { handler = true, reviewer = false, extra = null } = {}) {
    const post = (action) => () => act(api(`work-orders/${order.id}/${action}/`, { method: "POST", json: {} }), reload);
    const controls = [];
    if (handler && order.state === "dispatched") controls.push(el("button", { type: "button", "data-action": "accept", onclick: post("accept") }, S.accept));
    if (handler && order.state === "accepted") controls.push(el("button", { type: "button", "data-action": "start", onclick: post("start") }, S.start));
    if (handler && order.state === "handling") controls.push(feedbackForm(order, reload));
    if (reviewer && order.state === "fed_back") {
      controls.push(el("button", { type: "button", "data-action": "approve", onclick: post("approve") }, S.approve));
      controls.push(el("button", { type: "button", class: "secondary", "data-action": "send-back", onclick: post("send-back") }, S.sendBack));
    }
    if (reviewer && order.state === "reviewed") controls.push(el("button", { type: "button", "data-action": "close", onclick: post("close") }, S.close));
    if (extra) controls.push(...extra(order, reload));
    return controls;
  }

  /* The complaint's photo, fetched with the token (an <img src> could not send it). */
  async function complaintPhoto(order) {
    const img = el("img", { class: "evidence", alt: S.photo });
    try {
      const response = await fetch(order.complaint_photo, { headers: { Authorization: `Token ${localStorage.getItem(TOKEN)}` } });
      if (response.ok) img.src = URL.createObjectURL(await response.blob());
    } catch (err) { /* the text still shows */ }
    return img;
  }

  function orderFacts(order) {
    const facts = [];
    if (order.description) facts.push(el("div", { class: "description" }, order.description));
    if (order.complaint_photo) {
      const holder = el("div", { class: "photo" });
      complaintPhoto(order).then((img) => holder.append(img));
      facts.push(holder);
    }
    return facts;
  }

  async function orderList(listId, query, options = {}) {
    const list = document.getElementById(listId);
    const reload = () => orderList(listId, query, options);
    const page = await api(`work-orders/?${query}`);
    list.replaceChildren(...(page.results.length ? page.results.map((order) => el("li", { dataset: { order: order.id } },
      el("div", {}, el("strong", {}, order.title), " ", el("span", { class: "state" }, order.state_label)),
      el("div", { class: "meta" }, order.enterprise_name || order.township_name, " · ", S.due, " ", when(order.due_at),
        order.overdue_since ? el("span", { class: "overdue" }, " ", S.overdue) : null),
      ...orderFacts(order),
      el("div", { class: "row" }, ...orderControls(order, reload, options)))) : [el("li", { class: "meta" }, S.nothing)]));
  }

  /* The line-by-line editor of a round draft: every change is saved at once (PUT, idempotent). */
  function roundEditor(containerId, draft, onSubmitted) {
    const box = document.getElementById(containerId);
    const answers = { ...draft.answers };
    const count = el("span", { class: "meta" });
    const refresh = () => { count.textContent = `${Object.keys(answers).length}/${draft.checklist.lines.length} ${S.answered}`; };
    const lines = draft.checklist.lines.map((line) => {
      const saved = answers[String(line.id)] || {};
      const note = el("textarea", { rows: 1, placeholder: S.note }, saved.note || "");
      const node = el("div", { class: saved.result ? "line answered" : "line", dataset: { line: line.id } });
      const save = async () => {
        const chosen = node.querySelector("input[type=radio]:checked");
        if (!chosen) return;
        const answer = { result: chosen.value, note: note.value };
        try {
          await api(`round-drafts/${draft.client_uuid}/lines/${line.id}/`, { method: "PUT", json: answer });
          answers[String(line.id)] = answer;
          node.className = "line answered";
          refresh();
          flash(answer.result === "fail" && !answer.note ? S.failNeedsNote : S.roundSaved, answer.result === "fail" && !answer.note);
        } catch (err) { flash(err.message, true); }
      };
      note.addEventListener("change", save);
      const choices = ["pass", "fail", "na"].map((value) => el("label", {},
        el("input", { type: "radio", name: `line-${line.id}`, value, checked: saved.result === value, onchange: save }), S[value]));
      node.append(el("div", {}, `${line.seq}. ${line.title}`), el("div", { class: "meta" }, line.requirement),
        el("div", { class: "choices" }, ...choices), note);
      return node;
    });
    const where = draft.kind === "inspection" ? locationBox() : null;
    const submit = el("button", { type: "button", id: "submit-round", onclick: async () => {
      try {
        const json = {};
        if (where && where.box.checked) {
          const coords = await position();
          if (coords) Object.assign(json, { latitude: Number(coords.latitude.toFixed(6)), longitude: Number(coords.longitude.toFixed(6)) });
          else flash(S.noLocation, true);
        }
        await api(`round-drafts/${draft.client_uuid}/submit/`, { method: "POST", json });
        flash(S.submitted);
        box.replaceChildren();
        if (onSubmitted) await onSubmitted();
      } catch (err) { flash(err.message, true); }
    } }, S.submit);
    box.replaceChildren(el("h3", {}, draft.enterprise_name), ...lines, ...(where ? [where.label] : []),
      el("div", { class: "row" }, submit, count));
    refresh();
  }

  /* An enterprise picker searched on the server (name or credit code): a search box above the select. */
  async function enterpriseChoice(selectId) {
    const select = document.getElementById(selectId);
    const search = el("input", { type: "search", id: `${selectId}-search`, placeholder: S.searchEnterprise, autocomplete: "off" });
    const count = el("div", { class: "meta", id: `${selectId}-count` });
    select.before(search);
    select.after(count);
    let asked = 0;
    const load = async () => {
      const mine = ++asked;
      const page = await api(`enterprises/?page_size=50&ordering=name&search=${encodeURIComponent(search.value.trim())}`);
      if (mine !== asked) return;  // a newer search has been sent
      select.replaceChildren(el("option", { value: "" }, S.chooseEnterprise),
        ...page.results.map((e) => el("option", { value: e.id }, e.name)));
      if (page.results.length === 1) select.value = String(page.results[0].id);
      count.textContent = page.count > page.results.length ? `${page.results.length} / ${page.count} ${S.refine}` : `${page.count}`;
    };
    let timer = null;
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => load().catch((err) => flash(err.message, true)), 250); });
    await load();
  }

  function onReady(handler) { readyHandlers.push(handler); }

  document.addEventListener("DOMContentLoaded", () => { if (localStorage.getItem(TOKEN)) start(); });
  return { S, api, el, flash, when, act, onReady, orderList, roundEditor, enterpriseChoice, position, locationBox };
})();
