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
