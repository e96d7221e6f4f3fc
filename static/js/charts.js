// Draws each <figure class="chart"> from the Vega-Lite spec beside it (Django's json_script), with
// vega-embed and the CSP-safe expression interpreter: the CSP has no 'unsafe-eval', so Vega never
// compiles expressions with new Function. The table in the figure stays the accessible form and
// the whole content without JavaScript; the drawing is hidden from assistive technology.
import { expressionInterpreter } from "vega-interpreter";

const OPTIONS = {
  ast: true,
  expr: expressionInterpreter,
  actions: false,
  renderer: "svg",
  defaultStyle: false, // vega-embed's default injects a <style> element, which the CSP refuses
  tooltip: false,
};

async function draw(figure) {
  if (figure.dataset.chartDrawn) return;
  const source = document.getElementById(figure.dataset.chartSpec);
  const canvas = figure.querySelector(".chart-canvas");
  if (!source || !canvas) return;
  figure.dataset.chartDrawn = "1";
  try {
    await window.vegaEmbed(canvas, JSON.parse(source.textContent), OPTIONS);
    figure.classList.add("chart-drawn");
  } catch (error) {
    figure.classList.add("chart-failed"); // the table beside it still says everything
    console.error("Chart not drawn:", error);
  }
}

function drawAll(root) {
  root.querySelectorAll("figure.chart[data-chart-spec]").forEach(draw);
}

drawAll(document);
// Content swapped in by htmx (e.g. a filtered dashboard) brings new figures.
document.addEventListener("htmx:load", (event) => drawAll(event.target));
