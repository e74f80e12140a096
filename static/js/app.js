// Small behaviours shared by every page: live-connection indicator, header links, copy buttons.
// Below 1240 px the indicator is inside the ☰ menu, so a lost connection also shows #live-lost
// outside it (CSS hides it on a desktop screen): "reconnecting…" while the ws extension retries
// (closed abnormally or for a restart), else that the page gets no more updates (closed for
// good: signed out, removed). Leaving the page (1001) shows nothing.
const RECONNECTING_CODES = [1006, 1011, 1012, 1013];
// The dot's colour says the state to the eye; its hidden words say it to a screen reader.
function showLiveState(connected) {
  const status = document.getElementById("live-status");
  if (!status) return;
  status.classList.toggle("connected", connected);
  const words = status.querySelector("[data-live-state]");
  if (words) words.textContent = `Live updates ${connected ? "connected" : "disconnected"}`;
}
document.addEventListener("htmx:wsOpen", () => {
  showLiveState(true);
  const lost = document.getElementById("live-lost");
  if (lost) lost.hidden = true;
});
document.addEventListener("htmx:wsClose", (event) => {
  showLiveState(false);
  const lost = document.getElementById("live-lost");
  const code = event.detail?.event?.code;
  if (!lost || code === 1001) return;
  lost.textContent = RECONNECTING_CODES.includes(code)
    ? "Live updates paused — reconnecting…"
    : "Live updates stopped: reload the page to see changes.";
  lost.hidden = false;
});
// A header too narrow for all its links scrolls them sideways: the page's own link is in sight
// (the links alone scroll, not the page).
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".mainnav");
  const current = nav?.querySelector("[aria-current]");
  if (!current) return;
  const past = current.getBoundingClientRect().right - nav.getBoundingClientRect().right;
  if (past > 0) nav.scrollLeft += past + 16;
});
// A link reached with the keyboard comes wholly into sight (browsers leave one partly shown).
document.addEventListener("focusin", (event) => {
  if (event.target.closest?.(".mainnav")) {
    event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
});
// The ☰ button (below 1240px) opens and closes the header's links. Escape closes them wherever
// the focus is (and gives the button the focus back when it was in the header); tabbing out of
// the header into the page closes them too, so an open menu never covers the page being used.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
});
document.addEventListener("keydown", (event) => {
  const toggle = document.querySelector(".nav-toggle[aria-expanded=true]");
  if (event.key !== "Escape" || !toggle) return;
  toggle.setAttribute("aria-expanded", "false");
  if (event.target.closest?.(".topbar")) toggle.focus();
});
document.addEventListener("focusout", (event) => {
  const header = event.target.closest?.(".topbar");
  const toggle = header?.querySelector(".nav-toggle[aria-expanded=true]");
  // Focus going nowhere (a click on the page's background, or a button a browser does not
  // focus on click) leaves the menu as it is.
  if (!toggle || !event.relatedTarget || header.contains(event.relatedTarget)) return;
  toggle.setAttribute("aria-expanded", "false");
});
// A page that a refused save reloads puts focus on what to fix: its error summary (the shared
// `error_summary.html`), else its first field marked aria-invalid, which names its error, unless
// the page gave the focus to something else (autofocus).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    return;
  }
  if (document.querySelector("[autofocus]")) return;
  const invalid = [...document.querySelectorAll('main [aria-invalid="true"]')];
  invalid.find((field) => field.checkVisibility())?.focus();
});
// Marked after the focus above: a list's filters it cannot use are said (role="alert") without
// taking the focus from the page.
document.addEventListener("DOMContentLoaded", markFilterErrors);
// A list's filters it cannot use (`templates/filter_errors.html`, #filter-errors, drawn with
// the list whenever it is loaded or swapped in): each control of the filter form whose field is
// in its data-invalid-fields is aria-invalid and names the errors in aria-describedby; the
// others are unmarked again.
function markFilterErrors() {
  const said = document.getElementById("filter-errors");
  const wrong = (said?.dataset.invalidFields || "").split(" ").filter(Boolean);
  document.querySelectorAll("form[data-filters] [name]").forEach((control) => {
    const described = (control.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((id) => id && id !== "filter-errors");
    if (wrong.includes(control.name)) {
      control.setAttribute("aria-invalid", "true");
      described.push("filter-errors");
    } else if (control.hasAttribute("data-filter-invalid")) {
      control.removeAttribute("aria-invalid");
    }
    control.toggleAttribute("data-filter-invalid", wrong.includes(control.name));
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  });
}
document.addEventListener("htmx:afterSettle", markFilterErrors);
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const text = source?.value ?? source?.textContent ?? "";
  navigator.clipboard?.writeText(text.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    // A button named for what it copies (aria-label) is not re-read: say it.
    if (button.hasAttribute("aria-label")) announce("Copied");
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// Form sections that only apply to some choices: data-show-when="<field name>:<value>,<value>"
// (a checkbox's value counts only while it is ticked: "create_deal:on").
// A hidden section never blocks a submit: a hidden <fieldset> is disabled (its fields are neither
// validated nor sent); in any other hidden section the fields are still sent but left out of the
// browser's validation (text fields read-only, `required` set aside), and restored when shown.
const CONTROLS = "input:not([type=hidden]), select, textarea";

function setAsideValidation(section, hidden) {
  section.querySelectorAll(CONTROLS).forEach((control) => {
    if (hidden && !("asideReadOnly" in control.dataset)) {
      control.dataset.asideReadOnly = control.readOnly ? "1" : "";
      control.dataset.asideRequired = control.required ? "1" : "";
      control.readOnly = true;  // read-only controls are barred from constraint validation
      control.required = false;  // selects, checkboxes and radios have no read-only state
    } else if (
      !hidden
      && "asideReadOnly" in control.dataset
      && !control.closest("[data-show-when][hidden]")
    ) {
      control.readOnly = control.dataset.asideReadOnly === "1";
      control.required = control.dataset.asideRequired === "1";
      delete control.dataset.asideReadOnly;
      delete control.dataset.asideRequired;
    }
  });
}

function applyShowWhen(root) {
  root.querySelectorAll("[data-show-when]").forEach((element) => {
    const [name, values] = element.dataset.showWhen.split(":");
    const form = element.closest("form") || document;
    const inputs = [...form.querySelectorAll(`[name="${name}"]`)];
    const current = inputs.find(
      (input) => !["radio", "checkbox"].includes(input.type) || input.checked,
    )?.value;
    const hidden = !values.split(",").includes(current);
    element.hidden = hidden;
    if (element instanceof HTMLFieldSetElement) {
      element.disabled = hidden;
    } else {
      setAsideValidation(element, hidden);
    }
  });
}
document.addEventListener("change", () => applyShowWhen(document));
document.addEventListener("DOMContentLoaded", () => applyShowWhen(document));
document.addEventListener("htmx:afterSettle", (event) => applyShowWhen(event.target));
document.addEventListener("htmx:oobAfterSwap", () => applyShowWhen(document));

// Pickers fill a field: <button data-fill="#field" data-value="…">. A picker marking the
// current choice (aria-pressed, with its hidden [data-current-badge] beside it) follows the
// field, whether a button filled it or a number was typed: `data-numbers` are all the numbers
// of a choice, compared by their last ten digits (a US number with or without its +1).
function lastDigits(value) {
  return (value || "").replace(/\D/g, "").slice(-10);
}

function markCurrentChoice(field) {
  if (!field.id) return;
  const typed = lastDigits(field.value);
  document.querySelectorAll(`[data-fill="#${CSS.escape(field.id)}"][aria-pressed]`).forEach((button) => {
    const numbers = (button.dataset.numbers || button.dataset.value).split(" ").map(lastDigits);
    const current = typed.length === 10 && numbers.includes(typed);
    button.setAttribute("aria-pressed", current ? "true" : "false");
    const badge = button.parentElement.querySelector("[data-current-badge]");
    if (badge) badge.hidden = !current;
  });
}
document.addEventListener("change", (event) => {
  if (event.target.matches?.("input")) markCurrentChoice(event.target);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill]");
  if (!button || button.disabled) return;
  const field = document.querySelector(button.dataset.fill);
  if (field) {
    field.value = button.dataset.value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
});

// Live frames from the socket (see campaignhub/live.py). A frame is a list of fragments swapped
// out of band; the "live-frames" extension prepares each one against this page first:
// - a fragment whose target the page does not have is dropped (each page shows a part of the
//   account, and the server does not know which part);
// - rows carry data-version: an older row never replaces a newer one, whatever order frames
//   arrive in;
// - rows inserted into a live list (`<tbody hx-swap-oob="afterbegin:#…">`, or `beforeend:` for
//   the row moving up from the next page after a removal) that the page already shows replace
//   the shown row instead, so a row is never listed twice.
function versionOf(element) {
  const value = element?.getAttribute?.("data-version");
  return value === null || value === undefined ? null : Number(value);
}

function isOlder(incoming, current) {
  const incomingVersion = versionOf(incoming);
  const currentVersion = versionOf(current);
  return incomingVersion !== null && currentVersion !== null && incomingVersion < currentVersion;
}

function oobTarget(fragment) {
  const spec = fragment.getAttribute("hx-swap-oob") || "true";
  const colon = spec.indexOf(":");
  if (colon > 0) return document.querySelector(spec.slice(colon + 1));
  return fragment.id ? document.getElementById(fragment.id) : null;
}

// Whether a live list has room for a row at its end (after a removal, the row that moves up
// from the next page comes in a frame of its own).
function hasRoom(list) {
  const size = Number(list.dataset.livePageSize);
  return !size || listedRows(list).length < size;
}

function prepareLiveFrame(text) {
  const template = document.createElement("template");
  template.innerHTML = text;
  for (const fragment of [...template.content.children]) {
    const spec = fragment.getAttribute("hx-swap-oob") || "true";
    const row = fragment.firstElementChild;
    const shown = row?.id ? document.getElementById(row.id) : null;
    const inserts = spec.startsWith("afterbegin:") || spec.startsWith("beforeend:");
    if (inserts && shown) {
      // An insert wraps one row; a page already showing it gets the row in place instead.
      if (isOlder(row, shown)) {
        fragment.remove();
      } else {
        row.setAttribute("hx-swap-oob", "true");
        fragment.replaceWith(row);
      }
      continue;
    }
    const target = oobTarget(fragment);
    if (!target || isOlder(fragment, target)) fragment.remove();
    else if (spec === "delete") countLeaving(target);
    else if (spec.startsWith("afterbegin:") && "liveNewestFirst" in target.dataset) {
      announceArrivals(fragment);
      placeNewestFirst(target, [...fragment.children]);
      fragment.remove();
    } else if (spec.startsWith("afterbegin:")) {
      announceArrivals(fragment);
      makeRoom(target, fragment.children.length);
    }
    else if (spec.startsWith("beforeend:") && !hasRoom(target)) fragment.remove();
    else keepEdits(target, fragment);
  }
  return template.innerHTML;
}

// One polite live region (#announcer, base.html) says what changes out of sight: a row arriving
// live ("New lead: Ann Lee", its data-announce) and what a filter form's results are. What comes
// together is said together, once each; the region is emptied first, so the same words said
// again (the same count for other filters) are read again, and emptied once said, so what a
// reader finds there later is never a stale copy of the page's words.
const announcements = new Set();
let silence;

function announce(text) {
  const region = document.getElementById("announcer");
  text = text?.replace(/\s+/g, " ").trim();
  if (!region || !text) return;
  if (!announcements.size) {
    region.textContent = "";
    clearTimeout(silence);
    setTimeout(() => {
      region.textContent = [...announcements].join(". ");
      announcements.clear();
      silence = setTimeout(() => (region.textContent = ""), 1000);
    }, 150);
  }
  announcements.add(text);
}

function announceArrivals(fragment) {
  for (const row of fragment.children) announce(row.dataset.announce);
}

// A filtered list's results in words: its empty line when nothing is listed, else its pager's
// count ("Page 1 of 1 · 1 in all"), or the summary a region gives (data-results-summary, the
// report's). Filter errors say themselves (role=alert).
function resultsSummary(region) {
  if (region.querySelector("[role=alert]")) return "";
  const summary = region.closest("[data-results-summary]") ?? region.querySelector("[data-results-summary]");
  if (summary) return summary.dataset.resultsSummary || summary.textContent;
  const empty = region.querySelector(".empty-row:only-child");
  if (empty) return empty.textContent;
  return region.querySelector("[data-pager-summary]")?.textContent ?? "";
}

document.addEventListener("htmx:afterSettle", (event) => {
  const form = event.detail.requestConfig?.elt;
  if (!form?.matches?.("form[data-filters]")) return;
  const region = document.querySelector(form.getAttribute("hx-target"));
  if (region) announce(resultsSummary(region));
});

function listedRows(list) {
  return [...list.children].filter((row) => !row.classList.contains("empty-row"));
}

// A live list (data-live-page-size) keeps the size of its page: rows arriving at the top push
// the last ones off (they move to the next page). Its pager (`.pager[data-live-count]`, in the
// same card) counts the arrivals, with the pages they make.
function makeRoom(list, arriving) {
  const size = Number(list.dataset.livePageSize);
  if (size) listedRows(list).slice(Math.max(size - arriving, 0)).forEach((row) => row.remove());
  countArrivals(list, arriving);
}

// The number ending a row's id (`campaign-42`).
function rowNumber(row) {
  return Number(row.id.split("-").pop());
}

// Whether `row` comes before `other` in a list marked data-live-newest-first: newest created
// first (`data-created`, microseconds since 1970), then the higher id, as the server orders it.
function isNewer(row, other) {
  const created = Number(row.dataset.created ?? 0);
  const otherCreated = Number(other.dataset.created ?? 0);
  if (created !== otherCreated) return created > otherCreated;
  return rowNumber(row) > rowNumber(other);
}

// Rows arriving in a list in newest-first order (data-live-newest-first) go to their place in
// it, not to its top: a campaign that becomes one's own again may be an old one. One whose
// place is past the end of a full page is on a later page; it is counted, not shown.
function placeNewestFirst(list, rows) {
  for (const row of rows) {
    const before = listedRows(list).find((shown) => isNewer(row, shown));
    list.insertBefore(row, before ?? list.querySelector(".empty-row"));
    htmx.process(row);
  }
  const size = Number(list.dataset.livePageSize);
  if (size) listedRows(list).slice(size).forEach((row) => row.remove());
  countArrivals(list, rows.length);
}

// A row taken off a live list (a lead given to someone else) leaves its pager's count too.
function countLeaving(row) {
  const list = row.parentElement;
  if (list && "livePageSize" in list.dataset) countArrivals(list, -1);
}

function countArrivals(list, arriving) {
  const pager = list.closest(".card")?.querySelector(".pager[data-live-count]");
  if (!pager) return;
  const count = Number(pager.dataset.liveCount) + arriving;
  const pages = Math.max(1, Math.ceil(count / Number(pager.dataset.perPage)));
  pager.dataset.liveCount = count;
  pager.querySelector("[data-pager-summary]").textContent =
    `Page ${pager.dataset.page} of ${pages} · ${count} in all`;
  pager.hidden = count === 0;
  const next = pager.querySelector("[data-pager-next]");
  if (next) next.hidden = Number(pager.dataset.page) >= pages;
}

// A form someone is filling in is not wiped by a live frame that redraws it: what they typed or
// chose is carried into the incoming form (as its default, so the frame's HTML holds it), with a
// note that the record changed meanwhile. The incoming form carries the record's new version and
// values (`seen`, `initial-<field>`), so saving applies their entries over the others' changes
// knowingly, except where the other person changed a field they were editing too: for that
// field the form keeps the version and value it was drawn with, so the save is refused once
// naming the other value, then goes through (see campaignhub/concurrency.py).
function isEdited(control) {
  if (!control.name || control.type === "hidden" || control.disabled) return false;
  if (control.type === "checkbox" || control.type === "radio") {
    return control.checked !== control.defaultChecked;
  }
  if (control instanceof HTMLSelectElement) {
    return [...control.options].some((option) => option.selected !== option.defaultSelected);
  }
  return "defaultValue" in control && control.value !== control.defaultValue;
}

// The value a control was drawn with (its HTML defaults), comparable between two drawings.
function drawnValue(control) {
  if (control instanceof HTMLSelectElement) {
    return [...control.options].filter((option) => option.defaultSelected)
      .map((option) => option.value).join(",");
  }
  if (control.type === "checkbox" || control.type === "radio") return String(control.defaultChecked);
  return control.defaultValue;
}

function shownValue(control) {
  if (control instanceof HTMLSelectElement) {
    return [...control.options].filter((option) => option.defaultSelected)
      .map((option) => option.text).join(", ");
  }
  return control.defaultValue || "none";
}

function carryValue(control, twin) {
  if (control.type === "checkbox" || control.type === "radio") {
    twin.toggleAttribute("checked", control.checked);
  } else if (control instanceof HTMLSelectElement) {
    for (const option of twin.options) {
      const chosen = [...control.selectedOptions].some((mine) => mine.value === option.value);
      option.toggleAttribute("selected", chosen);
    }
  } else if (twin instanceof HTMLTextAreaElement) {
    twin.textContent = control.value;
  } else {
    twin.setAttribute("value", control.value);
  }
}

// An edited field in a section shown for some choices (data-show-when) keeps that choice too, so
// the entry stays in sight (a revenue typed for a won lead keeps "won").
function withChoices(form, edited) {
  const kept = new Set(edited);
  for (const control of edited) {
    const section = control.closest("[data-show-when]");
    if (!section) continue;
    const name = section.dataset.showWhen.split(":")[0];
    for (const chooser of form.elements) {
      if (chooser.name === name && (chooser.type !== "radio" || chooser.checked)) kept.add(chooser);
    }
  }
  return [...kept];
}

function keepDrawn(form, incoming, name) {
  const mine = form.querySelector(`input[type=hidden][name="${CSS.escape(name)}"]`);
  const theirs = incoming.querySelector(`input[type=hidden][name="${CSS.escape(name)}"]`);
  if (mine && theirs) theirs.setAttribute("value", mine.value);
}

function keepEdits(target, fragment) {
  for (const form of target.querySelectorAll("form")) {
    // A form being saved is not someone else's change: the frame its own save sent shows it.
    if (form.classList.contains("htmx-request")) continue;
    const edited = [...form.elements].filter(isEdited);
    const action = form.getAttribute("action");
    const incoming = action && fragment.querySelector(`form[action="${CSS.escape(action)}"]`);
    if (!edited.length || !incoming) continue;
    const clashes = [];
    for (const control of withChoices(form, edited)) {
      const twins = [...incoming.elements].filter((twin) => twin.name === control.name);
      const twin = control.type === "radio"
        ? twins.find((candidate) => candidate.value === control.value)
        : twins[0];
      if (!twin) continue;
      if (drawnValue(twin) !== drawnValue(control)) {
        const label = incoming.querySelector(`label[for="${CSS.escape(twin.id)}"]`);
        clashes.push(`${label ? label.textContent.trim() : control.name} to ${shownValue(twin)}`);
        keepDrawn(form, incoming, `initial-${control.name}`);
      }
      carryValue(control, twin);
    }
    const note = document.createElement("p");
    note.className = "message warning";
    note.setAttribute("role", "status");
    if (clashes.length) {
      keepDrawn(form, incoming, "seen");
      note.textContent = `While you were editing, someone else changed ${clashes.join("; ")}. `
        + "Your entries are kept: saving asks you once to confirm them over that change.";
    } else {
      note.textContent = "Someone else changed this while you were editing; the form shows their "
        + "change. Your entries are kept: check them before you save.";
    }
    incoming.prepend(note);
  }
}

htmx.defineExtension("live-frames", {
  transformResponse(text, xhr) {
    // Only socket frames come without a request; HTTP responses are left alone.
    return xhr ? text : prepareLiveFrame(text);
  },
});

// An answer to a button (a retry, say) may be overtaken by a live frame: keep the newer row.
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (versionOf(target) === null || typeof event.detail.serverResponse !== "string") return;
  const template = document.createElement("template");
  template.innerHTML = event.detail.serverResponse;
  const incoming = template.content.firstElementChild;
  if (incoming && incoming.id === target.id && isOlder(incoming, target)) {
    event.detail.shouldSwap = false;
  }
});

