// Command measure compares Thai dictionaries for search/thai against ICU's
// word segmentation (Node's Intl.Segmenter) as an independent reference:
// boundary precision, recall and F1 inside Thai runs, the share of Thai
// characters left in unknown clusters, segmentation speed, and each
// dictionary's load time and heap size.
//
//	go run ./search/thai/testdata/measure [-node node] [-locale /usr/share/locale/th/LC_MESSAGES]
//
// Corpora: the CMU library news item in testdata/samples (prose), the Thai
// translations of the installed Debian packages' messages (.mo files, user
// interface prose) and, apart, those of the iso-codes lists (names of
// countries, regions, languages and currencies: mostly transliterations).
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/search/thai"
)

func main() {
	node := flag.String("node", "node", "Node.js binary (ICU reference)")
	locale := flag.String("locale", "/usr/share/locale/th/LC_MESSAGES", "folder of Thai .mo files")
	sample := flag.String("sample", "testdata/samples/cmu-library-mou-2562.txt", "Thai prose sample")
	flag.Parse()

	mou, err := os.ReadFile(*sample)
	if err != nil {
		log.Fatal(err)
	}
	ui, names := moTexts(*locale)
	corpora := []corpus{
		{name: "MOU news item", texts: []string{string(mou)}},
		{name: "UI messages (.mo)", texts: ui},
		{name: "iso-codes names (.mo)", texts: names},
	}
	for i := range corpora {
		corpora[i].icu = icuBoundaries(*node, corpora[i].texts)
	}

	choices := []struct {
		name  string
		paths []string
	}{
		{"hunspell-th", []string{thai.HunspellPath}},
		{"libthai", []string{thai.LibthaiPath}},
		{"union", []string{thai.HunspellPath, thai.LibthaiPath}},
		{"libthai + hunspell-th words it cannot spell", []string{thai.LibthaiPath, libthaiPlusNew()}},
	}
	fmt.Printf("| dictionary | words | load | heap |")
	for _, c := range corpora {
		fmt.Printf(" %s P / R / F1 (unknown %%) |", c.name)
	}
	fmt.Printf(" names found as phrases | MB/s (MOU) |\n|---|---|---|---|")
	for range corpora {
		fmt.Printf("---|")
	}
	fmt.Println("---|---|")
	var keep []*thai.Dict // so that heap sizes are of one dictionary each
	for _, ch := range choices {
		d, load, heap := loadMeasured(ch.paths)
		keep = append(keep, d)
		fmt.Printf("| %s | %d | %v | %.1f MB |", ch.name, d.Len(), load.Round(time.Millisecond), float64(heap)/1e6)
		for _, c := range corpora {
			s := c.score(d)
			fmt.Printf(" %.3f / %.3f / %.3f (%.1f%%) |", s.p, s.r, s.f1(), 100*s.unknown)
		}
		fmt.Printf(" %.1f%% | %.1f |\n", 100*phraseFound(d, names), speed(d, string(mou)))
	}
	runtime.KeepAlive(keep)
	fmt.Printf("\ncorpora: %d B prose, %d UI messages, %d names\n", len(mou), len(ui), len(names))
}

type corpus struct {
	name  string
	texts []string
	icu   []map[int]bool
}

type score struct {
	hit, ours, ref int
	p, r, unknown  float64
}

func (s score) f1() float64 { return 2 * s.p * s.r / (s.p + s.r) }

// score compares the boundaries d puts inside Thai runs with ICU's.
func (c corpus) score(d *thai.Dict) score {
	var s score
	var thaiChars, unknownChars int
	for i, text := range c.texts {
		ours := map[int]bool{}
		for _, t := range d.Segment(text) {
			for _, p := range []int{t.Start, t.End} {
				if inside(text, p) {
					ours[p] = true
				}
			}
			if !t.Known && t.Kind == thai.Ideographic {
				unknownChars += utf8.RuneCountInString(t.Term)
			}
		}
		for _, r := range text {
			if isThaiLetter(r) {
				thaiChars++
			}
		}
		for p := range ours {
			if c.icu[i][p] {
				s.hit++
			}
		}
		s.ours += len(ours)
		s.ref += len(c.icu[i])
	}
	s.p = float64(s.hit) / float64(s.ours)
	s.r = float64(s.hit) / float64(s.ref)
	s.unknown = float64(unknownChars) / float64(thaiChars)
	return s
}

// inside reports whether byte offset p of text falls between two Thai
// letters: the boundaries that a dictionary decides (both segmenters cut
// at the edges of a Thai run anyway).
func inside(text string, p int) bool {
	if p <= 0 || p >= len(text) {
		return false
	}
	a, _ := utf8.DecodeLastRuneInString(text[:p])
	b, _ := utf8.DecodeRuneInString(text[p:])
	return isThaiLetter(a) && isThaiLetter(b)
}

func isThaiLetter(r rune) bool {
	return (r >= 0x0e01 && r <= 0x0e2e) || (r >= 0x0e30 && r <= 0x0e3a) ||
		(r >= 0x0e40 && r <= 0x0e45) || (r >= 0x0e47 && r <= 0x0e4e)
}

