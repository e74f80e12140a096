// Small behaviours shared by every page: live-connection indicator, copy buttons.
document.addEventListener("htmx:wsOpen", () => {
  document.getElementById("live-status")?.classList.add("connected");
});
document.addEventListener("htmx:wsClose", () => {
  document.getElementById("live-status")?.classList.remove("connected");
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const text = source?.value ?? source?.textContent ?? "";
  navigator.clipboard?.writeText(text.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// Form sections that only apply to some choices: data-show-when="<field name>:<value>,<value>".
function applyShowWhen(root) {
  root.querySelectorAll("[data-show-when]").forEach((element) => {
    const [name, values] = element.dataset.showWhen.split(":");
    const form = element.closest("form") || document;
    const inputs = [...form.querySelectorAll(`[name="${name}"]`)];
    const current = inputs.find((input) => input.type !== "radio" || input.checked)?.value;
    element.hidden = !values.split(",").includes(current);
  });
}
document.addEventListener("change", () => applyShowWhen(document));
document.addEventListener("DOMContentLoaded", () => applyShowWhen(document));
document.addEventListener("htmx:afterSettle", (event) => applyShowWhen(event.target));

// Pickers fill a field: <button data-fill="#field" data-value="…">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill]");
  if (!button || button.disabled) return;
  const field = document.querySelector(button.dataset.fill);
  if (field) {
    field.value = button.dataset.value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
