package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

var cmuArchivist = access.Principal{User: "u-cmu", Email: "archivist@cmu.example", Institution: "cmu", Role: access.Archivist}

// describeEnv is a store holding items already ingested without a
// description: two of Chiang Mai's, one of Thammasat's.
type describeEnv struct {
	store          *bolt.Store
	scan, sha, tu  *repository.Item
	scanDigest     string
	shaDigest, tuD string
}

func newDescribeEnv(t *testing.T) *describeEnv {
	t.Helper()
	store, err := bolt.Open(ctx, filepath.Join(t.TempDir(), "a.db"), localBlobs(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e := &describeEnv{store: store, scanDigest: strings.Repeat("a", 64), shaDigest: strings.Repeat("b", 64), tuD: strings.Repeat("c", 64)}
	if err := store.SaveCollection(ctx, &repository.Collection{ID: "cmu-letters", Institution: "cmu", Level: repository.Series, Title: repository.Text{"en": "Letters"}}, "t"); err != nil {
		t.Fatal(err)
	}
	item := func(inst, name, digest string) *repository.Item {
		it := &repository.Item{Institution: inst, Title: repository.Text{"none": strings.TrimSuffix(name, ".tif")},
			Files: []repository.File{{Name: "box1/" + name, SHA256: digest, MediaType: "image/tiff"}}}
		if err := store.SaveItem(ctx, it, "upload"); err != nil {
			t.Fatal(err)
		}
		return it
	}
	e.scan = item("cmu", "scan-0042.tif", e.scanDigest)
	e.sha = item("cmu", "scan-0043.tif", e.shaDigest)
	e.tu = item("tu", "tu-0001.tif", e.tuD)
	return e
}

func writeSheet(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "describe.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readDescribe(t *testing.T, path string) []ingest.DescribeRow {
	t.Helper()
	rows, err := ingest.ReadDescribeSheet(path, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func byRow(outs []ingest.RowOutcome) map[int]ingest.RowOutcome {
	m := map[int]ingest.RowOutcome{}
	for _, o := range outs {
		m[o.Row] = o
	}
	return m
}

func changed(o ingest.RowOutcome, field, old, new string) bool {
	for _, c := range o.Changes {
		if c.Field == field && c.Old == old && c.New == new {
			return true
		}
	}
	return false
}

func TestDescribeLaterUpdatesItemsNamedByFileNameDigestOrIdentifier(t *testing.T) {
	e := newDescribeEnv(t)
	sheet := writeSheet(t, "files,item,title.th,title.en,description.en,date,access,subject.th,collection,publisher\n"+
		"scan-0042.tif,,จดหมายถึงอธิการบดี,Letter to the rector,,2505,จำกัด,จดหมาย;การศึกษา,cmu-letters,โรงพิมพ์\n"+
		e.shaDigest+",,,,A map of the old city,,,,,\n"+
		",,,,,,,,,\n"+
		","+e.tu.ID+",ยึด,Taken,,,,,,\n"+
		"nothing-here.tif,,ไม่มี,Nothing,,,,,,\n"+
		","+e.scan.ID+",ซ้ำ,Twice,,,,,,\n")
	rows := readDescribe(t, sheet)
	if len(rows) != 5 {
		t.Fatalf("read %d rows, want 5 (the empty row skipped)", len(rows))
	}
	cfg := ingest.DescribeConfig{Store: e.store, Principal: cmuArchivist, Agent: "test", DryRun: true}

	// A dry run says, per row, what would change, and writes nothing.
	dry := byRow(ingest.Describe(ctx, cfg, rows))
	o := dry[2]
	if o.Status != ingest.WouldDescribe || o.Item != e.scan.ID || !changed(o, "title.en", "", "Letter to the rector") ||
		!changed(o, "title", "scan-0042", "") || !changed(o, "date", "", "1962") || !changed(o, "access", "public", "restricted") ||
		!changed(o, "collection", "", "cmu-letters") || !changed(o, "publisher", "", "โรงพิมพ์") {
		t.Fatalf("dry run, row 2: %+v", o)
	}
	if len(o.Notes) == 0 || !strings.Contains(o.Notes[0], "Buddhist Era") {
		t.Errorf("the Buddhist Era year is not reported: %v", o.Notes)
	}
	for _, it := range []*repository.Item{e.scan, e.sha, e.tu} {
		if got, _ := e.store.Item(it.ID); got.Version != 1 {
			t.Fatalf("a dry run wrote item %s (version %d)", it.ID, got.Version)
		}
	}

	cfg.DryRun = false
	out := byRow(ingest.Describe(ctx, cfg, rows))
	for row, want := range map[int]string{2: ingest.Described, 3: ingest.Described, 5: ingest.Unknown, 6: ingest.Unknown, 7: ingest.Refused} {
		if out[row].Status != want {
			t.Errorf("row %d: %+v, want %s", row, out[row], want)
		}
	}
	if out[5].Item != "" || out[5].Error != "no item "+e.tu.ID+" in the archive" {
		t.Errorf("another library's item is not reported as absent: %+v", out[5])
	}
	if !strings.Contains(out[7].Error, "row 2") {
		t.Errorf("a second row for the same item: %+v", out[7])
	}
	got, _ := e.store.Item(e.scan.ID)
	if got.Version != 2 || got.Title["th"] != "จดหมายถึงอธิการบดี" || got.Title["none"] != "" || got.Date != "1962" ||
		got.Access.Level != repository.Restricted || got.Collection != "cmu-letters" || len(got.Subjects) != 2 || got.Subjects[1]["th"] != "การศึกษา" ||
		len(got.Files) != 1 || got.Files[0].SHA256 != e.scanDigest {
		t.Fatalf("described item: %+v", got)
	}
	if got, _ := e.store.Item(e.sha.ID); got.Version != 2 || got.Summary["en"] != "A map of the old city" || got.Title["none"] != "scan-0043" {
		t.Fatalf("item named by SHA-256: %+v", got)
	}
	if got, _ := e.store.Item(e.tu.ID); got.Version != 1 || got.Title["en"] != "" {
		t.Fatalf("Thammasat's item was changed by a Chiang Mai archivist: %+v", got)
	}
	events, _ := e.store.Events(e.scan.ID)
	found := false
	for _, ev := range events {
		found = found || strings.Contains(ev.Detail, "described by sheet describe.csv, row 2") && ev.Agent == "test"
	}
	if !found {
		t.Errorf("no event says which sheet row described the item: %+v", events)
	}

	// The same sheet again changes nothing and makes no new version.
	again := byRow(ingest.Describe(ctx, cfg, rows))
	if again[2].Status != ingest.Unchanged || again[3].Status != ingest.Unchanged {
		t.Errorf("a second run: %+v %+v", again[2], again[3])
	}
	if got, _ := e.store.Item(e.scan.ID); got.Version != 2 {
		t.Errorf("a second run made version %d", got.Version)
	}
}

func TestDescribeRefusesAmbiguousNamesBadCellsAndOtherLibraries(t *testing.T) {
	e := newDescribeEnv(t)
	other := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Another box"},
		Files: []repository.File{{Name: "box2/scan-0042.tif", SHA256: strings.Repeat("d", 64), MediaType: "image/tiff"}}}
	if err := e.store.SaveItem(ctx, other, "t"); err != nil {
		t.Fatal(err)
	}
	rows := readDescribe(t, writeSheet(t, "files,title.en,date,rights\n"+
		"scan-0042.tif,Which one,,\n"+ // two items hold this name
		"box1/scan-0042.tif,This one,,\n"+ // the full name says which
		"scan-0043.tif,Bad date,next tuesday,\n"+
		"scan-0043.tif,Bad rights,,all mine\n"+
		"tu-0001.tif,Not mine,,\n"+
		",A title for nothing,,\n"))
	out := byRow(ingest.Describe(ctx, ingest.DescribeConfig{Store: e.store, Principal: cmuArchivist}, rows))
	if o := out[2]; o.Status != ingest.Refused || !strings.Contains(o.Error, "2 items") || !strings.Contains(o.Error, e.scan.ID) || !strings.Contains(o.Error, other.ID) {
		t.Errorf("an ambiguous name: %+v", o)
	}
	if o := out[3]; o.Status != ingest.Described || o.Item != e.scan.ID {
		t.Errorf("the full name: %+v", o)
	}
	if o := out[4]; o.Status != ingest.Refused || !strings.Contains(o.Error, "column date") {
		t.Errorf("a bad date: %+v", o)
	}
	if o := out[5]; o.Status != ingest.Refused || !strings.Contains(o.Error, "column rights") {
		t.Errorf("bad rights: %+v", o)
	}
	if o := out[6]; o.Status != ingest.Unknown || o.Item != "" {
		t.Errorf("another library's file: %+v", o)
	}
	if o := out[7]; o.Status != ingest.Refused || !strings.Contains(o.Error, "names no item") {
		t.Errorf("a row naming no item: %+v", o)
	}
	if got, _ := e.store.Item(e.sha.ID); got.Version != 1 {
		t.Errorf("a row with a bad cell changed its item: %+v", got)
	}
	// Keeping to one library: a row for another library's item is refused.
	sys := access.Principal{User: "root", Email: "root@example", Institution: "chula", Role: access.SystemAdmin}
	rows = readDescribe(t, writeSheet(t, "item,title.en\n"+e.tu.ID+",Kept out\n"))
	if o := ingest.Describe(ctx, ingest.DescribeConfig{Store: e.store, Principal: sys, Institution: "cmu"}, rows)[0]; o.Status != ingest.Refused {
		t.Errorf("--institution cmu and a Thammasat item: %+v", o)
	}
	// A collection of another library is refused before anything is saved, in a dry run too.
	rows = readDescribe(t, writeSheet(t, "item,collection\n"+e.tu.ID+",cmu-letters\n"))
	if o := ingest.Describe(ctx, ingest.DescribeConfig{Store: e.store, Principal: sys, DryRun: true}, rows)[0]; o.Status != ingest.Refused || !strings.Contains(o.Error, "belongs to cmu") {
		t.Errorf("a collection of another library: %+v", o)
	}
}

func TestDescribeSheetIsRefusedWholeForUnknownColumnsOrNoItemColumn(t *testing.T) {
	for text, want := range map[string]string{
		"files,titel.en\na.tif,x\n": `unknown columns "titel.en"`,
		"title.en,date\nx,1990\n":   "names no items",
		"files,title.en\n":          "no rows",
	} {
		if _, err := ingest.ReadDescribeSheet(writeSheet(t, text), "s.csv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

func TestDescribeReadsExcelSheets(t *testing.T) {
	e := newDescribeEnv(t)
	f := excelize.NewFile()
	for i, row := range [][]string{{"item", "title.en", "date"}, {e.sha.ID, "Aerial photograph", "มิถุนายน 2500"}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	p := filepath.Join(t.TempDir(), "describe.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	out := ingest.Describe(ctx, ingest.DescribeConfig{Store: e.store, Principal: cmuArchivist}, readDescribe(t, p))
	if got, _ := e.store.Item(e.sha.ID); out[0].Status != ingest.Described || got.Date != "1957-06" || got.Title["en"] != "Aerial photograph" {
		t.Fatalf("xlsx: %+v, item %+v", out[0], got)
	}
}

// racingStore saves another version of the item just before the describer
// saves its own, as an archivist at the desk might.
type racingStore struct {
	*bolt.Store
	raced bool
}

func (s *racingStore) SaveItem(ctx context.Context, it *repository.Item, agent string, events ...repository.Event) error {
	if !s.raced {
		s.raced = true
		fresh, err := s.Store.Item(it.ID)
		if err != nil {
			return err
		}
		fresh.Title = repository.Text{"en": "Edited at the desk meanwhile"}
		if err := s.Store.SaveItem(ctx, fresh, "desk"); err != nil {
			return err
		}
	}
	return s.Store.SaveItem(ctx, it, agent, events...)
}

func TestDescribeReportsAConflictAndOverwritesNothing(t *testing.T) {
	e := newDescribeEnv(t)
	rows := readDescribe(t, writeSheet(t, "item,title.en\n"+e.scan.ID+",From the sheet\n"))
	out := ingest.Describe(ctx, ingest.DescribeConfig{Store: &racingStore{Store: e.store}, Principal: cmuArchivist}, rows)
	if out[0].Status != ingest.Conflict || !strings.Contains(out[0].Error, "changed by someone else") {
		t.Fatalf("outcome: %+v", out[0])
	}
	if got, _ := e.store.Item(e.scan.ID); got.Title["en"] != "Edited at the desk meanwhile" || got.Version != 2 {
		t.Fatalf("the newer version was overwritten: %+v", got)
	}
}

// TestDescribeFindsNoItemThePersonMayNotEdit: another library's items,
// hidden or not, named by identifier, file name or SHA-256, are answered
// exactly as names that nothing in the archive has.
func TestDescribeFindsNoItemThePersonMayNotEdit(t *testing.T) {
	e := newDescribeEnv(t)
	hidden := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Closed letter"}, Access: repository.Access{Level: repository.Restricted},
		Files: []repository.File{{Name: "secret/letter-7.tif", SHA256: strings.Repeat("e", 64), MediaType: "image/tiff"}}}
	twin := &repository.Item{Institution: "tu", Title: repository.Text{"en": "Twin"},
		Files: []repository.File{{Name: "other/letter-7.tif", SHA256: strings.Repeat("f", 64), MediaType: "image/tiff"}}}
	for _, it := range []*repository.Item{hidden, twin} {
		if err := e.store.SaveItem(ctx, it, "t"); err != nil {
			t.Fatal(err)
		}
	}
	absentID := strings.Repeat("0", len(hidden.ID)) // an identifier of the same shape that nothing has
	rows := readDescribe(t, writeSheet(t, "item,files,title.en\n"+
		hidden.ID+",,Found\n"+absentID+",,Found\n"+
		",letter-7.tif,Found\n,letter-8.tif,Found\n"+
		","+strings.Repeat("e", 64)+",Found\n,"+strings.Repeat("0", 64)+",Found\n"+
		hidden.ID+",letter-7.tif,Found\n"+absentID+",letter-7.tif,Found\n"))
	out := ingest.Describe(ctx, ingest.DescribeConfig{Store: e.store, Principal: cmuArchivist}, rows)
	if len(out) != 8 {
		t.Fatalf("%d outcomes", len(out))
	}
	for i := 0; i < len(out); i += 2 {
		there, absent := out[i], out[i+1]
		if there.Status != ingest.Unknown || there.Item != "" || absent.Status != ingest.Unknown {
			t.Errorf("row %d names another library's item: %+v", there.Row, there)
		}
		// The same answer but for the name the row gives.
		mask := func(o ingest.RowOutcome) string {
			r := strings.NewReplacer(strings.Repeat("e", 64), "NAME", strings.Repeat("0", 64), "NAME",
				hidden.ID, "NAME", absentID, "NAME", "letter-7.tif", "NAME", "letter-8.tif", "NAME")
			return r.Replace(o.Error) + " " + o.Item
		}
		if mask(there) != mask(absent) {
			t.Errorf("row %d says %q, a name nothing has %q", there.Row, there.Error, absent.Error)
		}
	}
	if got, _ := e.store.Item(hidden.ID); got.Version != 1 {
		t.Errorf("the hidden item was changed: %+v", got)
	}
}
