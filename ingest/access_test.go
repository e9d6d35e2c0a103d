package ingest_test

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

func TestSheetReadsEveryAccessLevelAndEmbargo(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(40, 40, color.RGBA{9, 9, 9, 255}))
	rows := []struct{ access, embargo, level, until string }{
		{"public", "", repository.Public, ""},
		{" PUBLIC ", "", repository.Public, ""},
		{"Reduced", "", repository.Reduced, ""},
		{"metadata", "", repository.MetadataOnly, ""},
		{"RESTRICTED", "2030-01-31", repository.Restricted, "2030-01-31"},
		{"สาธารณะ", "31 มกราคม 2573", repository.Public, "2030-01-31"},
		{"ภาพขนาดย่อ", "", repository.Reduced, ""},
		{"เฉพาะคำอธิบาย", "", repository.MetadataOnly, ""},
		{" จำกัด ", "๓๑ ธ.ค. ๒๕๖๙", repository.Restricted, "2026-12-31"},
		{"", "2027-06-01", "", "2027-06-01"}, // an embargo alone; no level stated
		{"", "", "", ""},
	}
	sheet := "file,title.en,access,embargo\n"
	for i, r := range rows {
		sheet += fmt.Sprintf("a.jpg,Row %d,%s,%s\n", i, r.access, r.embargo)
	}
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(problems) > 0 || len(units) != len(rows) {
		t.Fatalf("sheet: %d units, %v, %v", len(units), problems, err)
	}
	for i, r := range rows {
		want := repository.Access{Level: r.level, Embargo: r.until}
		if got := units[i].Meta.Access; got != want {
			t.Errorf("access %q, embargo %q: got %+v, want %+v", r.access, r.embargo, got, want)
		}
	}
}

func TestSheetRefusesUnknownAccessLevelNamingRowValueAndChoices(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(40, 40, color.RGBA{9, 9, 9, 255}))
	sheet := "file,access,embargo\n" +
		"a.jpg,public,\n" +
		"a.jpg,secret,\n" +
		"a.jpg,metadata-only,\n" +
		"a.jpg,restricted,2026-02-30\n" +
		"a.jpg,restricted,2026-12\n"
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(units) != 0 {
		t.Fatalf("a sheet with an unknown level gave %d units, %v", len(units), err)
	}
	all := fmt.Sprint(problems)
	choices := "public (สาธารณะ), reduced (ภาพขนาดย่อ), metadata (เฉพาะคำอธิบาย), restricted (จำกัด)"
	for _, want := range []string{
		`row 3, column access: access "secret" is not one of ` + choices,
		`row 4, column access: access "metadata-only" is not one of ` + choices,
		`row 5, column embargo: embargo "2026-02-30" is not a full date`,
		`row 6, column embargo: embargo "2026-12" is not a full date`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "row 2") {
		t.Errorf("the good row was reported: %s", all)
	}
}

func TestExcelSheetReadsAccessAndDateCells(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "a.jpg"), pattern(40, 40, color.RGBA{9, 9, 9, 255}))
	f := excelize.NewFile()
	// Dates typed into Excel are numbers shown in a display format
	// ("12-31-26"), not the text the archivist typed.
	cells := map[string]any{"A1": "files", "B1": "access", "C1": "embargo", "D1": "date",
		"A2": "a.jpg", "B2": "จำกัด", "C2": time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "D2": time.Date(2019, 6, 18, 0, 0, 0, 0, time.UTC),
		"A3": "a.jpg", "B3": " Metadata ", "C3": "2027-01-15", "D3": 1957}
	for cell, v := range cells {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "s.xlsx")); err != nil {
		t.Fatal(err)
	}
	units, problems, err := ingest.Sheet(filepath.Join(dir, "s.xlsx"), ingest.Defaults{Institution: "chula"})
	if err != nil || len(problems) > 0 || len(units) != 2 {
		t.Fatalf("xlsx: %d units, %v, %v", len(units), problems, err)
	}
	if m := units[0].Meta; m.Access != (repository.Access{Level: repository.Restricted, Embargo: "2026-12-31"}) || m.Date != "2019-06-18" {
		t.Errorf("row with date cells: access %+v, date %q", m.Access, m.Date)
	}
	if m := units[1].Meta; m.Access != (repository.Access{Level: repository.MetadataOnly, Embargo: "2027-01-15"}) || m.Date != "1957" {
		t.Errorf("row with text cells: access %+v, date %q", m.Access, m.Date)
	}
}

// accessEnv is an archive holding one item, a.jpg, at the given access.
func accessEnv(t *testing.T, existing repository.Access) (*env, ingest.Input, *repository.Item) {
	t.Helper()
	e := newEnv(t, localBlobs(t))
	e.store.Now = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	in := ingest.Input{Path: filepath.Join(t.TempDir(), "a.jpg"), Name: "a.jpg"}
	writeJPEG(t, in.Path, pattern(60, 40, color.RGBA{200, 30, 30, 255}))
	o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in}, Meta: repository.Item{Institution: "cmu", Access: existing}})[0]
	it, err := e.store.Item(o.Item)
	if o.Status != ingest.Ingested || err != nil {
		t.Fatalf("first ingest: %+v, %v", o, err)
	}
	return e, in, it
}

