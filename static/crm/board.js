// The deal board: a card dropped on another column moves there. HTML5 drag-and-drop posts the
// same move as the card's own "Move" buttons (which work without it), through htmx, with the
// board's filters, and the board comes back redrawn.
(() => {
  let dragged = null;

  const columnOf = (element) => element?.closest?.(".board-column[data-stage]") ?? null;

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.(".deal-card[data-move-url]");
    if (!card) return;
    dragged = { url: card.dataset.moveUrl, from: columnOf(card)?.dataset.stage };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", (event) => {
    event.target.closest?.(".deal-card")?.classList.remove("dragging");
    document.querySelectorAll(".board-column.drop-target").forEach((column) => {
      column.classList.remove("drop-target");
    });
    dragged = null;
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", (event) => {
    const column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const move = dragged;
    dragged = null;
    if (move.from === column.dataset.stage) return;
    const filters = document.getElementById("board-filters");
    const values = filters ? Object.fromEntries(new FormData(filters)) : {};
    values.stage = column.dataset.stage;
    htmx.ajax("POST", move.url, { source: column, target: "#board", swap: "outerHTML", values });
  });
})();