// Filter forms (<form data-filters>) keep their values in the URL (hx-push-url). A page restored
// from history (Back, Forward) shows the controls as the URL says, not as they were typed.
function restoreFilters() {
  const query = new URLSearchParams(window.location.search);
  document.querySelectorAll("form[data-filters]").forEach((form) => {
    form.querySelectorAll("input[name], select[name]").forEach((control) => {
      // A control whose absence from the URL means a default other than blank (a report's
      // default period) names it in data-default.
      let value = query.get(control.name) ?? control.dataset.default ?? "";
      if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === value)) {
        // A value the list does not offer (the page names it as a filter it cannot use): the
        // select shows its "any" choice rather than nothing.
        value = control.options[0]?.value ?? "";
      }
      if (control.value !== value) control.value = value;
      if (control.tagName === "SELECT") {
        control.querySelectorAll("option").forEach((option) => {
          option.toggleAttribute("selected", option.value === value);
        });
      } else {
        control.setAttribute("value", value);
      }
    });
  });
}
// A first load draws the controls as its URL says: what the user changed while it loaded
// stands. Only a page reached by Back or Forward, which the browser may fill in as it was
// typed, is set back to its URL.
document.addEventListener("DOMContentLoaded", () => {
  if (performance.getEntriesByType("navigation")[0]?.type === "back_forward") restoreFilters();
});
document.addEventListener("htmx:historyRestore", restoreFilters);
// A change that leaves a filter form as the page already shows it (a date typed again as it
// was) asks for nothing, so history gets no second entry of the same filters.
document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!form.matches?.("form[data-filters]") || event.detail.triggeringEvent?.type !== "change") {
    return;
  }
  const asked = new URLSearchParams(event.detail.formData).toString();
  if (asked === window.location.search.replace(/^\?/, "")) event.preventDefault();
});
// Only a page restored from the back-forward cache: on a first load, `pageshow` comes after
// images and styles, when the user may already have changed a filter.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) restoreFilters();
});

