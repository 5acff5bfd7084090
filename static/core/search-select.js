/* Server-side search for every <select data-search-url>: a search box before the select; typing asks
 * the endpoint (?search=, first 30 by the endpoint's order) and fills the options; the count says when
 * more match than are shown. Labels are built from data-search-label ("{enterprise_name} {code}"). */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-search-url]")) {
    const box = document.createElement("input");
    box.type = "search";
    box.placeholder = select.dataset.searchPlaceholder || "";
    box.autocomplete = "off";
    box.className = "search-select";
    const count = document.createElement("small");
    select.before(box);
    select.after(count);
    const label = (item) => select.dataset.searchLabel.replace(/\{(\w+)\}/g, (_, key) => item[key] ?? "");
    let asked = 0;
    let timer = null;
    const load = async () => {
      const mine = ++asked;
      const url = new URL(select.dataset.searchUrl, location.href);
      url.searchParams.set("search", box.value.trim());
      url.searchParams.set("page_size", "30");
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      const page = await response.json();
      const chosen = select.value;
      const blank = select.querySelector("option[value='']");
      select.replaceChildren(...(blank ? [blank] : []), ...page.results.map((item) => {
        const option = document.createElement("option");
        option.value = String(item.id);
        option.textContent = label(item);
        option.selected = String(item.id) === chosen;
        return option;
      }));
      if (page.results.length === 1) select.value = String(page.results[0].id);
      count.textContent = ` ${page.results.length} / ${page.count}`;
    };
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 250); });
    load();
  }
});
