package web

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoHandlerWritesCacheHeadersItself: outside cache.go no code of web
// names the Cache-Control or Vary header, so every answer's caching comes
// from the named policies in one place.
func TestNoHandlerWritesCacheHeadersItself(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	checked := 0
	for _, name := range files {
		if name == "cache.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if ok && lit.Kind == gotoken.STRING && (strings.EqualFold(lit.Value, `"Cache-Control"`) || strings.EqualFold(lit.Value, `"Vary"`)) {
				t.Errorf("%s: %s written outside cache.go", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("only %d files of web read", checked)
	}
}
