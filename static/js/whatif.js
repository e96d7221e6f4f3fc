// Live what-if on the round form: as a weight, a rule or the mode changes, ask the server what a
// round with these settings would propose and show it in the form's live region (aria-live,
// announced politely). Debounced; a newer change cancels the request in flight. Without this
// script the form's "Preview the pairs" button shows the same on the page.
const DELAY_MS = 250;

function setUpWhatIf(form) {
  const region = document.getElementById(form.dataset.whatIfRegion);
  if (!region) {
    return;
  }
  let timer = 0;
  let inFlight = null;
  const refresh = async () => {
    if (inFlight) {
      inFlight.abort();
    }
    const controller = new AbortController();
    inFlight = controller;
    const body = new FormData(form);
    region.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.dataset.whatIf, {
        method: "POST",
        body,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (response.ok || response.status === 400) {
        region.innerHTML = await response.text();
      } else {
        region.textContent = "The preview is not available right now.";
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        region.textContent = "The preview is not available right now.";
      }
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        region.removeAttribute("aria-busy");
      }
    }
  };
  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
}

for (const form of document.querySelectorAll("form[data-what-if]")) {
  setUpWhatIf(form);
}
