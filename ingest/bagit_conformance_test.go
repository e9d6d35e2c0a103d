package ingest_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/ingest"
)

// conformance is what the archive makes of each bag of the BagIt
// conformance suite (testdata/bagit-conformance, see its README): ""
// for a bag accepted with no warning, or the kind of the problem that
// refuses it, or of the warning it is accepted with; and the file that
// problem or warning names, where it names one.
var conformance = map[string]struct{ kind, file string }{
	"v1.0/valid/basicBag":                                           {},
	"v1.0/invalid/bagit-with-invalid-whitespace":                    {"bag_decl_line", "bagit.txt"},
	"v1.0/invalid/missing-from-manifest":                            {"bag_unlisted", "data/missingFromManifest.txt"},
	"v1.0/invalid/same-filename-listed-twice-with-different-hashes": {"bag_twice_differ", "manifest-sha256.txt"},

	"v0.97/valid/basic-bag":                              {},
	"v0.97/valid/minimal-bag":                            {},
	"v0.97/valid/basic-bag-sha1":                         {},
	"v0.97/valid/basic-bag-sha224":                       {},
	"v0.97/valid/basic-bag-sha256":                       {},
	"v0.97/valid/basic-bag-sha512":                       {},
	"v0.97/valid/uncommon-metadata-separators":           {},
	"v0.97/valid/duplicate-metadata-entries":             {},
	"v0.97/valid/bag-with-escapable-characters":          {},
	"v0.97/valid/bag-with-space":                         {},
	"v0.97/valid/bag-with-leading-dot-slash-in-manifest": {},
	"v0.97/valid/bag-in-a-bag":                           {},
	"v0.97/valid/UTF-16-encoded-tag-files":               {},
	"v0.97/valid/ISO-8859-1-encoded-tag-files":           {},
	// Valid but incomplete: the archive fetches nothing, so a bag with
	// files still to fetch is refused, saying so.
	"v0.97/valid/holey-bag":   {"bag_fetch", "data/text-file.txt"},
	"v0.97/valid/local-fetch": {"bag_fetch", "data/hello.txt"},

	"v0.97/invalid/baginfo-missing-encoding":                             {"bag_no_encoding", "bagit.txt"},
	"v0.97/invalid/bom-in-bagit.txt":                                     {"bag_bom", "bagit.txt"},
	"v0.97/invalid/corrupt-data-file":                                    {"bag_checksum", "data/hello.txt"},
	"v0.97/invalid/corrupt-tag-file":                                     {"bag_checksum", "bag-info.txt"},
	"v0.97/invalid/extra-file-in-bag":                                    {"bag_unlisted", "data/bar"},
	"v0.97/invalid/invalid-version-number":                               {"bag_version", "bagit.txt"},
	"v0.97/invalid/missing-baginfo":                                      {"bag_tag_missing", "bag-info.txt"},
	"v0.97/invalid/missing-bagit.txt":                                    {"bag_no_bagit_txt", "bagit.txt"},
	"v0.97/invalid/out-of-scope-file-paths-using-dot-notation":           {"path_leaves_bag", "manifest-md5.txt"},
	"v0.97/invalid/out-of-scope-file-paths-using-dot-notation-for-fetch": {"path_leaves_bag", "fetch.txt"},
	"v0.97/invalid/same-filename-listed-twice-with-different-hashes":     {"bag_twice_differ", "manifest-md5.txt"},
	"v0.97/invalid/bagit-with-invalid-whitespace":                        {"bag_decl_line", "bagit.txt"},

	"v0.97/linux-only/out-of-scope-file-paths-using-absolute-path":               {"path_leaves_bag", "manifest-md5.txt"},
	"v0.97/linux-only/out-of-scope-file-paths-using-absolute-path-for-fetch":     {"path_leaves_bag", "fetch.txt"},
	"v0.97/linux-only/out-of-scope-file-paths-using-shortcut":                    {"path_not_payload", "manifest-md5.txt"},
	"v0.97/linux-only/out-of-scope-file-paths-using-shortcut-for-fetch":          {"path_not_payload", "fetch.txt"},
	"v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username":           {"path_not_payload", "manifest-md5.txt"},
	"v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username-for-fetch": {"path_not_payload", "fetch.txt"},

	"v0.97/warning/duplicate-file-with-different-case":                      {"bag_names_case", ""},
	"v0.97/warning/relative-path":                                           {"bag_path_form", "manifest-md5.txt"},
	"v0.97/warning/same-filename-listed-twice-with-different-normalization": {"bag_nfc_match", "manifest-sha512.txt"},
	"v0.97/warning/filename-normalization":                                  {"bag_nfc_match", "manifest-sha512.txt"},
	"v0.97/warning/special-system-files":                                    {"bag_system_file", "data/.DS_Store"},
	"v0.97/warning/made-with-md5sum-tools":                                  {"bag_md5sum_star", "manifest-md5.txt"},
	"v0.97/warning/same-filename-listed-twice-with-the-same-hash":           {"bag_twice", "manifest-md5.txt"},
}

