package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLibraryCommandRevealsRestrictedItems(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"ARCHIVE_DATA=" + data}
	out, errOut, code := archive(t, env, "library", "--institution", "tu")
	if code != 0 || !strings.Contains(out, "reveal restricted items: false") {
		t.Fatalf("show: %d %q %q", code, out, errOut)
	}
	if out, _, code = archive(t, env, "library", "--institution", "tu", "--reveal-restricted=true"); code != 0 || !strings.Contains(out, "reveal restricted items: true") {
		t.Fatalf("set: %d %q", code, out)
	}
	if out, _, _ = archive(t, env, "library", "--institution", "tu"); !strings.Contains(out, "true") {
		t.Fatalf("the setting did not stay: %q", out)
	}
	if _, errOut, code = archive(t, env, "library", "--institution", "mit"); code != 1 || !strings.Contains(errOut, `no library "mit"`) {
		t.Fatalf("unknown library: %d %q", code, errOut)
	}
	if _, errOut, code = archive(t, env, "library", "--institution", "tu", "--reveal-restricted=perhaps"); code != 1 || !strings.Contains(errOut, "not true or false") {
		t.Fatalf("bad value: %d %q", code, errOut)
	}
}
