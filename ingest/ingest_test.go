package ingest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/repository/edtf"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/s3/miniotest"
	"github.com/thaiarchives/archive/storage/storagetest"
)

var ctx = context.Background()

type env struct {
	store *bolt.Store
	blobs storage.Blobs
	p     *ingest.Pipeline
}

func newEnv(t *testing.T, blobs storage.Blobs, tweak ...func(*ingest.Config)) *env {
	t.Helper()
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := ingest.Config{Store: store, Blobs: blobs, Agent: "test", Workers: 2}
	for _, f := range tweak {
		f(&cfg)
	}
	return &env{store: store, blobs: blobs, p: ingest.New(cfg)}
}

func localBlobs(t *testing.T) storage.Blobs {
	b, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) run(units []ingest.Unit) map[string]ingest.Outcome {
	out := map[string]ingest.Outcome{}
	e.p.Run(ctx, units, func(o ingest.Outcome) { out[o.File] = o })
	return out
}

// pattern draws a recognisable image: a colour field with a bright square.
func pattern(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			p := c
			if x < w/4 && y < h/4 {
				p = color.RGBA{255, 255, 255, 255}
			}
			img.SetRGBA(x, y, p)
		}
	}
	return img
}

func writeJPEG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// multiPageTIFF writes an uncompressed RGB TIFF with one page per colour.
func multiPageTIFF(t *testing.T, path string, w, h int, colours ...color.RGBA) {
	t.Helper()
	le := binary.LittleEndian
	out := []byte{'I', 'I', 42, 0, 0, 0, 0, 0}
	prevNext := 4
	for _, c := range colours {
		stripAt := len(out)
		for range w * h {
			out = append(out, c.R, c.G, c.B)
		}
		bpsAt := len(out)
		out = le.AppendUint16(le.AppendUint16(le.AppendUint16(out, 8), 8), 8)
		ifdAt := len(out)
		le.PutUint32(out[prevNext:], uint32(ifdAt))
		entries := [][3]uint32{{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 0}, {259, 3, 1}, {262, 3, 2},
			{273, 4, uint32(stripAt)}, {277, 3, 3}, {278, 4, uint32(h)}, {279, 4, uint32(w * h * 3)}}
		out = le.AppendUint16(out, uint16(len(entries)))
		for _, e := range entries {
			out = le.AppendUint16(out, uint16(e[0]))
			out = le.AppendUint16(out, uint16(e[1]))
			if e[0] == 258 {
				out = le.AppendUint32(le.AppendUint32(out, 3), uint32(bpsAt))
				continue
			}
			out = le.AppendUint32(out, 1)
			if e[1] == 3 {
				out = le.AppendUint32(out, e[2]) // SHORT left-justified, little-endian
			} else {
				out = le.AppendUint32(out, e[2])
			}
		}
		prevNext = len(out)
		out = le.AppendUint32(out, 0)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func backends(t *testing.T) map[string]func(t *testing.T) storage.Blobs {
	var srv *miniotest.Server
	n := 0
	return map[string]func(t *testing.T) storage.Blobs{
		"local": localBlobs,
		"minio": func(t *testing.T) storage.Blobs {
			if srv == nil {
				srv = miniotest.Start(t)
			}
			n++
			return srv.Open(t, "ingest", fmt.Sprintf("t%d", n))
		},
	}
}

func TestFolderIngestOnEveryBackend(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(700, 500, color.RGBA{200, 40, 40, 255}))
			writeJPEG(t, filepath.Join(dir, "sub", "b.jpg"), pattern(300, 900, color.RGBA{40, 200, 40, 255}))
			multiPageTIFF(t, filepath.Join(dir, "book.tif"), 120, 90, color.RGBA{250, 0, 0, 255}, color.RGBA{0, 0, 250, 255})
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("บันทึกข้อความ\nภาษาไทย\n"), 0o644)
			os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte{0, 1, 2}, 0o644)
			e := newEnv(t, open(t))
			units, problems, err := ingest.Folder(dir, ingest.Defaults{Institution: "cmu"}, false)
			if err != nil || len(problems) > 0 || len(units) != 4 {
				t.Fatalf("folder: %d units, %v, %v", len(units), problems, err)
			}
			out := e.run(units)
			for _, f := range []string{"a.jpg", "sub/b.jpg", "book.tif", "notes.txt"} {
				if out[f].Status != ingest.Ingested {
					t.Fatalf("%s: %+v", f, out[f])
				}
			}
			book, _ := e.store.Item(out["book.tif"].Item)
			if len(book.Files) != 2 || book.Files[1].Page != 2 || len(out["book.tif"].Images) != 2 {
				t.Fatalf("multi-page TIFF became %d files, images %v", len(book.Files), out["book.tif"].Images)
			}
			// The access copy of page 2 is blue and the right size.
			pyr, err := pyramid.Read(storage.ReaderAt{Ctx: ctx, F: e.blobs, Key: book.Files[1].Derivatives["access"]})
			if err != nil || pyr.Levels[0].Width != 120 || pyr.Levels[0].Height != 90 {
				t.Fatalf("page 2 pyramid: %v", err)
			}
			off, n, _ := pyr.Levels[0].Tile(0, 0)
			tile := storagetest.MustGet(t, e.blobs, book.Files[1].Derivatives["access"], off, n)
			img, _ := pyr.Levels[0].DecodeTile(tile)
			if r, _, b, _ := img.At(10, 10).RGBA(); r>>8 > 30 || b>>8 < 220 {
				t.Fatalf("page 2 is not blue: %v", img.At(10, 10))
			}
			a, _ := e.store.Item(out["a.jpg"].Item)
			if a.Files[0].Width != 700 || a.Type != ingest.KindImage || a.Title["none"] != "a" {
				t.Fatalf("a.jpg item: %+v", a)
			}
			if _, err := e.blobs.Stat(ctx, storage.DigestKey(a.Files[0].SHA256)); err != nil {
				t.Fatalf("master not stored: %v", err)
			}
			evs, _ := e.store.Events(a.ID)
			var types []string
			for _, ev := range evs {
				types = append(types, ev.Type)
			}
			if strings.Join(types, ",") != "creation,ingestion,fixity check,derivation" || evs[1].Agent != "test" {
				t.Fatalf("events: %v", types)
			}
			text, _ := e.store.Item(out["notes.txt"].Item)
			if text.Type != ingest.KindText || !strings.HasPrefix(text.Files[0].MediaType, "text/plain") {
				t.Fatalf("text item: %+v", text.Files)
			}
			// The same ingest again adds nothing.
			again := e.run(units)
			for f, o := range again {
				if o.Status != ingest.Duplicate || o.Item != out[f].Item {
					t.Fatalf("re-run of %s: %+v, want duplicate of %s", f, o, out[f].Item)
				}
			}
			p, _ := e.store.ItemsOfInstitution("cmu", "", 100)
			if len(p.IDs) != 4 {
				t.Fatalf("%d items after re-run, want 4", len(p.IDs))
			}
		})
	}
}

