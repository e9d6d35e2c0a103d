package ingest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

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
	manifests, info, problems := validateBag(dir)
	if len(problems) > 0 {
		return nil, problems, cleanup, nil
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
		files, ps := walk(data)
		problems = ps
		for _, f := range files {
			units = append(units, Unit{Files: []Input{f}, Meta: d.Item()})
		}
	}
	for i := range units {
		if origin := units[i].Origin; origin != "" {
			units[i].Origin = "bag " + filepath.Base(src) + ", " + origin
		} else {
			units[i].Origin = "bag " + filepath.Base(src)
		}
		bagMeta(&units[i].Meta, info)
		for j := range units[i].Files {
			f := &units[i].Files[j]
			f.Checksums = sums("data/" + f.Name)
		}
	}
	return units, problems, cleanup, nil
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

var bagAlgs = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New}

func validateBag(dir string) (map[string]map[string]string, map[string]string, []Problem) {
	var problems []Problem
	add := func(where, kind string, args ...string) {
		problems = append(problems, problem(Message{Kind: kind, Args: args, File: where}))
	}
	decl, err := readTagFile(filepath.Join(dir, "bagit.txt"))
	if err != nil {
		add("bagit.txt", "bag_not_bagit")
	} else {
		if !strings.HasPrefix(decl["BagIt-Version"], "0.") && !strings.HasPrefix(decl["BagIt-Version"], "1.") {
			add("bagit.txt", "bag_no_version")
		}
		if enc := decl["Tag-File-Character-Encoding"]; !strings.EqualFold(enc, "UTF-8") {
			add("bagit.txt", "bag_encoding", enc)
		}
	}
	info, _ := readTagFile(filepath.Join(dir, "bag-info.txt"))
	manifests := map[string]map[string]string{}
	tagManifests := map[string]map[string]string{}
	for alg := range bagAlgs {
		for prefix, into := range map[string]map[string]map[string]string{"manifest-": manifests, "tagmanifest-": tagManifests} {
			name := prefix + alg + ".txt"
			m, ps := readManifest(dir, name)
			problems = append(problems, ps...)
			if m != nil {
				into[alg] = m
			}
		}
	}
	if len(manifests) == 0 {
		add("manifest", "bag_no_manifest")
	}
	// Completeness: every payload file in every manifest, every entry present.
	payload, walkProblems := walk(filepath.Join(dir, "data"))
	for _, p := range walkProblems {
		m := p.Message
		m.File = "data/" + m.File
		problems = append(problems, problem(m))
	}
	present := map[string]bool{}
	var octets int64
	for _, f := range payload {
		rel := "data/" + f.Name
		present[rel] = true
		if st, err := os.Stat(f.Path); err == nil {
			octets += st.Size()
		}
		for alg, m := range manifests {
			if _, ok := m[rel]; !ok {
				add(rel, "bag_unlisted", alg)
			}
		}
	}
	for alg, m := range manifests {
		for rel := range m {
			if !present[rel] {
				add(rel, "bag_missing", alg)
			}
		}
	}
	if oxum := info["Payload-Oxum"]; oxum != "" {
		want := fmt.Sprintf("%d.%d", octets, len(payload))
		if oxum != want {
			add("bag-info.txt", "bag_oxum", oxum, want)
		}
	}
	// Fixity: every file once, every algorithm at a time.
	check := func(all map[string]map[string]string, name string) {
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
			got, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)), all, rel)
			if err != nil {
				if present[rel] || strings.HasPrefix(name, "tag") {
					add(rel, "source_unreadable", err.Error())
				}
				continue
			}
			for alg, m := range all {
				if want, ok := m[rel]; ok && !strings.EqualFold(want, got[alg]) {
					add(rel, "bag_checksum", alg, got[alg], name+alg+".txt", want)
				}
			}
		}
	}
	check(manifests, "manifest-")
	check(tagManifests, "tagmanifest-")
	return manifests, info, problems
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

// readManifest reads "checksum path" lines; nil when the file is absent.
func readManifest(dir, name string) (map[string]string, []Problem) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	m := map[string]string{}
	var problems []Problem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, p, ok := strings.Cut(line, " ")
		p = strings.TrimLeft(p, " *")
		if !ok || p == "" {
			if sum, p, ok = strings.Cut(line, "\t"); !ok {
				problems = append(problems, problem(Message{Kind: "manifest_line", File: name, Line: n}))
				continue
			}
		}
		// RFC 8493 §2.1.3: CR, LF and % in paths are percent-encoded.
		p = strings.NewReplacer("%0A", "\n", "%0a", "\n", "%0D", "\r", "%0d", "\r", "%25", "%").Replace(p)
		clean := path.Clean(p)
		if path.IsAbs(p) || clean != p || strings.HasPrefix(clean, "../") || clean == ".." {
			problems = append(problems, problem(Message{Kind: "path_leaves_bag", Args: []string{p}, File: name, Line: n}))
			continue
		}
		if strings.HasPrefix(name, "manifest-") && !strings.HasPrefix(p, "data/") {
			problems = append(problems, problem(Message{Kind: "path_not_payload", Args: []string{p}, File: name, Line: n}))
			continue
		}
		m[p] = strings.ToLower(strings.TrimSpace(sum))
	}
	return m, problems
}

