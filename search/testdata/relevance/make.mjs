// Rebuilds thai.json (relevance judgements for Thai single-word and two-word
// queries) from records.json and queries.json, using ICU word boundaries
// (Intl.Segmenter) plus the hand-reviewed overrides listed in queries.json.
// Nothing here uses the archive's own segmenter.
//
//   node search/testdata/relevance/make.mjs            write thai.json, refresh README stats
//   node search/testdata/relevance/make.mjs --review   also print every case where ICU
//                                                      and substring matching disagree,
//                                                      and every ICU hit of a short query
//   node search/testdata/relevance/make.mjs --check    fail if thai.json or README are stale
//
// Deterministic: no randomness, records and ids are processed in file order,
// relevant lists are sorted. The judgements depend on the ICU version that
// ships with Node; it is recorded in thai.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const read = f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const records = read('records.json');
const { queries, overrides } = read('queries.json');
const args = new Set(process.argv.slice(2));

const seg = new Intl.Segmenter('th', { granularity: 'word' });

// Thai text of a record that search looks at: title, summary, subjects.
// (English values are kept in the records but hold no Thai, so they cannot
// match a Thai query; the substring baseline looks at them too.)
const thaiFields = r => [r.title.th, r.summary.th, ...(r.subjects || [])].filter(Boolean);
const allFields = r => [r.title.th, r.title.en, r.summary.th, r.summary.en, ...(r.subjects || [])].filter(Boolean);

// ---- overrides -------------------------------------------------------------
// Each override is {"pattern": "a|b", "reason": "...", "ids": [optional]}:
// wherever the pattern's text (without "|") occurs, the word boundaries inside
// it are exactly the "|" marks, and both of its ends are boundaries. A pattern
// without "|" keeps a word whole that ICU cut into pieces.
for (const o of overrides) {
  o.text = o.pattern.replaceAll('|', '');
  o.cuts = [];
  let k = 0;
  for (const ch of o.pattern) { if (ch === '|') o.cuts.push(k); else k += ch.length; }
}

function icuBoundaries(t) {
  const b = new Set([0, t.length]);
  for (const s of seg.segment(t)) { b.add(s.index); b.add(s.index + s.segment.length); }
  return b;
}
function boundaries(t, id, useOverrides = true, without = null) {
  const b = icuBoundaries(t);
  if (!useOverrides) return b;
  for (const o of overrides) {
    if (o === without || (o.ids && !o.ids.includes(id))) continue;
    for (let s = t.indexOf(o.text); s >= 0; s = t.indexOf(o.text, s + 1)) {
      const e = s + o.text.length;
      for (let i = s + 1; i < e; i++) b.delete(i);
      b.add(s); b.add(e);
      for (const c of o.cuts) b.add(s + c);
    }
  }
  return b;
}

const segmented = records.map(r => thaiFields(r).map(t => ({ t, icu: boundaries(t, r.id, false), b: boundaries(t, r.id) })));

// q occurs with a word boundary on both sides: it is one word, or a
// contiguous run of words whose concatenation is exactly q.
function isWord(q, i, key = 'b') {
  for (const f of segmented[i]) {
    for (let k = f.t.indexOf(q); k >= 0; k = f.t.indexOf(q, k + 1))
      if (f[key].has(k) && f[key].has(k + q.length)) return true;
  }
  return false;
}
const substring = (q, i) => allFields(records[i]).some(t => t.includes(q));
const wsTokens = records.map(r => new Set(allFields(r).join('\n').split(/[\s\p{P}\p{S}]+/u).filter(Boolean)));
const whitespace = (q, i) => wsTokens[i].has(q);

const ids = records.map(r => r.id);
const select = (words, fn) => ids.filter((_, i) => words.every(w => fn(w, i)));

// ---- judgements ------------------------------------------------------------
const out = [];
const problems = [];
const effects = new Map(overrides.map(o => [o.pattern, []]));
for (const q of queries) {
  const words = q.q.split(' ');
  if (words.length !== q.words) throw new Error(`query ${q.q}: words=${q.words} but has ${words.length}`);
  const relevant = select(words, (w, i) => isWord(w, i));
  const icuOnly = select(words, (w, i) => isWord(w, i, 'icu'));
  if (relevant.length === 0) problems.push(`query ${q.q} has no relevant record`);
  for (const id of new Set([...relevant, ...icuOnly])) {
    const now = relevant.includes(id), before = icuOnly.includes(id);
    if (now === before) continue;
    // attribute the change: the overrides without which this judgement would differ
    const i = ids.indexOf(id);
    const who = overrides.filter(o => (!o.ids || o.ids.includes(id)) && thaiFields(records[i]).some(t => t.includes(o.text)));
    const culprits = who.filter(o => {
      const f = thaiFields(records[i]).map(t => ({ t, b: boundaries(t, id, true, o) }));
      return words.every(w => f.some(x => { for (let k = x.t.indexOf(w); k >= 0; k = x.t.indexOf(w, k + 1)) if (x.b.has(k) && x.b.has(k + w.length)) return true; return false; })) !== now;
    });
    for (const o of (culprits.length ? culprits : who)) effects.get(o.pattern).push({ q: q.q, id, relevant: now });
  }
  out.push({ q: q.q, words: q.words, kind: q.kind, relevant });
}

