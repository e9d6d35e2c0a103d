// Copies the citation processor (citeproc-js) into ../static/vendor as
// citeproc.js: the package is published as CommonJS only, so it is
// wrapped to give the page the global CSL (and node, in the tests, the
// same file to evaluate).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
const out = new URL("../static/vendor/", import.meta.url);
mkdirSync(out, { recursive: true });
const pkg = JSON.parse(readFileSync(new URL("node_modules/citeproc/package.json", import.meta.url), "utf8"));
const source = readFileSync(new URL("node_modules/citeproc/citeproc_commonjs.js", import.meta.url), "utf8");
writeFileSync(new URL("citeproc.js", out), `// citeproc ${pkg.version} (${pkg.license}), its CommonJS build as the global CSL.
var CSL = (function () {
var module = { exports: {} }, exports = module.exports;
${source}
return module.exports;
})();
`);
console.log("citation processor copied to web/static/vendor");