// Answers to htmx actions. Validation answers (400, 409, 422, 429) carry their error markup and
// are swapped in place (htmx-config in base.html); any other failure shows one message inline,
// at the top of the page, instead of nothing at all. A success the swap alone would not make
// plain comes as a "notice" event ({level, text}, campaignhub/pages.py `notify`) and shows the
// same way. Each replaces the messages of earlier actions (a notice, a problem, or one the page
// was drawn with, [data-flash], e.g. "Campaign saved."), so repeated actions do not pile them
// up: they told the outcome of an earlier action, not of this one. A refusal swapped in place
// (400, 409, 422, 429: its message is in the answer, next to what was refused) clears them too,
// so "Riley Rep is now a member." does not stay beside the row that says the next change was
// refused. Standing notices (your pending invitations) stay.
const OUTCOME_MESSAGES = "[data-htmx-notice], [data-htmx-problem], [data-flash]";
function clearOutcomeMessages() {
  document.querySelectorAll(`#messages :is(${OUTCOME_MESSAGES})`).forEach((old) => old.remove());
}
function showMessage(text, level, kind) {
  const messages = document.getElementById("messages");
  if (!messages) return;
  clearOutcomeMessages();
  const message = document.createElement("div");
  message.className = `message ${level}`;
  message.setAttribute("role", level === "error" ? "alert" : "status");
  message.setAttribute(`data-htmx-${kind}`, "");
  message.textContent = text;
  messages.append(message);
}
function showProblem(text) {
  showMessage(text, "error", "problem");
}
document.addEventListener("notice", (event) => {
  showMessage(event.detail.text, event.detail.level || "success", "notice");
});
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr?.status;
  const reasons = {
    403: "You are not allowed to do that.",
    404: "That no longer exists. Reload the page to see the current state.",
  };
  showProblem(reasons[status] || `That did not work (error ${status}). Please try again.`);
});
document.addEventListener("htmx:sendError", () => {
  showProblem("The server could not be reached. Check your connection and try again.");
});
// Before the refusal is swapped in, so a message its answer asks for (a `notice` after the
// swap) is shown, not cleared.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.shouldSwap && event.detail.xhr?.status >= 400) clearOutcomeMessages();
});
document.addEventListener("htmx:afterRequest", (event) => {
  if (event.detail.successful) {
    document.querySelectorAll("#messages [data-htmx-problem]").forEach((old) => old.remove());
  }
});