func TestGroupedFolderMakesMultiPageItems(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"page10.jpg", "page2.jpg", "page1.jpg"} {
		writeJPEG(t, filepath.Join(dir, "letter", n), pattern(64, 64, color.RGBA{10, 10, 10, 255}))
	}
	units, _, err := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, true)
	if err != nil || len(units) != 1 {
		t.Fatalf("%d units, %v", len(units), err)
	}
	var names []string
	for _, f := range units[0].Files {
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != "letter/page1.jpg letter/page2.jpg letter/page10.jpg" {
		t.Fatalf("page order %v", names)
	}
	e := newEnv(t, localBlobs(t))
	out := e.run(units)
	it, _ := e.store.Item(out["letter/page1.jpg"].Item)
	if it == nil || len(it.Files) != 3 || it.Title["none"] != "letter" {
		t.Fatalf("grouped item: %+v", it)
	}
}

const sampleText = "../testdata/samples/cmu-library-mou-2562.txt"

func TestSheetWithThaiMetadata(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "p1.jpg"), pattern(200, 300, color.RGBA{90, 90, 200, 255}))
	writeJPEG(t, filepath.Join(dir, "p2.jpg"), pattern(200, 300, color.RGBA{90, 200, 90, 255}))
	text, err := os.ReadFile(sampleText)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "mou.txt"), text, 0o644)
	title := strings.TrimSpace(strings.SplitN(string(text), "\n", 2)[0])
	sheet := "files,title.th,title.en,date,rights,access,subject.th,subject.en,publisher.th,toc,viewingDirection\n" +
		"p1.jpg;p2.jpg,จดหมายเหตุ,A letter,18 มิ.ย. 2562,http://rightsstatements.org/vocab/InC-EDU/1.0/,restricted,ประวัติศาสตร์;ห้องสมุด,History;Libraries,สำนักหอสมุด,บทนำ|Introduction=1; ภาคผนวก|Appendix=2,right-to-left\n" +
		"mou.txt,\"" + title + "\",,18 มิถุนายน 2562,,,,,,,\n"
	os.WriteFile(filepath.Join(dir, "sheet.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "sheet.csv"), ingest.Defaults{Institution: "cmu"})
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("sheet: %d units, %v, %v", len(units), problems, err)
	}
	e := newEnv(t, localBlobs(t))
	out := e.run(units)
	letter, _ := e.store.Item(out["p1.jpg"].Item)
	if letter.Title["th"] != "จดหมายเหตุ" || letter.Title["en"] != "A letter" || letter.Date != "2019-06-18" ||
		letter.Access.Level != repository.Restricted || len(letter.Files) != 2 || len(letter.Subjects) != 2 ||
		letter.Subjects[1]["en"] != "Libraries" || letter.ViewingDirection != "right-to-left" || len(letter.Structures) != 2 ||
		letter.Structures[1].Label["en"] != "Appendix" || letter.Structures[1].Canvases[0] != 1 || letter.Metadata[0].Value["th"] != "สำนักหอสมุด" {
		t.Fatalf("letter: %+v", letter)
	}
	mou, _ := e.store.Item(out["mou.txt"].Item)
	if mou.Title["th"] != title || mou.Date != "2019-06-18" || mou.Type != ingest.KindText {
		t.Fatalf("Thai sample: title %q date %q type %q", mou.Title.Get("th"), mou.Date, mou.Type)
	}
}

