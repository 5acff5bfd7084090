/* Enterprise page: my open warnings (acknowledge), my self-check notices (fill the checklist line by
 * line, submit) and my work orders. */
"use strict";
(() => {
  const { S, api, el, when, act } = M;

  async function alerts() {
    const list = document.getElementById("alerts");
    const page = await api("alerts/?open=true");
    list.replaceChildren(...(page.results.length ? page.results.map((alert) => el("li", { dataset: { alert: alert.id } },
      el("div", {}, el("strong", {}, `${alert.outlet_code} ${alert.pollutant_code || ""} ${alert.rule_label}`), " ",
        el("span", { class: "state" }, alert.state_label)),
      el("div", { class: "meta" }, when(alert.opened_at), alert.value != null ? ` · ${alert.value} / ${alert.limit_value}` : ""),
      ["opened", "notified"].includes(alert.state)
        ? el("button", { type: "button", onclick: () => act(api(`alerts/${alert.id}/acknowledge/`, { method: "POST" }), alerts) }, S.acknowledge)
        : null)) : [el("li", { class: "meta" }, S.nothing)]));
  }

  async function notices() {
    const list = document.getElementById("notices");
    const page = await api("self-check-notices/?completed_at__isnull=true");
    list.replaceChildren(...(page.results.length ? page.results.map((notice) => el("li", { dataset: { notice: notice.id } },
      el("div", {}, el("strong", {}, notice.campaign_title || notice.batch), " ", el("span", { class: "meta" }, S.due, " ", when(notice.due_at))),
      el("button", { type: "button", onclick: async () => {
        try {
          const draft = await api(`self-check-notices/${notice.id}/open/`, { method: "POST" });
          M.roundEditor("round", draft, notices);
        } catch (err) { M.flash(err.message, true); }
      } }, S.fill))) : [el("li", { class: "meta" }, S.nothing)]));
  }

  M.onReady(alerts);
  M.onReady(notices);
  M.onReady(() => M.orderList("orders", "open=true", { handler: false }));
})();