// A plain POST form gets, as it is submitted:
// - the page's CSRF token: forms that arrive in live fragments are rendered once for everyone,
//   outside any request, so they carry none;
// - the account its page showed (`_account`; htmx requests send the X-Account header instead):
//   a change meant for another account than the session's now is refused, not applied there
//   (campaignhub/page_account.py).
function addHidden(form, name, value) {
  if (!value || form.elements[name]) return;
  const field = document.createElement("input");
  field.type = "hidden";
  field.name = name;
  field.value = value;
  form.append(field);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  addHidden(form, "csrfmiddlewaretoken", headers["X-CSRFToken"]);
  addHidden(form, "_account", document.body.dataset.account);
}, true);

// A plain POST form is sent once per click run: a second click while the page is on its way
// (a double click) is dropped. Set after the form's own handlers (a cancelled confirm sends
// nothing, so it blocks nothing); cleared when the page is shown again (Back) and after 10 s
// (an answer that is a download leaves the page in place). htmx forms sync their own requests.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if ([...form.attributes].some((attribute) => attribute.name.startsWith("hx-"))) return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  if (event.defaultPrevented) return;
  form.dataset.sending = "1";
  setTimeout(() => delete form.dataset.sending, 10000);
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sending]").forEach((form) => delete form.dataset.sending);
});