func TestSheetSavedByThaiExcelIsRead(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(50, 50, color.RGBA{1, 2, 3, 255}))
	cp874, err := charmap.Windows874.NewEncoder().String("file,title.th\na.jpg,ภาพถ่ายเก่า\n")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(cp874), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(problems) > 0 || units[0].Meta.Title["th"] != "ภาพถ่ายเก่า" {
		t.Fatalf("Windows-874 sheet: %v %v %+v", err, problems, units)
	}
	os.WriteFile(filepath.Join(dir, "latin.csv"), []byte("file,title.en\na.jpg,Caf\xe9 \xff\xfe\n"), 0o644)
	_, _, err = ingest.Sheet(filepath.Join(dir, "latin.csv"), ingest.Defaults{Institution: "tu"})
	if err == nil || !strings.Contains(err.Error(), "CSV UTF-8") {
		t.Fatalf("non-Thai legacy sheet: %v", err)
	}
}

func TestSheetReportsEveryBadCell(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(50, 50, color.RGBA{1, 2, 3, 255}))
	sheet := "file,title.en,date,rights,colour\n" +
		"a.jpg,Fine,2019,,\n" +
		"a.jpg,Bad date,18/06/62,,\n" +
		"missing.jpg,No file,,http://example.com/free,\n" +
		"../../etc/passwd,Escape,,,\n"
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(units) != 0 {
		t.Fatalf("a sheet with problems gave %d units, %v", len(units), err)
	}
	all := fmt.Sprint(problems)
	for _, want := range []string{`unknown column "colour"`, "row 3, column date", "18/06/62", "row 4, column file: file \"missing.jpg\" does not exist",
		"row 4, column rights", "row 5, column file: file \"../../etc/passwd\" is outside"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

func TestThaiDatesBecomeCommonEra(t *testing.T) {
	for in, want := range map[string]string{"18 มิถุนายน 2562": "2019-06-18", "๑๘ มิ.ย. ๒๕๖๒": "2019-06-18", "มิถุนายน 2562": "2019-06",
		"พ.ศ. 2475": "1932", "2500~": "1957~", "2505": "1962", "ค.ศ. 2505": "2505", "1957/1960": "1957/1960",
		"2505/2510": "1962/1967", "พ.ศ. 2505/2510": "1962/1967"} {
		if got, _, err := ingest.ReadDate(in); err != nil || got != want {
			t.Errorf("ReadDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"31 กุมภาพันธ์ 2562", "18 Juneish 2562", "yesterday", "62", "250X"} {
		if _, _, err := ingest.ReadDate(bad); err == nil {
			t.Errorf("ReadDate(%q) accepted", bad)
		}
	}
}

// TestReadDateWarnsOfABuddhistEraYearWithItsBothYears: the warning names
// what was typed, the year in the Buddhist Era and the date stored, for a
// page to say "read as B.E. 2505 = 1962 CE" in its own language.
// TestReadDateWarnsInTheWordsOfEDTFsWarning: the warning of a date read as
// the Buddhist Era is one sentence whichever way the date is read, a range
// with one end in each era too (2500/1960 is พ.ศ. 2500/2503, not 2500/1960).
func TestReadDateWarnsInTheWordsOfEDTFsWarning(t *testing.T) {
	for _, in := range []string{"2500/1960", "2501/2510", "2505-06-18", " 2500~ ", "June 2505", "18 June 2505"} {
		_, w, err := ingest.ReadDate(in)
		_, warning, nerr := edtf.Normalize(in)
		if err != nil || nerr != nil || w == nil || w.String() != warning {
			t.Errorf("%q: ReadDate warns %v (%v), edtf.Normalize %q (%v)", in, w, err, warning, nerr)
		}
	}
	if _, w, _ := ingest.ReadDate("2500/1960"); w == nil || !strings.Contains(w.String(), "(พ.ศ. 2500/2503)") {
		t.Errorf("2500/1960 warns %v; want the range's years in the Buddhist Era (พ.ศ. 2500/2503)", w)
	}
}

func TestReadDateWarnsOfABuddhistEraYearWithItsBothYears(t *testing.T) {
	for in, want := range map[string][]string{"2505": {"2505", "2505", "1962"}, " 2500~ ": {"2500~", "2500", "1957~"},
		"2505-06-18": {"2505-06-18", "2505", "1962-06-18"}, "2501/2510": {"2501/2510", "2501/2510", "1958/1967"}, "1962": nil, "พ.ศ. 2505": nil, "18 มิถุนายน 2505": nil} {
		_, w, err := ingest.ReadDate(in)
		if err != nil {
			t.Fatalf("ReadDate(%q): %v", in, err)
		}
		switch {
		case want == nil && w != nil:
			t.Errorf("ReadDate(%q) warns %v; want no warning", in, w)
		case want != nil && (w == nil || w.Kind != "date_be" || !slices.Equal(w.Args, want)):
			t.Errorf("ReadDate(%q) warns %+v; want date_be %q", in, w, want)
		}
	}
	_, _, err := ingest.ReadDate("62")
	var e *ingest.Error
	if !errors.As(err, &e) || e.Kind != "date_ambiguous" || e.Args[0] != "62" || !strings.Contains(err.Error(), "two-digit year") {
		t.Errorf("ReadDate(62): %v; want a date_ambiguous message with edtf's sentence", err)
	}
}

func sum(alg string, b []byte) string {
	if alg == "md5" {
		s := md5.Sum(b)
		return hex.EncodeToString(s[:])
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBagSystemFilesAreCheckedButNotMadeIntoItems: .DS_Store, Thumbs.db,
// desktop.ini and AppleDouble files a bag's manifest lists are checked with
// the bag (a wrong checksum refuses it), then left out of its items, with a
// warning on each unit saying so; the images go in.
func TestBagSystemFilesAreCheckedButNotMadeIntoItems(t *testing.T) {
	dir := t.TempDir()
	files := makeBag(t, dir)
	system := []string{"data/.DS_Store", "data/Thumbs.db", "data/sub/desktop.ini", "data/._img1.png"}
	for _, name := range system {
		files[name] = []byte("made by the operating system: " + name)
	}
	writeBag(t, dir, files)
	units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
	defer cleanup()
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("bag with system files: %d units, %v, %v", len(units), problems, err)
	}
	for _, u := range units {
		var warned []string
		for _, m := range u.Notes {
			if m.Kind == "bag_system_file" {
				warned = append(warned, m.File)
			}
		}
		slices.Sort(warned)
		want := slices.Sorted(slices.Values(system))
		if !slices.Equal(warned, want) || !strings.Contains(ingest.English("bag_system_file"), "not kept as an item") {
			t.Errorf("unit %s warns of %v; want %v, each said not to be kept", u.Files[0].Name, warned, want)
		}
	}
	out := newEnv(t, localBlobs(t)).run(units)
	if len(out) != 2 || out["img1.png"].Status != ingest.Ingested || out["img2.png"].Status != ingest.Ingested {
		t.Errorf("outcomes: %+v", out)
	}

	// A system file whose content is not what the manifest says refuses the bag.
	os.WriteFile(filepath.Join(dir, "data", ".DS_Store"), []byte("changed"), 0o644)
	units, problems, cleanup2, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<20)
	defer cleanup2()
	if err != nil || len(units) != 0 || len(problems) == 0 {
		t.Errorf("bag with a changed .DS_Store: %d units, %v, %v", len(units), problems, err)
	}
}

// makeBag writes a valid bag of two images to dir.
func makeBag(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for i, c := range []color.RGBA{{200, 0, 0, 255}, {0, 0, 200, 255}} {
		var b bytes.Buffer
		png.Encode(&b, pattern(80, 60, c))
		files[fmt.Sprintf("data/img%d.png", i+1)] = b.Bytes()
	}
	writeBag(t, dir, files)
	return files
}

// writeBag writes a valid bag of files (named "data/…") to dir.
func writeBag(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	var m256, m5 strings.Builder
	var octets int
	for name, b := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
		fmt.Fprintf(&m256, "%s  %s\n", sum("sha256", b), name)
		fmt.Fprintf(&m5, "%s %s\n", sum("md5", b), name)
		octets += len(b)
	}
	os.WriteFile(filepath.Join(dir, "bagit.txt"), []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-sha256.txt"), []byte(m256.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-md5.txt"), []byte(m5.String()), 0o644)
	info := fmt.Sprintf("Source-Organization: Thammasat University Library\nExternal-Description: Photographs of the\n  1973 demonstrations\nPayload-Oxum: %d.%d\n", octets, len(files))
	os.WriteFile(filepath.Join(dir, "bag-info.txt"), []byte(info), 0o644)
	tag := fmt.Sprintf("%s bagit.txt\n%s bag-info.txt\n", sum("sha256", []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")), sum("sha256", []byte(info)))
	os.WriteFile(filepath.Join(dir, "tagmanifest-sha256.txt"), []byte(tag), 0o644)
}

func TestBagIsValidatedWholeOnEveryBackend(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			makeBag(t, dir)
			units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<30)
			defer cleanup()
			if err != nil || len(problems) > 0 || len(units) != 2 {
				t.Fatalf("valid bag: %d units, %v, %v", len(units), problems, err)
			}
			if units[0].Files[0].Checksums["md5"] == "" || units[0].Files[0].Checksums["sha256"] == "" {
				t.Fatalf("bag checksums not carried: %+v", units[0].Files[0])
			}
			e := newEnv(t, open(t))
			out := e.run(units)
			it, _ := e.store.Item(out["img1.png"].Item)
			if it == nil || it.Summary["none"] != "Photographs of the 1973 demonstrations" || it.Source["bag-info.Source-Organization"] != "Thammasat University Library" {
				t.Fatalf("bag item: %+v (%+v)", it, out)
			}
		})
	}
}

func TestInvalidBagIsRefusedWithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	files := makeBag(t, dir)
	os.WriteFile(filepath.Join(dir, "data/img1.png"), append(files["data/img1.png"], 0), 0o644) // damaged
	os.Remove(filepath.Join(dir, "data/img2.png"))                                              // missing
	os.WriteFile(filepath.Join(dir, "data/extra.png"), []byte("x"), 0o644)                      // not in manifests
	units, problems, cleanup, err := ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<30)
	defer cleanup()
	if err != nil || len(units) != 0 {
		t.Fatalf("invalid bag gave %d units, %v", len(units), err)
	}
	all := fmt.Sprint(problems)
	for _, want := range []string{"data/img1.png: sha256 checksum is", "data/img1.png: md5 checksum is", "data/img2.png: is listed in manifest-sha256.txt but missing",
		"data/extra.png: is in the payload but not in manifest-md5.txt", "Payload-Oxum is"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	os.Remove(filepath.Join(dir, "bagit.txt"))
	_, problems, _, _ = ingest.Bag(dir, ingest.Defaults{Institution: "tu"}, 1<<30)
	if !strings.Contains(fmt.Sprint(problems), "no bagit.txt is a broken bag") {
		t.Errorf("bag without bagit.txt: %v", problems)
	}
}