// icuBoundaries runs ICU over texts and returns, per text, the byte offsets
// of its word boundaries that fall inside Thai runs.
func icuBoundaries(node string, texts []string) []map[int]bool {
	in, err := json.Marshal(texts)
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(node, "search/thai/testdata/icu-words.mjs")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("icu reference: %v", err)
	}
	var res struct {
		ICU      string
		Segments [][]string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		log.Fatal(err)
	}
	log.Printf("ICU %s", res.ICU)
	all := make([]map[int]bool, len(texts))
	for i, segs := range res.Segments {
		all[i] = map[int]bool{}
		p := 0
		for _, s := range segs {
			p += len(s)
			if inside(texts[i], p) {
				all[i][p] = true
			}
		}
		if p != len(texts[i]) {
			log.Fatalf("icu segments of text %d do not add up", i)
		}
	}
	return all
}

// loadMeasured loads a dictionary and reports how long it took and how
// much heap it holds.
func loadMeasured(paths []string) (*thai.Dict, time.Duration, int64) {
	var before, after runtime.MemStats
	settle()
	runtime.ReadMemStats(&before)
	start := time.Now()
	d, err := thai.LoadDict(paths...)
	load := time.Since(start)
	if err != nil {
		log.Fatal(err)
	}
	settle()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(d)
	return d, load, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// settle collects garbage, twice so that sync.Pool's victim caches go too.
func settle() {
	runtime.GC()
	runtime.GC()
}

func speed(d *thai.Dict, text string) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < time.Second {
		d.Segment(text)
		n++
	}
	return float64(n*len(text)) / time.Since(start).Seconds() / 1e6
}

// moTexts returns the distinct Thai translations of the .mo files in dir,
// split into interface messages and iso-codes names.
func moTexts(dir string) (ui, names []string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.mo"))
	if err != nil || len(files) == 0 {
		log.Fatalf("no .mo files in %s", dir)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range moStrings(b) {
			if seen[s] || !strings.ContainsFunc(s, isThaiLetter) {
				continue
			}
			seen[s] = true
			if strings.HasPrefix(filepath.Base(f), "iso_") {
				names = append(names, s)
			} else {
				ui = append(ui, s)
			}
		}
	}
	sort.Strings(ui)
	sort.Strings(names)
	return ui, names
}

// moStrings returns the translations in a GNU .mo file (plural forms
// separately), skipping the header entry.
func moStrings(b []byte) []string {
	if len(b) < 20 {
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(b) == 0x950412de {
		order = binary.BigEndian
	}
	n := int(order.Uint32(b[8:]))
	table := int(order.Uint32(b[16:]))
	var out []string
	for i := range n {
		e := table + 8*i
		if e+8 > len(b) {
			break
		}
		l, off := int(order.Uint32(b[e:])), int(order.Uint32(b[e+4:]))
		if l == 0 || off+l > len(b) {
			continue
		}
		for _, s := range strings.Split(string(b[off:off+l]), "\x00") {
			if utf8.ValidString(s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// libthaiPlusNew writes to a temporary file the words of hunspell-th that
// libthai cannot spell with its own words, and returns its path: the variant
// that adds hunspell-th's vocabulary without its compounds.
func libthaiPlusNew() string {
	lt, err := thai.LoadDict(thai.LibthaiPath)
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(thai.HunspellPath)
	if err != nil {
		log.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n")[1:] {
		w, _, _ := strings.Cut(l, "/")
		for _, t := range lt.Segment(w) {
			if !t.Known {
				out = append(out, w)
				break
			}
		}
	}
	f, err := os.CreateTemp("", "thai-new-*.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(out, "\n")); err != nil {
		log.Fatal(err)
	}
	return f.Name()
}

// phraseFound embeds each name in a few sentences and reports the share of
// sentences whose tokens contain the name's tokens in a row: whether a
// phrase query for a name finds it.
func phraseFound(d *thai.Dict, names []string) float64 {
	contexts := [][2]string{{"ข่าวโดย", "เป็นผู้อำนวยการ"}, {"เดินทางไป", "เมื่อวานนี้"}, {"จังหวัด", "และ"}}
	found, total := 0, 0
	for _, n := range names {
		if strings.ContainsAny(n, " -(),") {
			continue
		}
		q := terms(d.Segment(n))
		for _, c := range contexts {
			total++
			if slices.ContainsFunc(runs(terms(d.Segment(c[0]+n+c[1])), len(q)), func(r []string) bool { return slices.Equal(r, q) }) {
				found++
			}
		}
	}
	return float64(found) / float64(total)
}

func terms(ts []thai.Token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Term
	}
	return out
}

// runs returns every run of n consecutive elements of s.
func runs(s []string, n int) [][]string {
	var out [][]string
	for i := 0; i+n <= len(s); i++ {
		out = append(out, s[i:i+n])
	}
	return out
}
