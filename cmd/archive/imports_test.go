package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLibrariesStayInTheirPackages enforces the design's boundaries: Gin only
// in the HTTP layer, minio-go only in storage/s3, bbolt only in the
// repository's store, imaging only where images are rendered or derived,
// bleve only in the search index, the PDF writer only in the full-text
// export, cgo only in vips; OAI-PMH, IIIF
// Presentation and Content Search do not link libvips or excelize; and the
// access decision and the domain's records link no database.
func TestLibrariesStayInTheirPackages(t *testing.T) {
	allowed := map[string][]string{
		"github.com/gin-gonic/gin":           {"web"},
		"github.com/minio/minio-go/v7":       {"storage/s3"},
		"go.etcd.io/bbolt":                   {"repository/bolt"},
		"github.com/disintegration/imaging":  {"iiif", "ingest"},
		"github.com/blevesearch":             {"search"},
		"github.com/coreos/go-oidc":          {"signin"},
		"github.com/crewjam/saml":            {"signin"},
		"github.com/microcosm-cc/bluemonday": {"annotation"},
		"codeberg.org/go-pdf/fpdf":           {"fulltext"},
	}
	// Our own packages, by the design's direction: who may import them.
	const mod = "github.com/thaiarchives/archive/"
	ours := map[string][]string{
		mod + "web":           {"cmd"},
		mod + "iiif":          {"cmd", "web", "iiif", "metrics", "fulltext"}, // the metrics read the image caches' counters; a PDF's pages are rendered by the image service
		mod + "oai":           {"cmd", "web", "oai"},
		mod + "annotation":    {"cmd", "web", "annotation"},
		mod + "fulltext":      {"cmd", "web", "fulltext"},
		mod + "harvest":       {"cmd", "web", "harvest"},
		mod + "desk":          {"cmd", "web", "desk"},                           // what people do at the desk: the web layer and the command call it
		mod + "ead":           {"cmd", "web", "oai", "ead", "desk"},             // finding aids: exported by the web layer and OAI-PMH, imported by the command
		mod + "ingest":        {"cmd", "web", "ingest", "ocr/", "ead/", "desk"}, // the command and the desk ingest the files an EAD's <dao> links name
		mod + "cite":          {"cmd", "web", "cite"},                           // citations: made below the web layer, built by the command
		mod + "pyramid":       {"cmd", "ingest", "iiif", "pyramid", "web/", "ocr", "fulltext/"},
		mod + "access":        {"cmd", "web", "iiif", "oai", "ingest", "access", "search", "bench", "ead", "desk", "annotation", "fulltext", "sitemap", "cite", "harvest"},
		mod + "search":        {"cmd", "web", "search", "bench", "iiif/contentsearch"},                       // Thai words segmented as the index does
		mod + "storage/s3":    {"cmd", "storage/s3", "repository/", "web/", "ingest/", "fixity/", "deploy/"}, // tests use MinIO
		mod + "storage/local": {"cmd", "bench/scaleload", "storage/local", "repository/", "web/", "ingest/", "oai/", "iiif/", "pyramid/", "search/", "ocr/", "fixity/", "backup/", "metrics/", "ead/", "access/", "desk/", "signin/", "annotation/", "fulltext/", "sitemap/", "harvest/"},
		// What pages tell reference managers and search engines.
		mod + "pagemeta": {"web", "pagemeta"},
		mod + "sitemap":  {"cmd", "web", "sitemap"},
		// Looking after the archive: wired by the command, the audits' page in the web layer.
		mod + "fixity":  {"cmd", "web", "fixity"},
		mod + "backup":  {"cmd", "backup"},
		mod + "metrics": {"cmd", "metrics", "web/"},
		// University sign-in: built by the command, its redirects in the web layer.
		mod + "signin": {"cmd", "web", "signin", "desk"}, // the desk checks a library's roles for sign-in as sign-in reads them
	}
	for lib, dirs := range ours {
		allowed[lib] = dirs
	}
	root, _ := filepath.Abs("../..")
	checked := 0
	deps := map[string][]string{}     // a package's directory: what its code imports
	testDeps := map[string][]string{} // and what its tests import
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		checked++
		dir := filepath.ToSlash(filepath.Dir(rel))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasSuffix(rel, "_test.go") {
				testDeps[dir] = append(testDeps[dir], p)
			} else {
				deps[dir] = append(deps[dir], p)
			}
			if p == "C" && dir != "vips" {
				t.Errorf("%s uses cgo, which belongs in package vips only", rel)
			}
			for lib, dirs := range allowed {
				if p != lib && !strings.HasPrefix(p, lib+"/") {
					continue
				}
				ok := false
				for _, d := range dirs {
					ok = ok || strings.HasPrefix(rel, strings.TrimSuffix(d, "/")+"/") && (!strings.HasSuffix(d, "/") || strings.HasSuffix(rel, "_test.go"))
				}
				if !ok {
					t.Errorf("%s imports %s, which belongs in %v only", rel, p, dirs)
				}
			}
		}
		return nil
	})
	if checked < 10 {
		t.Fatalf("checked only %d files: wrong root?", checked)
	}
	// Services that only read and describe build and test without libvips
	// and the spreadsheet reader, not even through a package they import.
	for _, dir := range []string{"oai", "iiif/presentation", "iiif/contentsearch"} {
		if len(deps[dir]) == 0 {
			t.Fatalf("package %s has no imports: wrong root?", dir)
		}
		if path := reaches(append(deps[dir], testDeps[dir]...), deps, mod, []string{mod + "vips", "github.com/xuri/excelize"}); path != nil {
			t.Errorf("%s (or its tests) depends on %s", dir, strings.Join(path, " → "))
		}
	}
	for _, dir := range []string{"access", "repository"} {
		if len(deps[dir]) == 0 {
			t.Fatalf("package %s has no imports: wrong root?", dir)
		}
		if path := reaches(deps[dir], deps, mod, []string{"go.etcd.io/bbolt"}); path != nil {
			t.Errorf("%s depends on %s", dir, strings.Join(path, " → "))
		}
	}
}

// reaches follows imports from start through the module's own packages
// (deps, by directory under mod) and returns the chain of imports that ends
// in one of the forbidden packages (or a package below one), or nil.
func reaches(start []string, deps map[string][]string, mod string, forbidden []string) []string {
	from := map[string]string{}
	queue := []string{}
	for _, p := range start {
		if _, ok := from[p]; !ok {
			from[p] = ""
			queue = append(queue, p)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, f := range forbidden {
			if p == f || strings.HasPrefix(p, f+"/") {
				chain := []string{}
				for ; p != ""; p = from[p] {
					chain = append([]string{p}, chain...)
				}
				return chain
			}
		}
		dir, ok := strings.CutPrefix(p, mod)
		if !ok {
			continue
		}
		for _, q := range deps[dir] {
			if _, seen := from[q]; !seen {
				from[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}