func TestZippedBagAndZipSlip(t *testing.T) {
	dir := t.TempDir()
	makeBag(t, filepath.Join(dir, "bag"))
	zipPath := filepath.Join(dir, "bag.zip")
	zf, _ := os.Create(zipPath)
	zw := zip.NewWriter(zf)
	filepath.Walk(filepath.Join(dir, "bag"), func(p string, info os.FileInfo, err error) error {
		if info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		w, _ := zw.Create(filepath.ToSlash(rel))
		b, _ := os.ReadFile(p)
		w.Write(b)
		return nil
	})
	zw.Close()
	zf.Close()
	units, problems, cleanup, err := ingest.Bag(zipPath, ingest.Defaults{Institution: "tu"}, 1<<30)
	cleanup()
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("zipped bag: %d units, %v, %v", len(units), problems, err)
	}
	evil := filepath.Join(dir, "evil.zip")
	zf, _ = os.Create(evil)
	zw = zip.NewWriter(zf)
	w, _ := zw.Create("../../outside.txt")
	w.Write([]byte("owned"))
	zw.Close()
	zf.Close()
	_, problems, cleanup, _ = ingest.Bag(evil, ingest.Defaults{Institution: "tu"}, 1<<30)
	cleanup()
	if !strings.Contains(fmt.Sprint(problems), "zip-slip") {
		t.Fatalf("zip-slip not refused: %v", problems)
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "outside.txt")); err == nil {
		t.Fatal("zip-slip wrote outside the bag")
	}
}

