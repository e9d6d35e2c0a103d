package ingest

import (
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/unicode/norm"

	"github.com/thaiarchives/archive/repository"
)

// Bag reads a BagIt bag (RFC 8493) — a folder, .zip, .tar or .tar.gz — and
// validates it whole before anything is ingested: bagit.txt, every payload
// manifest, completeness both ways, every checksum, tag manifests and
// Payload-Oxum. Any problem refuses the whole bag; all problems are listed.
// A sheet in data/ (metadata.csv or metadata.xlsx) describes the items; a
// sheet that cannot be read is an error naming it, and nothing of the bag
// is ingested. cleanup removes what was unpacked.
func Bag(src string, d Defaults, maxBytes int64) (units []Unit, problems []Problem, cleanup func(), err error) {
	cleanup = func() {}
	dir := src
	if st, err := os.Stat(src); err != nil {
		return nil, nil, cleanup, fmt.Errorf("bag %s cannot be read: %v", src, unwrapPath(err))
	} else if !st.IsDir() {
		tmp, err := os.MkdirTemp("", "bag-*")
		if err != nil {
			return nil, nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if problems, err = unpack(src, tmp, maxBytes); err != nil || len(problems) > 0 {
			return nil, problems, cleanup, err
		}
		dir = bagRoot(tmp)
	}
	manifests, info, found := validateBag(dir)
	if len(found.problems) > 0 {
		return nil, found.problems, cleanup, nil
	}
	sums := func(rel string) map[string]string {
		out := map[string]string{}
		for alg, m := range manifests {
			if v, ok := m[rel]; ok {
				out[alg] = v
			}
		}
		return out
	}
	data := filepath.Join(dir, "data")
	if name := sheetIn(data); name != "" {
		// A sheet that cannot be read refuses the whole bag: its files
		// without their description are not what the bag delivers.
		shown := filepath.Base(src) + "/data/" + name
		if units, problems, err = sheet(filepath.Join(data, name), shown, d); err != nil {
			return nil, nil, cleanup, fmt.Errorf("bag %s is refused whole, nothing ingested: %w", filepath.Base(src), err)
		}
		if len(problems) > 0 {
			return nil, problems, cleanup, nil
		}
	} else {
		files, ps := walk(data, true)
		problems = ps
		for _, f := range files {
			if !systemFile(f.Name) { // verified with the bag, said in its warnings
				units = append(units, Unit{Files: []Input{f}, Meta: d.Item()})
			}
		}
	}
	for i := range units {
		if origin := units[i].Origin; origin != "" {
			units[i].Origin = "bag " + filepath.Base(src) + ", " + origin
		} else {
			units[i].Origin = "bag " + filepath.Base(src)
		}
		bagMeta(&units[i].Meta, info)
		units[i].Notes = append(units[i].Notes, found.warnings...)
		for j := range units[i].Files {
			f := &units[i].Files[j]
			f.Checksums = sums("data/" + f.Name)
		}
	}
	return units, problems, cleanup, nil
}

// LooksLikeBag says whether the folder dir is a bag, whole or broken: it
// has bagit.txt, or a bag's manifests or bag-info.txt without it. A
// broken bag is refused as one, never ingested as a plain folder.
func LooksLikeBag(dir string) bool {
	names, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, de := range names {
		if n := de.Name(); !de.IsDir() && (n == "bagit.txt" || n == "bag-info.txt" || manifestName.MatchString(n)) {
			return true
		}
	}
	return false
}

// bagRoot is the unpacked bag: the folder itself, or its single top folder.
func bagRoot(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, "bagit.txt")); err == nil {
		return dir
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) == 1 && entries[0].IsDir() {
		return filepath.Join(dir, entries[0].Name())
	}
	return dir
}

// bagMeta carries bag-info.txt into the item: provenance always, and a
// description or title where the item has none.
func bagMeta(it *repository.Item, info map[string]string) {
	if len(info) == 0 {
		return
	}
	if it.Source == nil {
		it.Source = map[string]string{}
	}
	for k, v := range info {
		it.Source["bag-info."+k] = v
	}
	if v := info["External-Description"]; v != "" && it.Summary.Empty() {
		it.Summary = repository.Text{"none": v}
	}
	if v := info["Title"]; v != "" && it.Title.Empty() {
		it.Title = repository.Text{"none": v}
	}
	if v := info["Source-Organization"]; v != "" && it.Attribution.Empty() {
		it.Attribution = repository.Text{"none": v}
	}
}

// payload is what the bag's data/ folder holds, by name on disk
// ("data/…"), and by name in Unicode normalization form C.
type payload struct {
	files  []Input
	has    map[string]bool
	byNFC  map[string][]string
	octets int64
}