// Focus after an in-page action. A swap that replaces the control someone used (a row redrawn
// after its button, a card moved to another column) would leave focus on the page itself: a
// keyboard or screen-reader user would be sent back to its top. Focus goes instead to, in turn:
// the element the form names in `data-refocus` (a selector); a field the answer marks invalid;
// the control's twin in the new content (the same id, else the same kind of control of the same
// form: its label may have changed, Pause becoming Activate); else the newest message. What
// the action did is said in #messages, a polite live region (base.html).
function focusNow(refocus, toMessage = true) {
  const active = document.activeElement;
  return {
    element: active,
    id: active?.id,
    tag: active?.tagName,
    name: active?.getAttribute?.("name"),
    text: active?.textContent?.trim(),
    action: (active?.form ?? active?.closest?.("form"))?.getAttribute("action"),
    refocus,
    toMessage,
  };
}

function afterSettling(before) {
  setTimeout(() => focusAfterSwap(before), htmx.config.defaultSettleDelay + 20);
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const before = focusNow(event.detail.elt.closest?.("[data-refocus]")?.dataset.refocus);
  // After htmx has swapped the answer in and settled it (htmx's own events fire on elements the
  // swap may have taken out of the page, so they do not reach the document).
  event.detail.xhr?.addEventListener("loadend", () => afterSettling(before));
});

