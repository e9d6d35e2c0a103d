// Copies the prebuilt browser bundles into ../static/vendor, which the Go
// binary embeds: the viewer and the uploader are served by the archive itself.
import { copyFileSync, mkdirSync } from "node:fs";
const out = new URL("../static/vendor/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const f of ["mirador/dist/mirador.min.js", "uppy/dist/uppy.min.js", "uppy/dist/uppy.min.css"]) {
  copyFileSync(new URL("node_modules/" + f, import.meta.url), new URL(f.split("/").pop(), out));
}
console.log("viewer and uploader copied to web/static/vendor");
