package web

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/repository"
)

// TestEveryWordIsInBothLanguages: every message key a template or handler
// asks for exists, in Thai and in English, so no key ever reaches a page.
func TestEveryWordIsInBothLanguages(t *testing.T) {
	keys := map[string]string{} // key → where it is asked for
	literal := regexp.MustCompile(`\bt \$?\.Lang "([a-z_]+)"`)
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built in templates from values.
	for _, l := range repository.Levels {
		keys["level_"+l] = "templates (access levels)"
	}
	for _, r := range append(access.Roles, access.Anonymous) {
		keys["role_"+string(r)] = "templates (roles)"
	}
	for _, mt := range []string{"application/pdf", "audio/wav", "video/mp4", "image/tiff", "text/plain", "application/zip"} {
		keys["kind_"+fileKind(mt)] = "templates (file cards)"
	}
	// Keys the handlers ask for: t(lang, "key").
	fset := gotoken.NewFileSet()
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "t" {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
				k, _ := strconv.Unquote(lit.Value)
				keys[k] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	if len(keys) < 60 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k, where := range keys {
		m, ok := messages[k]
		if !ok || m[0] == "" || m[1] == "" {
			t.Errorf("message %q (asked for in %s) is missing in Thai or English", k, where)
		}
	}
}
