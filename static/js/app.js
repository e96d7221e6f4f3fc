// Flipside's small progressive enhancements. Pages work without this file; the CSP forbids inline
// scripts, so behaviour is attached here through data attributes.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset ? button.dataset.confirm : undefined;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// The header's menus fold behind a "Menu" button on a narrow screen (CSS decides when: the
// button shows only under .js-nav, which this sets). Escape closes the open menu.
function setUpMenu() {
  const header = document.querySelector(".site-header");
  const toggle = header ? header.querySelector(".nav-toggle") : null;
  if (!toggle) {
    return;
  }
  header.classList.add("js-nav");
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("nav-open", open);
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
}

// Registration: the time-zone picker starts from the browser's zone when the person has not
// chosen one (data-browser-zone on the select; the server marks it when the value is a default).
function setUpBrowserZone() {
  for (const select of document.querySelectorAll("select[data-browser-zone]")) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((option) => option.value === zone)) {
      select.value = zone;
      const note = document.getElementById(select.dataset.browserZone);
      if (note) {
        note.textContent = `Set from your browser (${zone}): change it if it is wrong.`;
      }
    }
  }
}

// Registration: "Add a window" appends an availability row without saving. The rows are the
// server's own (fields window_<n>_weekday/start/end); a hidden <template> holds one with __n__.
function setUpRows() {
  for (const button of document.querySelectorAll("[data-add-row]")) {
    const body = document.getElementById(button.dataset.addRow);
    const template = document.getElementById(button.dataset.rowTemplate);
    if (!body || !template) {
      continue;
    }
    const limit = Number(button.dataset.maxRows || "0");
    button.hidden = false;
    const refresh = () => {
      button.disabled = limit > 0 && body.rows.length >= limit;
    };
    button.addEventListener("click", () => {
      const index = body.rows.length;
      const html = template.innerHTML
        .replaceAll("__n__", String(index))
        .replaceAll("__number__", String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      const added = body.rows[body.rows.length - 1];
      const first = added ? added.querySelector("select, input") : null;
      if (first) {
        first.focus();
      }
      refresh();
    });
    refresh();
  }
}

// A table that scrolls sideways inside its box (on a narrow screen, see app.css) must be
// scrollable from the keyboard: while it scrolls and holds nothing focusable, it joins the tab
// order (WCAG 2.1.1; axe's scrollable-region-focusable). Checked again on resize and htmx swaps.
const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
function updateScrollBoxes() {
  for (const box of document.querySelectorAll(".table, .table-scroll")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1 && !box.querySelector(FOCUSABLE);
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.scrollFocus = "on";
    } else if (!scrolls && box.dataset.scrollFocus) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  }
}

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  setUpMenu();
  setUpBrowserZone();
  setUpRows();
  updateScrollBoxes();
});
window.addEventListener("resize", updateScrollBoxes);
document.addEventListener("htmx:afterSettle", updateScrollBoxes);

// A "Copy" button (data-copy="#field"): copies the field's value; without JavaScript the field
// stays selectable (the calendar feed link).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  navigator.clipboard.writeText(field.value).then(() => {
    button.textContent = "Copied";
  });
});
