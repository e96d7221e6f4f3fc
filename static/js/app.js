// Flipside's small progressive enhancements. Pages work without this file; the CSP forbids inline
// scripts, so behaviour is attached here through data attributes.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset ? button.dataset.confirm : undefined;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
