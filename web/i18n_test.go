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
	"github.com/thaiarchives/archive/ingest"
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
	// Keys the desk's services name their refusals by (desk.Reason), which
	// the handlers say with t: refuse(kind, "key", …) and Reason{Key: "key"}.
	deskSources, err := filepath.Glob("../desk/*.go")
	if err != nil {
		t.Fatal(err)
	}
	deskKeys := 0
	for _, name := range deskSources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var lit ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "refuse" && len(n.Args) == 3 {
					lit = n.Args[1]
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Key" {
					lit = n.Value
				}
			}
			if lit, ok := lit.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
				k, _ := strconv.Unquote(lit.Value)
				keys[k] = fset.Position(lit.Pos()).String()
				deskKeys++
			}
			return true
		})
	}
	if len(keys) < 60 || deskKeys < 8 {
		t.Fatalf("found only %d keys, %d of the desk's: the scan is broken", len(keys), deskKeys)
	}
	for k, where := range keys {
		m, ok := messages[k]
		if !ok || m[0] == "" || m[1] == "" {
			t.Errorf("message %q (asked for in %s) is missing in Thai or English", k, where)
		}
	}
}

// TestEveryIngestMessageIsInBothLanguages: every kind of message ingest can
// give (a refusal, a warning, where it is) has a sentence in Thai and in
// English, using only the arguments and parts the kind has, so that no
// archivist on a Thai page is told why in English; and no sentence is
// kept for a kind ingest no longer gives.
func TestEveryIngestMessageIsInBothLanguages(t *testing.T) {
	kinds := ingest.Kinds()
	if len(kinds) < 80 {
		t.Fatalf("ingest gives only %d kinds of message: the list is broken", len(kinds))
	}
	thai := regexp.MustCompile(`[\x{0E00}-\x{0E7F}]`)
	letters := regexp.MustCompile(`\pL`)
	known := map[string]bool{}
	for _, k := range kinds {
		known[k] = true
		m, ok := messages["ingest_"+k]
		if !ok || m[0] == "" || m[1] == "" {
			t.Errorf("ingest message %q has no sentence in Thai or English (messages[%q])", k, "ingest_"+k)
			continue
		}
		args, parts := 0, 0
		for _, p := range ingest.Placeholders(ingest.English(k)) {
			args, parts = max(args, p), max(parts, -p)
		}
		for i, s := range m {
			for _, p := range ingest.Placeholders(s) {
				if p > args || -p > parts {
					t.Errorf("messages[%q][%d] uses {%d}, which kind %q does not give", "ingest_"+k, i, p, k)
				}
			}
		}
		// A Thai sentence with words in it has Thai words.
		bare := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(m[0], "")
		if letters.MatchString(bare) && !thai.MatchString(bare) {
			t.Errorf("messages[%q] is not in Thai: %q", "ingest_"+k, m[0])
		}
	}
	for key := range messages {
		if k, ok := strings.CutPrefix(key, "ingest_"); ok && !known[k] {
			t.Errorf("messages[%q] is for no kind of message ingest gives", key)
		}
	}
}

// TestIngestMessagesAreSaidInThePagesLanguage: a message is said with its
// place (a sheet's row and column, a page of a file) and the words of its
// values (an access level, a media type) in the page's language.
func TestIngestMessagesAreSaidInThePagesLanguage(t *testing.T) {
	for _, c := range []struct {
		m         ingest.Message
		th, en    string
		notInThai string
	}{
		{ingest.Message{Kind: "date_be", Args: []string{"2505", "2505", "1962"}, Row: 2, Column: "date"},
			"แถว 2 คอลัมน์ date: อ่าน 2505 เป็นปี พ.ศ. 2505 = ค.ศ. 1962", "row 2, column date: 2505 was read as B.E. 2505 = 1962 CE", "Buddhist Era"},
		{ingest.Message{Kind: "mismatched", Args: []string{"scan-0042.tif", "text/plain; charset=utf-8", ".tif"}},
			"scan-0042.tif มีเนื้อหาเป็นข้อความ (text/plain) ไม่ใช่ไฟล์ .tif", "scan-0042.tif is really text (text/plain), not a .tif file", "rename"},
		{ingest.Message{Kind: "image_corrupt", Args: []string{"unexpected EOF"}, File: "p2.jpg", Page: 3},
			"p2.jpg: หน้า 3: ถอดรหัสภาพไม่ได้ (unexpected EOF)", "p2.jpg: page 3: the image cannot be decoded (unexpected EOF)", "cannot be decoded"},
		{ingest.Message{Kind: "duplicate_kept", Args: []string{"tu-1"}, Parts: []ingest.Message{
			{Kind: "access_level", Args: []string{"restricted"}}, {Kind: "access_embargoed", Args: []string{"public", "2030-01-01"}}}},
			"การเข้าถึงคงไว้ที่ " + t2("th", "level_restricted") + " ซึ่งเข้มกว่า " + t2("th", "level_public") + " ระงับการเผยแพร่ถึง 2030-01-01",
			"kept at " + t2("en", "level_restricted"), "embargo"},
	} {
		th, en := say("th", c.m), say("en", c.m)
		if !strings.Contains(th, c.th) || strings.Contains(th, c.notInThai) || strings.Contains(th, "{") {
			t.Errorf("%s in Thai: %q; want %q", c.m.Kind, th, c.th)
		}
		if !strings.Contains(en, c.en) {
			t.Errorf("%s in English: %q; want %q", c.m.Kind, en, c.en)
		}
	}
}