func readPayload(dir string, f *findings) *payload {
	p := &payload{has: map[string]bool{}, byNFC: map[string][]string{}}
	files, problems := walk(filepath.Join(dir, "data"), true)
	for _, pr := range problems {
		m := pr.Message
		m.File = "data/" + m.File
		f.refuse(m)
	}
	byFold := map[string][]string{}
	for _, in := range files {
		rel := "data/" + in.Name
		p.files = append(p.files, in)
		p.has[rel] = true
		nfc := norm.NFC.String(rel)
		p.byNFC[nfc] = append(p.byNFC[nfc], rel)
		byFold[strings.ToLower(nfc)] = append(byFold[strings.ToLower(nfc)], rel)
		if st, err := os.Stat(in.Path); err == nil {
			p.octets += st.Size()
		}
		if systemFile(rel) {
			f.warn(Message{Kind: "bag_system_file", File: rel})
		}
	}
	for _, names := range p.byNFC {
		if len(names) > 1 {
			f.warn(Message{Kind: "bag_names_nfc", Args: names[:2]})
		}
	}
	for _, names := range byFold {
		nfc := map[string]bool{}
		for _, n := range names {
			nfc[norm.NFC.String(n)] = true
		}
		if len(nfc) > 1 {
			f.warn(Message{Kind: "bag_names_case", Args: names[:2]})
		}
	}
	return p
}

// systemFiles are files an operating system leaves in folders. Listed in a
// manifest they are payload like any other, checked against it, but not
// made into items: a warning on the bag's units says so.
var systemFiles = []string{".DS_Store", "Thumbs.db", "desktop.ini", ".directory"}

// systemFile says whether the file name is one of systemFiles or an
// AppleDouble file (._name).
func systemFile(name string) bool {
	base := path.Base(name)
	return slices.Contains(systemFiles, base) || strings.HasPrefix(base, "._")
}

// resolve matches a manifest's paths to the files on disk: by name, or
// else by the name in Unicode normalization form C, since a file system
// may store a name in another form than the manifest writes it (RFC 8493,
// "Interoperability Issues"). A path listed twice is refused when its checksums differ.
func (p *payload) resolve(name string, es []entry, f *findings) map[string]string {
	m := map[string]string{}
	for _, e := range es {
		rel := e.path
		if !p.has[rel] {
			if c := p.byNFC[norm.NFC.String(rel)]; len(c) == 1 {
				f.warn(Message{Kind: "bag_nfc_match", Args: []string{rel, c[0]}, File: name, Line: e.line})
				rel = c[0]
			}
		}
		switch old, dup := m[rel]; {
		case dup && old == e.value:
			f.warn(Message{Kind: "bag_twice", Args: []string{rel}, File: name, Line: e.line})
		case dup:
			f.refuse(Message{Kind: "bag_twice_differ", Args: []string{rel}, File: name, Line: e.line})
		default:
			m[rel] = e.value
		}
	}
	return m
}

// readManifests reads every payload and tag manifest, by algorithm. A
// bag is valid only when every checksum of every manifest is verified
// (RFC 8493 §3), so a manifest of an algorithm that cannot be computed
// here refuses the bag.
func readManifests(dir string, enc encoding.Encoding, p *payload, f *findings) (manifests, tags map[string]map[string]string) {
	manifests, tags = map[string]map[string]string{}, map[string]map[string]string{}
	names, err := os.ReadDir(dir)
	if err != nil {
		f.refuse(Message{Kind: "source_unreadable", Args: []string{unwrapPath(err).Error()}})
		return
	}
	for _, de := range names {
		m := manifestName.FindStringSubmatch(de.Name())
		if m == nil || de.IsDir() {
			continue
		}
		alg := strings.ToLower(m[2])
		if bagAlgs[alg] == nil {
			f.refuse(Message{Kind: "bag_algorithm", Args: []string{m[2]}, File: de.Name()})
			continue
		}
		text, _, err := readTagText(dir, de.Name(), enc)
		if err != nil {
			f.refuse(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: de.Name()})
			continue
		}
		es := parseManifest(de.Name(), text, f)
		if m[1] == "tagmanifest" {
			tags[alg] = p.resolve(de.Name(), es, f)
			continue
		}
		var kept []entry
		for _, e := range es {
			if !strings.HasPrefix(e.path, "data/") {
				f.refuse(Message{Kind: "path_not_payload", Args: []string{e.path}, File: de.Name(), Line: e.line})
				continue
			}
			kept = append(kept, e)
		}
		manifests[alg] = p.resolve(de.Name(), kept, f)
	}
	return manifests, tags
}

