package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestHelperMemory is not a test: run as a child with SCALELOAD_HELPER
// set, it allocates and touches 96 MiB, maps a 64 MiB file and reads it,
// says "ready" and holds both until its input ends.
func TestHelperMemory(t *testing.T) {
	path := os.Getenv("SCALELOAD_HELPER")
	if path == "" {
		return
	}
	b := make([]byte, 96<<20)
	for i := range b {
		b[i] = byte(i)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, 64<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for i := 0; i < len(m); i += 4096 {
		sum += int(m[i])
	}
	os.Stdout.WriteString("ready\n")
	io.Copy(io.Discard, os.Stdin)
	if sum+int(b[len(b)-1]) < 0 {
		t.Fatal(sum)
	}
}

// helper is TestHelperMemory as a child, over a 64 MiB file at path.
func helper(t *testing.T) (cmd *exec.Cmd, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "mapped")
	if err := os.WriteFile(path, make([]byte, 64<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^TestHelperMemory$")
	cmd.Env = append(os.Environ(), "SCALELOAD_HELPER="+path)
	return cmd, path
}

// The memory a program allocated and the files it maps are told apart:
// 96 MiB allocated and a 64 MiB file read through a mapping are each
// counted in their part.
func TestResidentTellsAllocatedMemoryFromMappedFiles(t *testing.T) {
	cmd, _ := helper(t)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("the helper said %q: %v", line, err)
	}
	anon, mapped := resident(cmd.Process.Pid)
	if anon < 96<<20 || anon > 256<<20 || mapped < 64<<20 {
		t.Errorf("anonymous %d MiB, mapped %d MiB: want about 96 and at least 64", anon>>20, mapped>>20)
	}
}

// The run command reports the kernel's peak of the whole (what the program
// allocated and the file it mapped) and its CPU time.
func TestRunReportsThePeakOfAllocatedAndMapped(t *testing.T) {
	cmd, path := helper(t)
	t.Setenv("SCALELOAD_HELPER", path) // measure1 runs the command with this environment
	u, err := measure1(cmd.Args)
	if err != nil {
		t.Fatal(err)
	}
	if u.maxRSS < 160<<20 || u.cpu <= 0 || u.wall < u.cpu/4 {
		t.Errorf("peak %d MiB, cpu %s, wall %s: want a peak of at least 160 MiB", u.maxRSS>>20, u.cpu, u.wall)
	}
}
