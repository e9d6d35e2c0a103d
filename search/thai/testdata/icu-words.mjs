// Reads a JSON array of texts on stdin and writes, for each, the array of
// ICU word segments (Intl.Segmenter, granularity "word", locale th), whose
// concatenation is the text. Used by ./measure as the reference segmentation.
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const seg = new Intl.Segmenter("th", { granularity: "word" });
const out = texts.map((t) => Array.from(seg.segment(t), (s) => s.segment));
process.stdout.write(JSON.stringify({ icu: process.versions.icu, segments: out }));
