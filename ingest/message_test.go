package ingest_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
)

// TestEveryMessageMadeIsAKind: every kind the package's code gives a
// message (refuse("kind"…), fail, Kind: "kind", a sheet cell's bad(col,
// "kind"…)) is one Kinds lists, with an English sentence; a misspelt kind
// would reach a reader as its bare name.
func TestEveryMessageMadeIsAKind(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		check := func(e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			kind, _ := strconv.Unquote(lit.Value)
			seen++
			if ingest.English(kind) == "" {
				t.Errorf("%s: message kind %q has no sentence", fset.Position(lit.Pos()), kind)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				id, ok := n.Fun.(*ast.Ident)
				if !ok || len(n.Args) == 0 {
					break
				}
				switch id.Name {
				case "refuse", "fail", "say", "place":
					check(n.Args[0])
				case "bad", "note":
					if len(n.Args) > 1 {
						check(n.Args[1])
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Kind" {
					check(n.Value)
				}
			}
			return true
		})
	}
	if seen < 80 {
		t.Fatalf("found only %d kinds made in the code: the scan is broken", seen)
	}
}

// TestRefusalsCarryTheirKindAndStayErrorsOfTheirSort: a refusal is an
// *ingest.Error with its kind and arguments, still found by errors.Is as a
// refusal (or a checksum mismatch), and an outcome carries the messages its
// English says.
func TestRefusalsCarryTheirKindAndStayErrorsOfTheirSort(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "scan-0042.tif"), []byte("not an image at all\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("plain words\n"), 0o644)
	e := newEnv(t, localBlobs(t))
	outs := e.run([]ingest.Unit{
		{Files: []ingest.Input{{Path: filepath.Join(dir, "scan-0042.tif"), Name: "scan-0042.tif"}}, Meta: repository.Item{Institution: "tu"}},
		{Files: []ingest.Input{{Path: filepath.Join(dir, "a.txt"), Name: "a.txt", Checksums: map[string]string{"sha256": strings.Repeat("0", 64)}}}, Meta: repository.Item{Institution: "tu"}},
	})
	mis := outs["scan-0042.tif"]
	if mis.Status != ingest.Refused || len(mis.Messages) != 1 || mis.Messages[0].Kind != "mismatched" ||
		strings.Join(mis.Messages[0].Args, "|") != "scan-0042.tif|text/plain; charset=utf-8|.tif" || mis.Error != mis.Messages[0].String() {
		t.Errorf("mismatched name: %+v", mis)
	}
	if !strings.Contains(mis.Error, "scan-0042.tif is plain text, not a TIFF image: rename it") {
		t.Errorf("the command line's sentence changed: %q", mis.Error)
	}
	sum := outs["a.txt"]
	if sum.Status != ingest.Refused || len(sum.Messages) != 1 || sum.Messages[0].Kind != "checksum_mismatch" {
		t.Errorf("checksum mismatch: %+v", sum)
	}
	err := error(&ingest.Error{Message: ingest.Message{Kind: "checksum_mismatch", Args: []string{"md5", "a", "b"}}, Err: fault.Checksum})
	if !errors.Is(err, fault.Checksum) || !strings.HasSuffix(err.Error(), ": checksum mismatch") {
		t.Errorf("a checksum refusal: %v", err)
	}
}

// TestMessageOfAnOutageSaysUnavailableWhateverItWraps: the outermost kind
// says what happened; a store outage met while a conflict was being told is
// an outage, and no message is cut down by matching its text.
func TestMessageOfAnOutageSaysUnavailableWhateverItWraps(t *testing.T) {
	conflict := fault.E("save item", fault.Conflict, "cmu-1", nil)
	err := fault.E("record event", fault.Unavailable, "cmu-1", conflict)
	if m := ingest.MessageOf(err); m.Kind != "unavailable" || len(m.Args) != 1 || m.Args[0] != err.Error() {
		t.Errorf("MessageOf(%v) = %+v, want unavailable with the whole message", err, m)
	}
	if m := ingest.MessageOf(conflict); m.Kind != "conflict" || m.Args[0] != "save item: cmu-1: conflict" {
		t.Errorf("MessageOf(%v) = %+v, want conflict with the whole message", conflict, m)
	}
}
