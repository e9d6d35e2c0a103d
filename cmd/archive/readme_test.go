package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// flagLine matches a flag in a command's usage ("  -name value").
var flagLine = regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`)

// TestReadmeNamesEveryCommandAndFlag holds the README to the binary: every
// command of `archive help` has a row of its own (`archive NAME`), and every
// flag a command's --help lists is named there (`--flag`).
func TestReadmeNamesEveryCommandAndFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	for _, c := range commands() {
		if !strings.Contains(doc, "| `archive "+c.name) {
			t.Errorf("README.md has no row for the command %q", c.name)
		}
		var out, usage bytes.Buffer
		if code := run(context.Background(), []string{c.name, "-h"}, &out, &usage); code != 0 {
			t.Fatalf("archive %s -h: exit %d: %s", c.name, code, usage.String())
		}
		flags := flagLine.FindAllStringSubmatch(usage.String()+out.String(), -1)
		if len(flags) == 0 {
			t.Fatalf("archive %s -h lists no flags: %s", c.name, usage.String())
		}
		for _, f := range flags {
			if !regexp.MustCompile(`--` + f[1] + `([^a-z-]|$)`).MatchString(doc) {
				t.Errorf("README.md does not name archive %s's flag --%s", c.name, f[1])
			}
		}
	}
}

// TestIngestHelpNamesEveryAccessLevel: --access takes every level the
// archive has, and its help says so.
func TestIngestHelpNamesEveryAccessLevel(t *testing.T) {
	var out, usage bytes.Buffer
	if code := run(context.Background(), []string{"ingest", "-h"}, &out, &usage); code != 0 {
		t.Fatalf("archive ingest -h: exit %d", code)
	}
	_, help, ok := strings.Cut(usage.String(), "  -access")
	if !ok {
		t.Fatalf("archive ingest -h has no --access: %s", usage.String())
	}
	help, _, _ = strings.Cut(help, "\n  -")
	for _, level := range repository.Levels {
		if !strings.Contains(help, level) {
			t.Errorf("archive ingest --access's help does not name the level %q: %s", level, help)
		}
	}
}

// TestIngestTakesTheFileTimeoutFromTheEnvironment: ARCHIVE_INGEST_FILE_TIMEOUT
// is the setting --file-timeout names, as the README says: the variable
// bounds the command's files, and the flag wins over it.
func TestIngestTakesTheFileTimeoutFromTheEnvironment(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	makeImages(t, src, 1, 200, 100)
	env := []string{"ARCHIVE_DATA=" + filepath.Join(root, "data"), "ARCHIVE_INGEST_FILE_TIMEOUT=1ns"}
	out, errOut, code := archive(t, env, "ingest", "--institution", "tu", "--json", src)
	if code != 1 || !strings.Contains(out, `"status":"refused"`) || !strings.Contains(out, "took longer than one file may take") {
		t.Fatalf("with ARCHIVE_INGEST_FILE_TIMEOUT=1ns: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = archive(t, env, "ingest", "--institution", "tu", "--json", "--file-timeout", "10m", src)
	if code != 0 || !strings.Contains(out, `"status":"ingested"`) {
		t.Fatalf("with --file-timeout 10m over it: exit %d\n%s%s", code, out, errOut)
	}
}
