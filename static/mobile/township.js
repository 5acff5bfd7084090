/* Township page: my township's work orders (accept, start, feed back with a photo) and patrol rounds. */
"use strict";
(() => {
  const { S, api } = M;
  const orders = () => M.orderList("orders", "mine=true&open=true");

  document.getElementById("start-round").textContent = S.startPatrol;
  document.getElementById("start-round").addEventListener("click", async () => {
    const enterprise = document.getElementById("enterprise").value;
    if (!enterprise) { M.flash(S.chooseEnterprise, true); return; }
    try {
      const draft = await api("round-drafts/", { method: "POST", json: { kind: "patrol", enterprise: Number(enterprise) } });
      M.roundEditor("round", draft, orders);
    } catch (err) { M.flash(err.message, true); }
  });

  M.onReady(orders);
  M.onReady(() => M.enterpriseChoice("enterprise"));
})();