// readFetch refuses a bag whose fetch.txt lists files it does not hold:
// such a bag is incomplete until they are fetched (RFC 8493 §2.2.3, §3),
// and the archive fetches nothing. It returns the paths fetch.txt lists.
func readFetch(dir string, enc encoding.Encoding, p *payload, f *findings) map[string]bool {
	text, ok, err := readTagText(dir, "fetch.txt", enc)
	if err != nil {
		f.refuse(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: "fetch.txt"})
	}
	listed := map[string]bool{}
	if !ok || err != nil {
		return listed
	}
	for _, e := range parseFetch(text, f) {
		if !strings.HasPrefix(e.path, "data/") {
			f.refuse(Message{Kind: "path_not_payload", Args: []string{e.path}, File: "fetch.txt", Line: e.line})
			continue
		}
		listed[e.path] = true
		if !p.has[e.path] && len(p.byNFC[norm.NFC.String(e.path)]) == 0 {
			f.refuse(Message{Kind: "bag_fetch", File: e.path})
		}
	}
	return listed
}

// validateBag checks the bag in dir whole (RFC 8493 §3): its declaration,
// every manifest, completeness both ways, fetch.txt, Payload-Oxum and
// every checksum. It returns the payload manifests by algorithm, keyed by
// the payload's names on disk, and bag-info.txt.
func validateBag(dir string) (map[string]map[string]string, map[string]string, findings) {
	var f findings
	enc := readDeclaration(dir, &f)
	info := map[string]string{}
	if text, ok, err := readTagText(dir, "bag-info.txt", enc); err != nil {
		f.refuse(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: "bag-info.txt"})
	} else if ok {
		info = parseTags(text)
	}
	p := readPayload(dir, &f)
	manifests, tags := readManifests(dir, enc, p, &f)
	if len(manifests) == 0 {
		f.refuse(Message{Kind: "bag_no_manifest", File: "manifest"})
	}
	fetched := readFetch(dir, enc, p, &f)
	algs := slices.Sorted(maps.Keys(manifests))
	for _, in := range p.files {
		for _, alg := range algs {
			if _, ok := manifests[alg]["data/"+in.Name]; !ok {
				f.refuse(Message{Kind: "bag_unlisted", Args: []string{alg}, File: "data/" + in.Name})
			}
		}
	}
	for _, alg := range algs {
		for _, rel := range slices.Sorted(maps.Keys(manifests[alg])) {
			if !p.has[rel] && !fetched[rel] {
				f.refuse(Message{Kind: "bag_missing", Args: []string{alg}, File: rel})
			}
		}
	}
	if oxum := info["Payload-Oxum"]; oxum != "" {
		if want := fmt.Sprintf("%d.%d", p.octets, len(p.files)); oxum != want {
			f.refuse(Message{Kind: "bag_oxum", Args: []string{oxum, want}, File: "bag-info.txt"})
		}
	}
	checkSums(dir, manifests, "manifest-", p.has, &f)
	checkSums(dir, tags, "tagmanifest-", nil, &f)
	return manifests, info, f
}

// checkSums hashes every file the manifests list once, for all their
// algorithms at a time. Payload files that are missing were reported as
// such; a tag file that is missing or not a plain file is reported here.
func checkSums(dir string, all map[string]map[string]string, prefix string, present map[string]bool, f *findings) {
	var rels []string
	for _, m := range all {
		for rel := range m {
			if !slices.Contains(rels, rel) {
				rels = append(rels, rel)
			}
		}
	}
	slices.Sort(rels)
	for _, rel := range rels {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if present == nil {
			st, err := os.Lstat(p)
			if err != nil {
				f.refuse(Message{Kind: "bag_tag_missing", File: rel})
				continue
			}
			if !st.Mode().IsRegular() {
				f.refuse(Message{Kind: "special_in_bag", File: rel})
				continue
			}
		} else if !present[rel] {
			continue
		}
		got, err := hashFile(p, all, rel)
		if err != nil {
			f.refuse(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: rel})
			continue
		}
		for _, alg := range slices.Sorted(maps.Keys(all)) {
			if want, ok := all[alg][rel]; ok && !strings.EqualFold(want, got[alg]) {
				f.refuse(Message{Kind: "bag_checksum", Args: []string{alg, got[alg], prefix + alg + ".txt", want}, File: rel})
			}
		}
	}
}

func hashFile(p string, all map[string]map[string]string, rel string) (map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	hs := map[string]hash.Hash{}
	var ws []io.Writer
	for alg, m := range all {
		if _, ok := m[rel]; ok {
			hs[alg] = bagAlgs[alg]()
			ws = append(ws, hs[alg])
		}
	}
	if _, err := io.CopyBuffer(io.MultiWriter(ws...), f, make([]byte, 1<<20)); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for alg, h := range hs {
		out[alg] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

// parseTags reads the "Label: value" lines of a tag file, with indented
// continuations; a label given twice keeps both values.
func parseTags(text string) map[string]string {
	out := map[string]string{}
	last := ""
	for _, line := range tagLines(strings.TrimPrefix(text, "\uFEFF")) {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && last != "" {
			out[last] += " " + strings.TrimSpace(line)
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			last = strings.TrimSpace(k)
			if out[last] != "" {
				out[last] += "; " + strings.TrimSpace(v)
			} else {
				out[last] = strings.TrimSpace(v)
			}
		}
	}
	return out
}