// A live update redraws parts of the page too (a campaign's buttons once its status changed,
// a row): one that takes out the focused control gives focus to its twin the same way (never to
// a message: what the update did is no answer to something the person did).
let beforeLive = null;
document.addEventListener("htmx:wsBeforeMessage", () => {
  beforeLive = focusNow(undefined, false);
});
document.addEventListener("htmx:wsAfterMessage", () => {
  if (beforeLive) afterSettling(beforeLive);
  beforeLive = null;
});

function isShown(element) {
  return element && !element.disabled && element.getClientRects().length > 0;
}

function twinOf(before) {
  if (before.id && isShown(document.getElementById(before.id))) {
    return document.getElementById(before.id);
  }
  if (!before.action) return null;
  const form = [...document.querySelectorAll("form[action]")].find(
    (candidate) => candidate.getAttribute("action") === before.action && isShown(candidate),
  );
  if (!form) return null;
  const invalid = form.querySelector('[aria-invalid="true"]');
  if (isShown(invalid)) return invalid;
  const alike = [...form.querySelectorAll(before.tag)].filter(
    (control) => control.getAttribute("name") === before.name && isShown(control),
  );
  return alike.find((control) => control.textContent.trim() === before.text) ?? alike[0];
}

function focusAfterSwap(before) {
  const active = document.activeElement;
  // Focus still on the control, or moved on purpose (an autofocus in the new content).
  if ((active && active !== document.body) || before.element?.isConnected) return;
  let target = before.refocus && document.querySelector(before.refocus);
  if (!isShown(target)) target = twinOf(before);
  if (!target && before.toMessage) {
    target = document.querySelector("#messages > .message:last-child");
    target?.setAttribute("tabindex", "-1");
  }
  target?.focus();
}