func accessChanges(t *testing.T, e *env, id string) []repository.Event {
	t.Helper()
	events, err := e.store.Events(id)
	if err != nil {
		t.Fatal(err)
	}
	var out []repository.Event
	for _, ev := range events {
		if ev.Type == "access change" {
			out = append(out, ev)
		}
	}
	return out
}

func TestDuplicateTightensButNeverLoosensAccess(t *testing.T) {
	pub := repository.Access{Level: repository.Public}
	for _, c := range []struct {
		name                   string
		existing, asked, want  repository.Access
		status, message, event string // message "" means the outcome says nothing
	}{
		{"restricted over public", pub, repository.Access{Level: repository.Restricted}, repository.Access{Level: repository.Restricted},
			ingest.Duplicate, "its access was tightened to restricted (was public)", "access tightened from public to restricted, as asked by sheet s.csv, row 2"},
		{"metadata over reduced", repository.Access{Level: repository.Reduced}, repository.Access{Level: repository.MetadataOnly}, repository.Access{Level: repository.MetadataOnly},
			ingest.Duplicate, "tightened to metadata (was reduced)", "from reduced to metadata"},
		{"public keeps restricted", repository.Access{Level: repository.Restricted}, pub, repository.Access{Level: repository.Restricted},
			ingest.Duplicate, "its access was kept at restricted, stricter than the public asked for", ""},
		{"reduced keeps metadata", repository.Access{Level: repository.MetadataOnly}, repository.Access{Level: repository.Reduced}, repository.Access{Level: repository.MetadataOnly},
			ingest.Duplicate, "kept at metadata, stricter than the reduced asked for", ""},
		{"unstated access changes nothing", repository.Access{Level: repository.MetadataOnly}, repository.Access{}, repository.Access{Level: repository.MetadataOnly},
			ingest.Duplicate, "", ""},
		{"same access says nothing", repository.Access{Level: repository.Restricted}, repository.Access{Level: repository.Restricted}, repository.Access{Level: repository.Restricted},
			ingest.Duplicate, "", ""},
		{"embargo alone is added", pub, repository.Access{Embargo: "2027-01-01"}, repository.Access{Level: repository.Public, Embargo: "2027-01-01"},
			ingest.Duplicate, "tightened to public, embargoed until 2027-01-01 (was public)", "as asked by sheet s.csv, row 2"},
		{"later embargo is kept", repository.Access{Level: repository.Reduced, Embargo: "2028-01-01"}, repository.Access{Level: repository.Reduced, Embargo: "2027-01-01"},
			repository.Access{Level: repository.Reduced, Embargo: "2028-01-01"}, ingest.Duplicate, "kept at reduced, embargoed until 2028-01-01", ""},
		{"reading room is added", pub, repository.Access{ReadingRoom: true}, repository.Access{Level: repository.Public, ReadingRoom: true},
			ingest.Duplicate, "tightened to public, readable only in the reading rooms (was public)", "from public to public, readable only in the reading rooms, as asked"},
		{"reading room is kept", repository.Access{Level: repository.Reduced, ReadingRoom: true}, pub, repository.Access{Level: repository.Reduced, ReadingRoom: true},
			ingest.Duplicate, "kept at reduced, readable only in the reading rooms, stricter than the public asked for", ""},
		{"ended embargo asks nothing", pub, repository.Access{Embargo: "2026-01-01"}, pub, ingest.Duplicate, "", ""},
		{"unknown level is refused", pub, repository.Access{Level: "secret"}, pub, ingest.Refused, `access level "secret" is not one of`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, in, before := accessEnv(t, c.existing)
			o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in}, Origin: "sheet s.csv, row 2",
				Meta: repository.Item{Institution: "cmu", Access: c.asked}})[0]
			if o.Status != c.status || o.Item != before.ID || (c.message == "") != (o.Error == "") || !strings.Contains(o.Error, c.message) {
				t.Fatalf("outcome %+v, want %s with %q", o, c.status, c.message)
			}
			after, err := e.store.Item(before.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Access != c.want {
				t.Fatalf("item access %+v, want %+v", after.Access, c.want)
			}
			changes := accessChanges(t, e, before.ID)
			if c.event == "" {
				if after.Version != before.Version || len(changes) != 0 {
					t.Fatalf("item changed: version %d→%d, events %+v", before.Version, after.Version, changes)
				}
				return
			}
			if after.Version != before.Version+1 || len(changes) != 1 || !strings.Contains(changes[0].Detail, c.event) || changes[0].Agent != "test" {
				t.Fatalf("version %d→%d, access events %+v, want one saying %q", before.Version, after.Version, changes, c.event)
			}
		})
	}
}