// TestBagReaderPassesTheBagItConformanceSuite runs every bag of the suite
// through the bag reader: a valid bag is accepted with no warning, an
// invalid one refused with the problem that makes it so, and a warning
// one accepted with the warning in every unit it gives.
func TestBagReaderPassesTheBagItConformanceSuite(t *testing.T) {
	bags, err := filepath.Glob(filepath.Join("testdata", "bagit-conformance", "v*", "*", "*"))
	if err != nil || len(bags) == 0 {
		t.Fatalf("no bags in testdata/bagit-conformance: %v", err)
	}
	seen := map[string]bool{}
	for _, dir := range bags {
		name := filepath.ToSlash(strings.TrimPrefix(dir, filepath.Join("testdata", "bagit-conformance")+string(filepath.Separator)))
		seen[name] = true
		want, ok := conformance[name]
		if !ok {
			t.Errorf("bag %s is not in the table", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
			defer cleanup()
			if err != nil {
				t.Fatal(err)
			}
			category := strings.Split(name, "/")[1]
			refused := category == "invalid" || category == "linux-only" || want.kind == "bag_fetch"
			switch {
			case refused:
				if len(units) != 0 || !slices.ContainsFunc(problems, func(p ingest.Problem) bool {
					return p.Message.Kind == want.kind && (want.file == "" || p.Message.File == want.file)
				}) {
					t.Fatalf("want refused with %s on %q; got %d units, problems %v", want.kind, want.file, len(units), problems)
				}
				for _, p := range problems {
					if strings.Contains(p.String(), "testdata") {
						t.Errorf("problem names a path of this machine: %s", p)
					}
				}
			case len(problems) > 0 || len(units) == 0:
				t.Fatalf("want accepted; got %d units, problems %v", len(units), problems)
			case want.kind == "":
				for _, u := range units {
					if len(u.Notes) > 0 {
						t.Errorf("valid bag warns: %v", u.Notes)
					}
				}
			default:
				for _, u := range units {
					if !slices.ContainsFunc(u.Notes, func(m ingest.Message) bool {
						return m.Kind == want.kind && (want.file == "" || m.File == want.file)
					}) {
						t.Errorf("unit %s lacks warning %s on %q: %v", u.Files[0].Name, want.kind, want.file, u.Notes)
					}
				}
			}
		})
	}
	for name := range conformance {
		if !seen[name] {
			t.Errorf("bag %s of the table is not in testdata", name)
		}
	}
}

// TestBagTagFilesAreReadInTheirDeclaredEncoding checks what the UTF-16
// and ISO-8859-1 bags say, not only that they pass: bag-info.txt's words
// and a manifest's name with an accent come through as written.
func TestBagTagFilesAreReadInTheirDeclaredEncoding(t *testing.T) {
	suite := filepath.Join("testdata", "bagit-conformance", "v0.97", "valid")
	units, problems, cleanup, err := ingest.Bag(filepath.Join(suite, "UTF-16-encoded-tag-files"), ingest.Defaults{Institution: "tu"}, 1<<20)
	defer cleanup()
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("UTF-16 bag: %d units, %v, %v", len(units), problems, err)
	}
	if got := units[0].Meta.Title["none"]; got != "หนังสือสมุดไทย" {
		t.Errorf("UTF-16 bag-info.txt Title read as %q", got)
	}
	units, problems, cleanup, err = ingest.Bag(filepath.Join(suite, "ISO-8859-1-encoded-tag-files"), ingest.Defaults{Institution: "tu"}, 1<<20)
	defer cleanup()
	if err != nil || len(problems) > 0 || len(units) != 1 {
		t.Fatalf("ISO-8859-1 bag: %d units, %v, %v", len(units), problems, err)
	}
	if got := units[0].Meta.Source["bag-info.Source-Organization"]; got != "Bibliothèque nationale" {
		t.Errorf("ISO-8859-1 bag-info.txt read as %q", got)
	}
	if f := units[0].Files[0]; f.Name != "café.txt" || f.Checksums["md5"] == "" {
		t.Errorf("ISO-8859-1 manifest name not matched to café.txt: %+v", f)
	}
}