func TestHostileFilesAreRefusedAndNothingRegistered(t *testing.T) {
	dir := t.TempDir()
	// A PNG whose header declares 100000×100000 pixels.
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	bomb := b.Bytes()
	binary.BigEndian.PutUint32(bomb[16:], 100000)
	binary.BigEndian.PutUint32(bomb[20:], 100000)
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29])) // IHDR's CRC
	os.WriteFile(filepath.Join(dir, "bomb.png"), bomb, 0o644)
	var j bytes.Buffer
	jpeg.Encode(&j, pattern(400, 400, color.RGBA{9, 9, 9, 255}), nil)
	os.WriteFile(filepath.Join(dir, "truncated.jpg"), j.Bytes()[:j.Len()/2], 0o644)
	os.WriteFile(filepath.Join(dir, "big.jpg"), append(bytes.Clone(j.Bytes()), make([]byte, 3<<20)...), 0o644)
	os.WriteFile(filepath.Join(dir, "random.bin"), storagetest.Pattern(5, 5000), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jpg"), nil, 0o644)
	outside := filepath.Join(t.TempDir(), "secret.jpg")
	os.WriteFile(outside, j.Bytes(), 0o644)
	os.Symlink(outside, filepath.Join(dir, "link.jpg"))
	units, problems, err := ingest.Folder(dir, ingest.Defaults{Institution: "chula"}, false)
	if err != nil || !strings.Contains(fmt.Sprint(problems), "link.jpg: is a symbolic link to outside the source folder") {
		t.Fatalf("symlink out of the folder: %v %v", problems, err)
	}
	e := newEnv(t, localBlobs(t), func(c *ingest.Config) { c.MaxFileSize = 2 << 20 })
	out := e.run(units)
	for file, want := range map[string]string{
		"bomb.png":      "declares 100000×100000 pixels",
		"truncated.jpg": "cannot be decoded",
		"big.jpg":       "over the limit",
		"random.bin":    "not a supported",
		"empty.jpg":     "is empty",
	} {
		if o := out[file]; o.Status != ingest.Refused || !strings.Contains(o.Error, want) {
			t.Errorf("%s: %+v, want refused with %q", file, o, want)
		}
	}
	if p, _ := e.store.ItemsOfInstitution("chula", "", 10); len(p.IDs) != 0 {
		t.Fatalf("refused files registered items: %v", p.IDs)
	}
}

