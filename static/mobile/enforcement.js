/* Enforcement page: inspection rounds, my (team's) work orders, and for bureau staff the review queue. */
"use strict";
(() => {
  const { S, api } = M;
  const orders = () => M.orderList("orders", "mine=true&open=true");

  document.getElementById("start-round").textContent = S.startInspection;
  document.getElementById("start-round").addEventListener("click", async () => {
    const enterprise = document.getElementById("enterprise").value;
    if (!enterprise) { M.flash(S.chooseEnterprise, true); return; }
    try {
      const draft = await api("round-drafts/", { method: "POST", json: { kind: "inspection", enterprise: Number(enterprise) } });
      M.roundEditor("round", draft, orders);
    } catch (err) { M.flash(err.message, true); }
  });

  M.onReady(orders);
  M.onReady(() => M.enterpriseChoice("enterprise"));
  M.onReady(async (me) => {
    if (me.role !== "bureau" && !me.is_superuser) return;
    document.getElementById("review-section").hidden = false;
    const review = () => M.orderList("review", "state=fed_back", { handler: false, reviewer: true });
    await review();
  });
})();