// TestBagWithPercentEncodedNewlinesInNamesIsAccepted makes the suite's
// bag-with-encoded-names here, since its file names hold a line feed and a
// carriage return (RFC 8493 §2.1.3 writes them %0A and %0D).
func TestBagWithPercentEncodedNewlinesInNamesIsAccepted(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"data/a\nb.txt": []byte("one\n"), "data/c\rd.txt": []byte("two\n")}
	manifest := ""
	for name, b := range files {
		sum := md5.Sum(b)
		manifest += hex.EncodeToString(sum[:]) + "  " + strings.NewReplacer("\n", "%0A", "\r", "%0D").Replace(name) + "\n"
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "bagit.txt"), []byte("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-md5.txt"), []byte(manifest), 0o644)
	units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
	defer cleanup()
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("%d units, %v, %v", len(units), problems, err)
	}
}

// TestFolderWithManifestsButNoBagitTxtLooksLikeABag: such a folder is a
// broken bag, to be refused as one, not ingested as a plain folder.
func TestFolderWithManifestsButNoBagitTxtLooksLikeABag(t *testing.T) {
	broken := filepath.Join("testdata", "bagit-conformance", "v0.97", "invalid", "missing-bagit.txt")
	if !ingest.LooksLikeBag(broken) {
		t.Errorf("a folder with manifests and bag-info.txt but no bagit.txt is not taken for a bag")
	}
	if ingest.LooksLikeBag(filepath.Join(broken, "data")) {
		t.Errorf("a plain folder is taken for a bag")
	}
}

// TestBagWithManifestOfUnknownAlgorithmIsRefused: a bag is valid only when
// every checksum is verified (RFC 8493 §3), so a manifest that cannot be
// checked refuses it, even beside one that can; sha384 is checked.
func TestBagWithManifestOfUnknownAlgorithmIsRefused(t *testing.T) {
	dir := t.TempDir()
	body := []byte("hello\n")
	sum := sha512.Sum384(body)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "data", "hello.txt"), body, 0o644)
	os.WriteFile(filepath.Join(dir, "bagit.txt"), []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-sha384.txt"), []byte(hex.EncodeToString(sum[:])+"  data/hello.txt\n"), 0o644)
	units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
	cleanup()
	if err != nil || len(problems) > 0 || len(units) != 1 || units[0].Files[0].Checksums["sha384"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha384 bag: %d units, %v, %v", len(units), problems, err)
	}
	os.WriteFile(filepath.Join(dir, "manifest-blake3.txt"), []byte("00  data/hello.txt\n"), 0o644)
	units, problems, cleanup, err = ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
	cleanup()
	if err != nil || len(units) != 0 || len(problems) != 1 || problems[0].Message.Kind != "bag_algorithm" || problems[0].Message.File != "manifest-blake3.txt" {
		t.Fatalf("bag with a blake3 manifest: %d units, %v, %v", len(units), problems, err)
	}
}

// TestBagWithOnlySha224ManifestIsIngested: the checksums a sha224 (or
// sha384) manifest vouches for are checked again as the files are stored,
// not refused as an unknown algorithm.
func TestBagWithOnlySha224ManifestIsIngested(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var img bytes.Buffer
			png.Encode(&img, pattern(80, 60, color.RGBA{0, 120, 0, 255}))
			sum := sha256.Sum224(img.Bytes())
			os.MkdirAll(filepath.Join(dir, "data"), 0o755)
			os.WriteFile(filepath.Join(dir, "data", "leaf.png"), img.Bytes(), 0o644)
			os.WriteFile(filepath.Join(dir, "bagit.txt"), []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "manifest-sha224.txt"), []byte(hex.EncodeToString(sum[:])+"  data/leaf.png\n"), 0o644)
			units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<30)
			defer cleanup()
			if err != nil || len(problems) > 0 || len(units) != 1 || units[0].Files[0].Checksums["sha224"] == "" {
				t.Fatalf("sha224 bag: %d units, %v, %v", len(units), problems, err)
			}
			out := newEnv(t, open(t)).run(units)
			if o := out["leaf.png"]; o.Status != ingest.Ingested {
				t.Fatalf("sha224 bag's file: %+v", o)
			}
		})
	}
}
