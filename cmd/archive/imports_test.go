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
// bleve only in the search index.
func TestLibrariesStayInTheirPackages(t *testing.T) {
	allowed := map[string][]string{
		"github.com/gin-gonic/gin":          {"web"},
		"github.com/minio/minio-go/v7":      {"storage/s3"},
		"go.etcd.io/bbolt":                  {"repository"},
		"github.com/disintegration/imaging": {"iiif", "ingest"},
		"github.com/blevesearch":            {"search"},
	}
	// Our own packages, by the design's direction: who may import them.
	const mod = "github.com/thaiarchives/archive/"
	ours := map[string][]string{
		mod + "web":           {"cmd"},
		mod + "iiif":          {"cmd", "web", "iiif", "metrics"}, // the metrics read the image caches' counters
		mod + "oai":           {"cmd", "web", "oai"},
		mod + "ead":           {"cmd", "web", "oai", "ead"},            // finding aids: exported by the web layer and OAI-PMH, imported by the command
		mod + "ingest":        {"cmd", "web", "ingest", "ocr/", "ead"}, // an EAD import ingests the files its <dao> links name
		mod + "pyramid":       {"cmd", "ingest", "iiif", "pyramid", "web/", "ocr"},
		mod + "access":        {"cmd", "web", "iiif", "oai", "ingest", "access", "search", "bench", "ead"},
		mod + "search":        {"cmd", "web", "search", "bench", "iiif/contentsearch"},                       // Thai words segmented as the index does
		mod + "storage/s3":    {"cmd", "storage/s3", "repository/", "web/", "ingest/", "fixity/", "deploy/"}, // tests use MinIO
		mod + "storage/local": {"cmd", "storage/local", "repository/", "web/", "ingest/", "oai/", "iiif/", "pyramid/", "search/", "ocr/", "fixity/", "backup/", "metrics/", "ead/"},
		// Looking after the archive: wired by the command, the audits' page in the web layer.
		mod + "fixity":  {"cmd", "web", "fixity"},
		mod + "backup":  {"cmd", "backup"},
		mod + "metrics": {"cmd", "metrics", "web/"},
	}
	for lib, dirs := range ours {
		allowed[lib] = dirs
	}
	root, _ := filepath.Abs("../..")
	checked := 0
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
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
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
}