func TestStorageOutageFailsThenRerunFinishes(t *testing.T) {
	dir := t.TempDir()
	for i := range 4 {
		writeJPEG(t, filepath.Join(dir, fmt.Sprintf("f%d.jpg", i)), pattern(300+i, 200, color.RGBA{uint8(50 * i), 80, 80, 255}))
	}
	faulty := &storagetest.Faulty{Blobs: localBlobs(t)}
	e := newEnv(t, faulty)
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "cmu"}, false)
	faulty.FailPutAfter = 7 // part-way through the derivatives
	out := e.run(units)
	failed := 0
	for _, o := range out {
		if o.Status == ingest.Failed {
			failed++
			if !strings.Contains(o.Error, "run the same ingest again") {
				t.Errorf("failure message: %q", o.Error)
			}
		}
	}
	if failed == 0 {
		t.Fatal("an injected storage failure failed nothing")
	}
	// Every registered item points only at stored blobs.
	checkComplete(t, e)
	out = e.run(units)
	n := 0
	for _, o := range out {
		if o.Status == ingest.Ingested {
			n++
		} else if o.Status != ingest.Duplicate {
			t.Fatalf("re-run: %+v", o)
		}
	}
	if n != failed {
		t.Fatalf("re-run ingested %d, want the %d that failed", n, failed)
	}
	checkComplete(t, e)
}

// checkComplete asserts that no item points at a missing blob and no
// content is registered twice.
func checkComplete(t *testing.T, e *env) {
	t.Helper()
	seen := map[string]string{}
	for _, inst := range []string{"cmu", "tu", "chula"} {
		p, _ := e.store.ItemsOfInstitution(inst, "", 100000)
		for _, id := range p.IDs {
			it, _ := e.store.Item(id)
			for _, f := range it.Files {
				if other, dup := seen[f.SHA256+fmt.Sprint(f.Page)]; dup {
					t.Fatalf("content %s registered twice: %s and %s", f.SHA256, other, id)
				}
				seen[f.SHA256+fmt.Sprint(f.Page)] = id
				keys := []string{storage.DigestKey(f.SHA256)}
				for _, k := range f.Derivatives {
					keys = append(keys, k)
				}
				for _, k := range keys {
					if _, err := e.blobs.Stat(ctx, k); err != nil {
						t.Fatalf("item %s points at missing blob %s: %v", id, k, err)
					}
				}
			}
		}
	}
}

func TestAudioAndVideoGetDurationAndPoster(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatal("ffmpeg is required (ARCHIVE_REQUIRE_TOOLS) but not installed")
		}
		t.Skip("ffmpeg not installed")
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10", "-pix_fmt", "yuv420p", filepath.Join(dir, "clip.mp4")},
		{"-f", "lavfi", "-i", "sine=frequency=440:duration=1.5", filepath.Join(dir, "tone.wav")},
	} {
		if b, err := exec.Command(ffmpeg, append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("making test media: %v %s", err, b)
		}
	}
	os.WriteFile(filepath.Join(dir, "broken.mp4"), []byte("\x00\x00\x00\x18ftypmp42 nothing else"), 0o644)
	e := newEnv(t, localBlobs(t))
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "tu"}, false)
	out := e.run(units)
	clip, _ := e.store.Item(out["clip.mp4"].Item)
	if clip == nil || clip.Type != ingest.KindVideo || clip.Files[0].Width != 320 || clip.Files[0].Duration < 1.9 || clip.Files[0].Derivatives["poster"] == "" {
		t.Fatalf("video: %+v %+v", out["clip.mp4"], clip)
	}
	tone, _ := e.store.Item(out["tone.wav"].Item)
	if tone == nil || tone.Type != ingest.KindSound || tone.Files[0].Duration < 1.4 || tone.Files[0].Duration > 1.6 {
		t.Fatalf("audio: %+v", out["tone.wav"])
	}
	if o := out["broken.mp4"]; o.Status != ingest.Refused || !strings.Contains(o.Error, "damaged") {
		t.Fatalf("broken video: %+v", o)
	}
}

