/* Enterprise page: my eco-code (colour, score and why points were lost), my open warnings (acknowledge),
 * my self-check notices (fill the checklist line by line, submit) and my work orders. */
"use strict";
(() => {
  const { S, api, el, when, act } = M;

  async function ecoCode(me) {
    const box = document.getElementById("ecocode");
    let code;
    try { code = await api(`ecocode/codes/${me.enterprise}/`); } catch (err) { box.replaceChildren(el("p", { class: "meta" }, S.notScored)); return; }
    const reasons = (code.explanation || []).filter((e) => e.reason).map((e) => el("li", {}, e.reason));
    box.replaceChildren(
      el("div", { class: "row" }, el("span", { class: `chip colour-${code.colour || "none"}`, "data-colour": code.colour || "" },
        S.colours[code.colour] || S.notScored),
      code.score != null ? el("strong", {}, `${S.score} ${Number(code.score).toFixed(1)}`) : null,
      el("span", { class: "meta" }, when(code.scored_at))),
      reasons.length ? el("div", {}, el("div", { class: "meta" }, S.lostPoints), el("ul", { class: "reasons" }, ...reasons)) : null);
  }

  async function alerts() {
    const list = document.getElementById("alerts");
    const page = await api("alerts/?open=true");
    list.replaceChildren(...(page.results.length ? page.results.map((alert) => el("li", { dataset: { alert: alert.id } },
      el("div", {}, el("strong", {}, `${alert.outlet_code} ${alert.pollutant_name || ""} ${alert.rule_label}`), " ",
        el("span", { class: "state" }, alert.state_label)),
      el("div", { class: "meta" }, when(alert.opened_at), alert.value_text ? ` · ${alert.value_text} / ${alert.limit_text}` : ""),
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

  M.onReady(ecoCode);
  M.onReady(alerts);
  M.onReady(notices);
  M.onReady(() => M.orderList("orders", "open=true", { handler: false }));
})();
