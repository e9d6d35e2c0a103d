package desk

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// unitsEAD is a finding aid of three units whose <dao> links name a file
// in a folder, a file outside any folder, and a web address.
const unitsEAD = `<ead xmlns:xlink="http://www.w3.org/1999/xlink"><archdesc level="fonds"><did><unittitle>Letters</unittitle></did><dsc>
 <c01 level="series"><did><unittitle>Outgoing</unittitle><dao xlink:href="scans/p1.png"/></did>
  <c02 level="file"><did><unittitle>Drafts</unittitle><dao xlink:href="../../secret.png"/><dao xlink:href="https://elsewhere.example/x.jpg"/></did></c02>
 </c01>
</dsc></archdesc></ead>`

func unitsFinding(t *testing.T) *ead.Finding {
	t.Helper()
	f, err := ead.Read(strings.NewReader(unitsEAD))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// unitsIngester records what it is given.
type unitsIngester struct {
	mu    sync.Mutex
	units []ingest.Unit
}

func (i *unitsIngester) Ingest(ctx context.Context, u ingest.Unit) []ingest.Outcome {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.units = append(i.units, u)
	return []ingest.Outcome{{File: u.Files[0].Name, Status: ingest.Ingested}}
}

func unitsCount(t *testing.T, u *Units) int {
	t.Helper()
	cols, err := u.Store.Collections("cmu")
	if err != nil {
		t.Fatal(err)
	}
	return len(cols)
}

func TestImportEADDryRunDecidesAndMakesNothing(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	before := unitsCount(t, u)
	var missing *MissingUnit
	if _, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Parent: "tu-closed", Dry: true}); !errors.As(err, &missing) || !errors.Is(err, fault.Invalid) {
		t.Errorf("an import into another library's closed unit: %v, want a missing parent", err)
	}
	if _, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Institution: "tu", Dry: true}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("an import into another library: %v, want forbidden", err)
	}
	if _, err := u.ImportEAD(ctx, unitsReader, EADImport{Finding: unitsFinding(t), Institution: "cmu"}); !errors.Is(err, fault.Forbidden) {
		t.Errorf("a reader's import: %v, want forbidden", err)
	}
	r, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Parent: "cmu-f", Dry: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Made) != 0 || unitsCount(t, u) != before {
		t.Errorf("a dry run made %d units (%d stored, %d before)", len(r.Made), unitsCount(t, u), before)
	}
}

func TestImportEADLinksSentFilesOnlyInsideItsFolderAndIngestsThem(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	ing := &unitsIngester{}
	u.Ingest = ing
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, d := range []string{"sent", "beside"} {
		if err := root.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"p1.png", "secret.png"} {
		if err := root.WriteFile("sent/"+name, []byte("png"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Parent: "cmu-f", Sent: root, Ingest: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Made) != 3 {
		t.Fatalf("made %d units, want 3", len(r.Made))
	}
	if len(ing.units) != 1 || ing.units[0].Files[0].Name != "scans/p1.png" || ing.units[0].Meta.Collection != r.Made[1].ID || ing.units[0].Meta.Institution != "cmu" {
		t.Fatalf("ingested %+v, want scans/p1.png as an item of %s", ing.units, r.Made[1].ID)
	}
	if at := ing.units[0].Files[0].Path; !strings.HasPrefix(at, filepath.Join(dir, "beside")+string(filepath.Separator)) {
		t.Errorf("the file to ingest is at %s, outside the import's folder", at)
	}
	if len(r.Outcome) != 1 || r.Outcome[0].Status != ingest.Ingested {
		t.Errorf("outcomes %+v", r.Outcome)
	}
	kinds := map[string]string{}
	for _, n := range r.Daos {
		kinds[n.Args[0]] = n.Kind
	}
	want := map[string]string{"scans/p1.png": "dao_ingested", "../../secret.png": "dao_not_found", "https://elsewhere.example/x.jpg": "dao_elsewhere"}
	if !maps.Equal(kinds, want) {
		t.Errorf("daos %v: want %v", kinds, want)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "secret.png")); err == nil {
		t.Error("a link out of the folder put a file outside it")
	}
	for _, m := range r.Made {
		if c, err := u.Store.Collection(m.ID); err != nil || c.Institution != "cmu" {
			t.Errorf("unit %s: %+v, %v", m.ID, c, err)
		}
	}
}

func TestImportEADWithoutAPipelineReturnsOrReportsTheItems(t *testing.T) {
	ctx := context.Background()
	u, _, _ := unitsFixture(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "scans"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scans", "p1.png"), []byte("png"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The command: the items are returned, with its defaults, to ingest.
	r, err := u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Institution: "cmu", Dir: dir, Access: repository.Restricted, Rights: "http://rightsstatements.org/vocab/InC/1.0/", Agent: "archive ingest"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 1 || r.Items[0].Meta.Access.Level != repository.Restricted || r.Items[0].Meta.Rights == "" || r.NoIngest {
		t.Errorf("items %+v (no ingest %v), want one restricted item with rights", r.Items, r.NoIngest)
	}
	if ev, err := u.Store.Events(r.Made[0].ID); err != nil || len(ev) == 0 || ev[0].Agent != "archive ingest" {
		t.Errorf("events of the fonds made: %+v, %v", ev, err)
	}
	// The desk without a pipeline: nothing to ingest with, and it says so.
	r, err = u.ImportEAD(ctx, unitsCMU, EADImport{Finding: unitsFinding(t), Institution: "cmu", Dir: dir, Ingest: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.NoIngest || len(r.Items) != 0 || len(r.Made) != 3 {
		t.Errorf("report %+v, want no ingest said and the tree made", r)
	}
}

func TestImportEADWithoutAFindingAidIsInvalidAndMakesNothing(t *testing.T) {
	u, _, _ := unitsFixture(t)
	before := unitsCount(t, u)
	if _, err := u.ImportEAD(context.Background(), unitsCMU, EADImport{Institution: "cmu"}); !errors.Is(err, fault.Invalid) {
		t.Errorf("an import of nothing: %v, want invalid", err)
	}
	if n := unitsCount(t, u); n != before {
		t.Errorf("an import of nothing made %d units", n-before)
	}
}
