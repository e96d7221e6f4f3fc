// vega-interpreter (an ES module) imports these three from "vega-util"; the import map in
// settings.CHARTS_IMPORT_MAP points that name here. The vega build loaded before it as a classic
// script (vendor/vega/vega.min.js) carries the same functions on window.vega, so vega is loaded once.
const { ascending, isString, DisallowedObjectProperties } = window.vega;

export { ascending, isString, DisallowedObjectProperties };