// readTagFile reads "Label: value" lines with indented continuations.
func readTagFile(p string) (map[string]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return parseTags(b), nil
}

// parseTags reads the lines of a tag file.
func parseTags(b []byte) map[string]string {
	out := map[string]string{}
	last := ""
	for line := range strings.SplitSeq(strings.TrimPrefix(string(b), "\uFEFF"), "\n") {
		line = strings.TrimRight(line, "\r")
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

// unpack extracts a .zip, .tar or .tar.gz into dst, refusing entries that
// would land outside it (zip-slip), links, and more than maxBytes in all.
func unpack(src, dst string, maxBytes int64) ([]Problem, error) {
	var problems []Problem
	var total int64
	place := func(name string) (string, bool) {
		clean := path.Clean(strings.ReplaceAll(name, "\\", "/"))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			problems = append(problems, problem(Message{Kind: "zip_slip", File: name}))
			return "", false
		}
		return filepath.Join(dst, filepath.FromSlash(clean)), true
	}
	write := func(name string, r io.Reader) error {
		p, ok := place(name)
		if !ok {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			problems = append(problems, problem(Message{Kind: "unpack_twice", File: name}))
			return nil
		}
		n, err := io.Copy(f, io.LimitReader(r, maxBytes-total+1))
		f.Close()
		total += n
		if err != nil {
			problems = append(problems, problem(Message{Kind: "unpack_damaged", Args: []string{err.Error()}, File: name}))
			return nil
		}
		if total > maxBytes {
			return fmt.Errorf("bag unpacks to more than %d bytes; refused", maxBytes)
		}
		return nil
	}
	lower := strings.ToLower(src)
	if strings.HasSuffix(lower, ".zip") {
		zr, err := zip.OpenReader(src)
		if err != nil {
			return nil, fmt.Errorf("bag %s is not a readable zip: %v", src, err)
		}
		defer zr.Close()
		if err := checkZipSizes(zr, maxBytes); err != nil {
			return nil, fmt.Errorf("bag %s: %w", src, err)
		}
		for _, f := range zr.File {
			if f.Mode()&os.ModeSymlink != 0 {
				problems = append(problems, problem(Message{Kind: "symlink_in_bag", File: f.Name}))
				continue
			}
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				problems = append(problems, problem(Message{Kind: "source_unreadable", Args: []string{err.Error()}, File: f.Name}))
				continue
			}
			err = write(f.Name, rc)
			rc.Close()
			if err != nil {
				return problems, err
			}
		}
		return problems, nil
	}
	if !strings.HasSuffix(lower, ".tar") && !strings.HasSuffix(lower, ".tar.gz") && !strings.HasSuffix(lower, ".tgz") {
		return nil, fmt.Errorf("bag %s is not a folder, .zip, .tar or .tar.gz", src)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if !strings.HasSuffix(lower, ".tar") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("bag %s is not a readable .tar.gz: %v", src, err)
		}
		r = gz
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return problems, nil
		}
		if err != nil {
			return problems, fmt.Errorf("bag %s is damaged: %v", src, err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
		case tar.TypeReg:
			if err := write(h.Name, tr); err != nil {
				return problems, err
			}
		default:
			problems = append(problems, problem(Message{Kind: "special_in_bag", File: h.Name}))
		}
	}
}

// checkZipSizes reads what a zipped bag declares before anything is
// unpacked: the sizes of its entries (a bomb declares more than the limit,
// or lies, which unpacking then catches) and, when its bag-info.txt has a
// Payload-Oxum, that the payload entries add up to it.
func checkZipSizes(zr *zip.ReadCloser, maxBytes int64) error {
	var total uint64
	var info *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if path.Base(f.Name) == "bag-info.txt" && (info == nil || len(f.Name) < len(info.Name)) {
			info = f
		}
	}
	if total > uint64(maxBytes) {
		return fmt.Errorf("it declares %d bytes unpacked, more than the %d allowed; refused before unpacking", total, maxBytes)
	}
	if info == nil || info.UncompressedSize64 > 1<<20 {
		return nil
	}
	rc, err := info.Open()
	if err != nil {
		return fmt.Errorf("bag-info.txt cannot be read: %v", err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("bag-info.txt cannot be read: %v", err)
	}
	oxum := parseTags(b)["Payload-Oxum"]
	if oxum == "" {
		return nil
	}
	data := path.Join(path.Dir(info.Name), "data") + "/"
	var octets uint64
	files := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, data) && !f.FileInfo().IsDir() {
			octets += f.UncompressedSize64
			files++
		}
	}
	if want := fmt.Sprintf("%d.%d", octets, files); oxum != want {
		return fmt.Errorf("Payload-Oxum is %s but the zip declares %s (bytes.files) under data/; refused before unpacking", oxum, want)
	}
	return nil
}
