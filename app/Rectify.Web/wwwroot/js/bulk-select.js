// The ledger's bulk selection: the header box ticks every row of the page, and the count above the buttons says
// what a bulk action will work on. Without script every row box still works on its own.
(() => {
  const form = document.getElementById("bulk");
  const count = document.getElementById("bulk-count");
  const all = document.getElementById("bulk-all");
  if (!form || !count || !all) return;
  const rows = () => [...document.querySelectorAll(`input[name="Ids"][form="${form.id}"]`)];
  const page = document.querySelector(`[data-select-all="${form.id}"]`);
  const initial = count.textContent;
  const update = () => {
    const ticked = rows().filter(r => r.checked).length;
    if (page) page.checked = ticked > 0 && ticked === rows().length;
    count.textContent = all.checked ? all.parentElement.textContent.trim()
      : ticked > 0 ? (document.documentElement.lang === "en" ? `${ticked} selected` : `已选择 ${ticked} 个问题`) : initial;
  };
  page?.addEventListener("change", () => { rows().forEach(r => { r.checked = page.checked; }); update(); });
  document.addEventListener("change", e => { if (e.target.matches?.(`input[name="Ids"], #bulk-all`)) update(); });
})();
