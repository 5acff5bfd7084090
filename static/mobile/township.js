/* Township page: my township's work orders (accept, start, feed back with a photo and location; a
 * township officer passes an order given to the township to one of its grids) and patrol rounds. */
"use strict";
(() => {
  const { S, api, el } = M;
  let grids = [];

  /* A grid select and a button, for an order the township was given and has not passed on yet. */
  function passToGrid(order, reload) {
    if (!grids.length || order.assignee_kind !== "township" || !["dispatched", "accepted"].includes(order.state)) return [];
    const choice = el("select", { name: "grid", "data-pass": order.id },
      el("option", { value: "" }, S.chooseGrid), ...grids.filter((g) => g.township === order.township)
        .map((g) => el("option", { value: g.id }, g.name)));
    return [choice, el("button", { type: "button", class: "secondary", "data-action": "pass-to-grid", onclick: () => {
      if (!choice.value) { M.flash(S.chooseGrid, true); return; }
      M.act(api(`work-orders/${order.id}/pass-to-grid/`, { method: "POST", json: { grid: Number(choice.value) } }), reload);
    } }, S.passToGrid)];
  }

  const orders = () => M.orderList("orders", "mine=true&open=true", { extra: passToGrid });

  document.getElementById("start-round").textContent = S.startPatrol;
  document.getElementById("start-round").addEventListener("click", async () => {
    const enterprise = document.getElementById("enterprise").value;
    if (!enterprise) { M.flash(S.chooseEnterprise, true); return; }
    try {
      const draft = await api("round-drafts/", { method: "POST", json: { kind: "patrol", enterprise: Number(enterprise) } });
      M.roundEditor("round", draft, orders);
    } catch (err) { M.flash(err.message, true); }
  });

  M.onReady(async (me) => { if (me.role === "township") grids = await api("work-orders/grids/"); });
  M.onReady(orders);
  M.onReady(() => M.enterpriseChoice("enterprise"));
})();