// ---- baselines -------------------------------------------------------------
function score(fn) {
  const per = queries.map((q, n) => {
    const words = q.q.split(' ');
    const got = select(words, fn);
    const rel = new Set(out[n].relevant);
    const tp = got.filter(id => rel.has(id)).length;
    return { q: q.q, retrieved: got.length, tp, P: got.length ? tp / got.length : null, R: tp / rel.size };
  });
  const withP = per.filter(x => x.P !== null);
  const mean = a => a.reduce((s, x) => s + x, 0) / a.length;
  return {
    per,
    macroP: mean(withP.map(x => x.P)),          // over queries that retrieved something
    macroP0: mean(per.map(x => x.P ?? 0)),      // an empty result counted as precision 0
    macroR: mean(per.map(x => x.R)),
    empty: per.length - withP.length,
  };
}
const sub = score(substring), ws = score(whitespace);

const result = {
  about: 'Thai search relevance test set; see README.md. Judgements by ICU word boundaries (Intl.Segmenter th, word) plus the reviewed overrides; rebuild with: node search/testdata/relevance/make.mjs',
  icu: process.versions.icu,
  unicode: process.versions.unicode,
  records,
  queries: out,
  overrides: overrides.map(o => ({ pattern: o.pattern, reason: o.reason, ...(o.ids ? { ids: o.ids } : {}), changes: effects.get(o.pattern) })),
  baselines: {
    substring: { macroPrecision: +sub.macroP.toFixed(4), macroRecall: +sub.macroR.toFixed(4), emptyResults: sub.empty },
    whitespace: { macroPrecision: +ws.macroP.toFixed(4), macroPrecisionEmptyAsZero: +ws.macroP0.toFixed(4), macroRecall: +ws.macroR.toFixed(4), emptyResults: ws.empty },
  },
};

// ---- statistics for the README ---------------------------------------------
const f2 = x => x === null ? '–' : x.toFixed(2);
const single = out.filter(q => q.words === 1), two = out.filter(q => q.words === 2);
const avg = a => (a.reduce((s, q) => s + q.relevant.length, 0) / a.length).toFixed(2);
const over = sub.per.filter(x => x.retrieved > x.tp);
const kinds = [...new Set(out.map(q => q.kind))];
let md = '';
md += `Generated by make.mjs with ICU ${process.versions.icu} (Node ${process.versions.node}).\n\n`;
md += `| | |\n|---|---|\n`;
md += `| records | ${records.length} (${records.filter(r => r.summary.en || r.title.en).length} with English too) |\n`;
md += `| queries | ${out.length}: ${single.length} single-word, ${two.length} two-word |\n`;
for (const k of kinds) md += `| — ${k} | ${out.filter(q => q.kind === k).length} |\n`;
md += `| relevant per query (mean) | all ${avg(out)}, single-word ${avg(single)}, two-word ${avg(two)} |\n`;
md += `| relevant per query (min / median / max) | ${Math.min(...out.map(q => q.relevant.length))} / ${[...out.map(q => q.relevant.length)].sort((a, b) => a - b)[Math.floor(out.length / 2)]} / ${Math.max(...out.map(q => q.relevant.length))} |\n`;
md += `| overrides | ${overrides.length} patterns, changing ${[...effects.values()].reduce((s, a) => s + new Set(a.map(x => x.q + ' ' + x.id)).size, 0)} query–record judgements |\n`;
md += `| queries where substring matching over-matches | ${over.length} of ${out.length} (substring precision < 1) |\n`;
md += `| — of which substring precision < 0.5 | ${sub.per.filter(x => x.P < 0.5).length} |\n\n`;
md += `Baselines (macro-averaged over all ${out.length} queries; a two-word query needs both words):\n\n`;
md += `| matcher | macro precision | macro recall |\n|---|---|---|\n`;
md += `| substring of title + summary + subjects | ${sub.macroP.toFixed(3)} | ${sub.macroR.toFixed(3)} |\n`;
md += `| whitespace/punctuation tokens, token = query word | ${ws.macroP.toFixed(3)} over the ${out.length - ws.empty} queries that retrieve anything (${ws.macroP0.toFixed(3)} if an empty result counts as 0) | ${ws.macroR.toFixed(3)} |\n\n`;
md += `${ws.empty} of ${out.length} queries retrieve nothing at all with the whitespace tokenizer.\n\n`;
md += `Overrides (from queries.json; "changes" = query:record judgements that differ from plain ICU, + now relevant, − no longer relevant):\n\n`;
md += `| pattern | reason | changes |\n|---|---|---|\n`;
const cell = s => s.replaceAll('|', '\\|');
for (const o of result.overrides) md += `| ${cell(o.pattern)} | ${cell(o.reason)} | ${o.changes.map(c => `${c.q}:${c.id}${c.relevant ? '+' : '−'}`).join(' ')} |\n`;
md += `\n`;
md += `Per query (rel = relevant records; sub = records the substring matcher returns; P = its precision; ws = whitespace-token matcher):\n\n`;
md += `| query | kind | rel | sub | sub P | ws | ws P | ws R |\n|---|---|---|---|---|---|---|---|\n`;
out.forEach((q, n) => {
  const s = sub.per[n], w = ws.per[n];
  md += `| ${q.q} | ${q.kind} | ${q.relevant.length} | ${s.retrieved} | ${f2(s.P)} | ${w.retrieved} | ${f2(w.P)} | ${f2(w.R)} |\n`;
});

