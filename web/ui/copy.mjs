// Copies the prebuilt browser bundles into ../static/vendor, which the Go
// binary embeds: the viewer (Mirador; OpenSeadragon alone for small
// screens), the uploader and the citation processor (citeproc-js) are
// served by the archive itself.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
const out = new URL("../static/vendor/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const f of ["mirador/dist/mirador.min.js", "uppy/dist/uppy.min.js", "uppy/dist/uppy.min.css", "openseadragon/build/openseadragon/openseadragon.min.js", "@uppy/locales/dist/th_TH.min.js"]) {
  copyFileSync(new URL("node_modules/" + f, import.meta.url), new URL(f.split("/").pop(), out));
}
const images = new URL("node_modules/openseadragon/build/openseadragon/images/", import.meta.url);
const osd = new URL("osd/", out);
mkdirSync(osd, { recursive: true });
for (const f of readdirSync(images)) copyFileSync(new URL(f, images), new URL(f, osd));
// citeproc-js is published as CommonJS only: wrapped, it gives the page
// the global CSL (and node the same file to evaluate in the tests).
const citeproc = JSON.parse(readFileSync(new URL("node_modules/citeproc/package.json", import.meta.url), "utf8"));
const source = readFileSync(new URL("node_modules/citeproc/citeproc_commonjs.js", import.meta.url), "utf8");
writeFileSync(new URL("citeproc.js", out), `// citeproc ${citeproc.version} (${citeproc.license}), its CommonJS build as the global CSL.
var CSL = (function () {
var module = { exports: {} }, exports = module.exports;
${source}
return module.exports;
})();
`);
console.log("viewer, uploader and citation processor copied to web/static/vendor");