func TestDryRunSaysItWouldTightenAccessAndChangesNothing(t *testing.T) {
	e, in, before := accessEnv(t, repository.Access{Level: repository.Public})
	dry := ingest.New(ingest.Config{Store: e.store, Blobs: e.blobs, Agent: "test", DryRun: true})
	o := dry.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in}, Meta: repository.Item{Institution: "cmu", Access: repository.Access{Level: repository.Restricted}}})[0]
	if o.Status != ingest.Duplicate || !strings.Contains(o.Error, "would be tightened to restricted (now public)") {
		t.Fatalf("dry run: %+v", o)
	}
	if after, _ := e.store.Item(before.ID); after.Version != before.Version || after.Access.Level != repository.Public {
		t.Fatalf("a dry run changed the item: %+v", after)
	}
}

func TestSheetRowRestrictsContentAlreadyIngestedAsPublic(t *testing.T) {
	dir := t.TempDir()
	writeJPEG(t, filepath.Join(dir, "photos", "a.jpg"), pattern(80, 60, color.RGBA{30, 120, 30, 255}))
	writeJPEG(t, filepath.Join(dir, "photos", "b.jpg"), pattern(80, 60, color.RGBA{30, 30, 120, 255}))
	e := newEnv(t, localBlobs(t))
	units, problems, err := ingest.Folder(filepath.Join(dir, "photos"), ingest.Defaults{Institution: "tu"}, false)
	if err != nil || len(problems) > 0 {
		t.Fatalf("folder: %v %v", problems, err)
	}
	first := e.run(units)
	for _, name := range []string{"a.jpg", "b.jpg"} {
		if it, err := e.store.Item(first[name].Item); err != nil || it.Access.Level != repository.Public {
			t.Fatalf("%s without a stated level: %+v, %v", name, it, err)
		}
	}
	sheet := "file,title.en,access\nphotos/a.jpg,A,Restricted\nphotos/b.jpg,B,\n"
	os.WriteFile(filepath.Join(dir, "s.csv"), []byte(sheet), 0o644)
	units, problems, err = ingest.Sheet(filepath.Join(dir, "s.csv"), ingest.Defaults{Institution: "tu"})
	if err != nil || len(problems) > 0 {
		t.Fatalf("sheet: %v %v", problems, err)
	}
	out := e.run(units)
	a, b := out["photos/a.jpg"], out["photos/b.jpg"]
	if a.Status != ingest.Duplicate || a.Item != first["a.jpg"].Item || !strings.Contains(a.Error, "tightened to restricted") {
		t.Fatalf("row asking restricted: %+v", a)
	}
	if b.Status != ingest.Duplicate || strings.Contains(b.Error, "access") || !strings.Contains(b.Error, "archive describe") {
		t.Fatalf("row stating no access (nothing said of access; where its description goes): %+v", b)
	}
	if it, _ := e.store.Item(a.Item); it.Access.Level != repository.Restricted {
		t.Fatalf("item of the restricted row is %q", it.Access.Level)
	}
	if it, _ := e.store.Item(b.Item); it.Access.Level != repository.Public || it.Version != 1 {
		t.Fatalf("item of the row without access: %q, version %d", it.Access.Level, it.Version)
	}
	if ev := accessChanges(t, e, a.Item); len(ev) != 1 || !strings.Contains(ev[0].Detail, "sheet s.csv, row 2") {
		t.Fatalf("access events: %+v", ev)
	}
}

// The same content ingested by another library is an item of that library,
// not a duplicate naming the first library's item (which, restricted and
// hidden, its archivists may not know of); ingested again by the same
// library, it is a duplicate of that library's own item. A purge of either
// leaves the other's files.
func TestTheSameContentInAnotherLibraryIsItsOwnItem(t *testing.T) {
	e, in, cmu := accessEnv(t, repository.Access{Level: repository.Restricted})
	o := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in}, Meta: repository.Item{Institution: "tu"}})[0]
	if o.Status != ingest.Ingested || o.Item == cmu.ID || strings.Contains(o.Error, cmu.ID) {
		t.Fatalf("tu's ingest of cmu's content: %+v", o)
	}
	tu, err := e.store.Item(o.Item)
	if err != nil || tu.Institution != "tu" || tu.Files[0].SHA256 != cmu.Files[0].SHA256 {
		t.Fatalf("tu's item: %+v, %v", tu, err)
	}
	if again := e.p.Ingest(ctx, ingest.Unit{Files: []ingest.Input{in}, Meta: repository.Item{Institution: "tu"}})[0]; again.Status != ingest.Duplicate || again.Item != tu.ID {
		t.Fatalf("tu's second ingest: %+v", again)
	}
	if err := e.store.Withdraw(ctx, cmu.ID, "test", "a mistake"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Purge(ctx, cmu.ID, "test", e.blobs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.blobs.Stat(ctx, storage.DigestKey(tu.Files[0].SHA256)); err != nil {
		t.Fatalf("tu's master after cmu's item was purged: %v", err)
	}
	for name, key := range tu.Files[0].Derivatives {
		if _, err := e.blobs.Stat(ctx, key); err != nil {
			t.Errorf("tu's %s after cmu's item was purged: %v", name, err)
		}
	}
}