const json = JSON.stringify(result, null, 1) + '\n';
const readmePath = path.join(dir, 'README.md');
const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '';
const B = '<!-- stats:begin (written by make.mjs) -->', E = '<!-- stats:end -->';
const newReadme = readme.includes(B) ? readme.slice(0, readme.indexOf(B) + B.length) + '\n' + md + readme.slice(readme.indexOf(E)) : readme;

if (problems.length && !args.has('--review')) { console.error(problems.join('\n')); process.exit(1); }
if (problems.length) console.log(problems.join('\n'));
else if (args.has('--check')) {
  const stale = [];
  if (fs.readFileSync(path.join(dir, 'thai.json'), 'utf8') !== json) stale.push('thai.json');
  if (readme !== newReadme) stale.push('README.md');
  if (stale.length) { console.error('stale: ' + stale.join(', ') + ' (run node search/testdata/relevance/make.mjs)'); process.exit(1); }
  console.log('thai.json and README.md are up to date');
} else if (!args.has('--review')) {
  fs.writeFileSync(path.join(dir, 'thai.json'), json);
  if (newReadme !== readme) fs.writeFileSync(readmePath, newReadme);
  console.log(`${records.length} records, ${out.length} queries, ${overrides.length} overrides; ` +
    `substring P ${sub.macroP.toFixed(3)} R ${sub.macroR.toFixed(3)}; whitespace P ${ws.macroP.toFixed(3)} (${ws.macroP0.toFixed(3)}) R ${ws.macroR.toFixed(3)}`);
}

// ---- review ------------------------------------------------------------------
if (args.has('--review')) {
  const show = (f, k, len) => {
    // the words (after overrides) around an occurrence, "|" between words
    let a = k, e = k + len;
    let n = 0; while (a > 0 && n < 2) { a--; if (f.b.has(a)) n++; }
    n = 0; while (e < f.t.length && n < 2) { e++; if (f.b.has(e)) n++; }
    let s = '';
    for (let i = a; i < e; i++) { if (i > a && f.b.has(i)) s += '|'; s += i === k ? '[' : ''; s += f.t[i]; s += i === k + len - 1 ? ']' : ''; }
    return s;
  };
  const qwords = [...new Set(queries.flatMap(q => q.q.split(' ')))];
  for (const w of qwords) {
    const groups = new Map();
    records.forEach((r, i) => {
      for (const f of segmented[i]) for (let k = f.t.indexOf(w); k >= 0; k = f.t.indexOf(w, k + 1)) {
        const hit = f.b.has(k) && f.b.has(k + w.length);
        // print every substring-only occurrence, and for short words every hit too
        if (hit && [...w].length > 3) continue;
        const ctx = show(f, k, w.length);
        const key = (hit ? 'WORD  ' : 'inside') + ' ' + ctx;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(r.id);
      }
    });
    if (!groups.size) continue;
    console.log(`\n== ${w}`);
    for (const [k, v] of [...groups].sort()) console.log(`  ${k}   ${[...new Set(v)].join(' ')}`);
  }
}
