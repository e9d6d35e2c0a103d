// Copies the prebuilt browser bundles into ../static/vendor, which the Go
// binary embeds: the viewer (Mirador; OpenSeadragon alone for small
// screens) and the uploader are served by the archive itself.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
const out = new URL("../static/vendor/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const f of ["mirador/dist/mirador.min.js", "uppy/dist/uppy.min.js", "uppy/dist/uppy.min.css", "openseadragon/build/openseadragon/openseadragon.min.js", "@uppy/locales/dist/th_TH.min.js"]) {
  copyFileSync(new URL("node_modules/" + f, import.meta.url), new URL(f.split("/").pop(), out));
}
const images = new URL("node_modules/openseadragon/build/openseadragon/images/", import.meta.url);
const osd = new URL("osd/", out);
mkdirSync(osd, { recursive: true });
for (const f of readdirSync(images)) copyFileSync(new URL(f, images), new URL(f, osd));
console.log("viewer and uploader copied to web/static/vendor");