func TestSampleImagesThroughThePipeline(t *testing.T) {
	dir := "../testdata/samples/images"
	e := newEnv(t, localBlobs(t))
	units, _, _ := ingest.Folder(dir, ingest.Defaults{Institution: "chula"}, false)
	out := e.run(units)
	for f, o := range out {
		if o.Status != ingest.Ingested { // the CMYK scan too, through its press profile
			t.Errorf("%s: %+v, want %s", f, o, ingest.Ingested)
		}
	}
	if len(out) != 6 {
		t.Fatalf("%d outcomes for 6 samples", len(out))
	}
	_ = errors.New
}

func TestDemoFillsAnEmptyArchiveOnce(t *testing.T) {
	e := newEnv(t, localBlobs(t))
	n, err := ingest.Demo(ctx, e.p)
	if err != nil || n != 6 {
		t.Fatalf("demo: %d items, %v", n, err)
	}
	pages := 0
	for _, inst := range []string{"cmu", "tu", "chula"} {
		p, _ := e.store.ItemsOfInstitution(inst, "", 10)
		if len(p.IDs) != 2 {
			t.Fatalf("%s has %d demo items", inst, len(p.IDs))
		}
		for _, id := range p.IDs {
			it, _ := e.store.Item(id)
			pages = max(pages, len(it.Files))
			if it.Title["th"] == "" || it.Title["en"] == "" || it.Date == "" || it.Collection == "" {
				t.Fatalf("demo item lacks bilingual title, date or collection: %+v", it)
			}
			if it.Title["en"] == "Palm-leaf manuscript: medical treatise" && it.Date != "1887" {
				t.Fatalf("พ.ศ. 2430 became %q, want 1887", it.Date)
			}
		}
	}
	if pages != 3 {
		t.Fatalf("no multi-page demo item (most pages %d)", pages)
	}
	if n, err := ingest.Demo(ctx, e.p); n != 0 || err != nil {
		t.Fatalf("demo on a filled archive: %d, %v", n, err)
	}
}

func TestExcelSheetIsReadLikeCSV(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(60, 40, color.RGBA{5, 5, 5, 255}))
	f := excelize.NewFile()
	for i, row := range [][]string{{"files", "title.th", "title.en", "date"}, {"a.jpg", "ภาพถ่ายทางอากาศ", "Aerial photograph", "มิถุนายน 2500"}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "sheet.xlsx")); err != nil {
		t.Fatal(err)
	}
	units, problems, err := ingest.Sheet(filepath.Join(dir, "sheet.xlsx"), ingest.Defaults{Institution: "chula"})
	if err != nil || len(problems) > 0 || len(units) != 1 {
		t.Fatalf("xlsx: %d units, %v, %v", len(units), problems, err)
	}
	if m := units[0].Meta; m.Title["th"] != "ภาพถ่ายทางอากาศ" || m.Date != "1957-06" {
		t.Fatalf("xlsx row: %+v", m)
	}
	os.WriteFile(filepath.Join(dir, "fake.xlsx"), []byte("not a workbook"), 0o644)
	if _, _, err := ingest.Sheet(filepath.Join(dir, "fake.xlsx"), ingest.Defaults{}); err == nil || !strings.Contains(err.Error(), "not a readable Excel workbook") {
		t.Fatalf("a broken workbook: %v", err)
	}
}
