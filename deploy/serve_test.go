package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeScriptWaitsForAptsLock runs serve.sh on a machine that lacks
// its Debian packages, with apt-get, dpkg, sudo, npm and go replaced by
// stand-ins that record their arguments: every apt-get call waits for
// dpkg's lock (bounded), and the script says so, rather than stopping when
// another install holds it.
func TestServeScriptWaitsForAptsLock(t *testing.T) {
	bin := t.TempDir()
	log := filepath.Join(bin, "apt.log")
	stubs := map[string]string{
		"dpkg":    "exit 1", // no package is installed
		"apt-get": `echo "$*" >> "` + log + `"`,
		"sudo":    `exec "$@"`,
		"npm":     "exit 0",
		"go":      "exit 0",
	}
	for name, body := range stubs {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("bash", "../serve.sh")
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("serve.sh: %v\n%s", err, out)
	}
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("serve.sh did not install what was missing: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(calls)), "\n")
	if len(lines) != 2 {
		t.Fatalf("apt-get calls: %q", lines)
	}
	for _, l := range lines {
		if !strings.Contains(l, "-o DPkg::Lock::Timeout=600") {
			t.Errorf("apt-get %s: does not wait for dpkg's lock", l)
		}
	}
	if !strings.Contains(string(out), "waits for it, up to 10 minutes") {
		t.Errorf("serve.sh does not say it may wait:\n%s", out)
	}
}
