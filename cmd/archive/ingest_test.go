package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// makeImages writes n distinct JPEGs into dir.
func makeImages(t *testing.T, dir string, n, w, h int) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetRGBA(x, y, color.RGBA{uint8(x*7 + i*13), uint8(y*3 + i), uint8(i * 29), 255})
			}
		}
		var b bytes.Buffer
		jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("scan%03d.jpg", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIngestKilledAtRandomPointsFinishesWithoutDuplicates(t *testing.T) {
	root := t.TempDir()
	src, data := filepath.Join(root, "src"), filepath.Join(root, "data")
	const files = 24
	makeImages(t, src, files, 900, 700)
	env := []string{"ARCHIVE_DATA=" + data}
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	kills := 0
	for round := range 6 {
		cmd := exec.Command(binary, "ingest", "--institution", "cmu", "--workers", "2", src)
		cmd.Env = append(cleanEnv(), env...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of finished files, plus a random
		// moment into the next one: anywhere in the pipeline.
		after := rng.IntN(files / 2)
		sc := bufio.NewScanner(stderr)
		seen := 0
		for seen < after && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "[") {
				seen++
			}
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			kills++
		}
		t.Logf("round %d: killed after %d files", round, seen)
	}
	if kills == 0 {
		t.Fatal("no run was killed mid-way: the test proves nothing")
	}
	out, errOut, code := archive(t, env, "ingest", "--institution", "cmu", "--json", src)
	if code != 0 {
		t.Fatalf("final run: exit %d\n%s", code, errOut)
	}
	statuses := map[string]int{}
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var o ingest.Outcome
		if err := dec.Decode(&o); err != nil {
			t.Fatal(err)
		}
		statuses[o.Status]++
	}
	if statuses[ingest.Ingested]+statuses[ingest.Duplicate] != files {
		t.Fatalf("final run outcomes %v for %d files", statuses, files)
	}
	blobs, _ := local.Open(filepath.Join(data, "blobs"))
	store, err := bolt.Open(context.Background(), filepath.Join(data, "archive.db"), blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	p, _ := store.ItemsOfInstitution("cmu", "", 1000)
	if len(p.IDs) != files {
		t.Fatalf("%d items for %d files: duplicates or losses", len(p.IDs), files)
	}
	digests := map[string]bool{}
	for _, id := range p.IDs {
		it, _ := store.Item(id)
		f := it.Files[0]
		if digests[f.SHA256] {
			t.Fatalf("content %s registered twice", f.SHA256)
		}
		digests[f.SHA256] = true
		for _, k := range []string{storage.DigestKey(f.SHA256), f.Derivatives["access"], f.Derivatives["thumb"]} {
			if _, err := blobs.Stat(context.Background(), k); err != nil {
				t.Fatalf("item %s points at missing blob %s", id, k)
			}
		}
	}
}

func TestIngestCommandReportsAndFailsOnRefusals(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	makeImages(t, src, 2, 200, 100)
	os.WriteFile(filepath.Join(src, "broken.jpg"), []byte("\xFF\xD8\xFFnot really"), 0o644)
	env := []string{"ARCHIVE_DATA=" + filepath.Join(root, "data")}
	report := filepath.Join(root, "report.csv")
	out, errOut, code := archive(t, env, "ingest", "--institution", "tu", "--json", "--report", report, src)
	if code != 1 {
		t.Fatalf("exit %d with a refused file", code)
	}
	if !strings.Contains(out, `"status":"refused"`) || strings.Count(out, `"status":"ingested"`) != 2 || !strings.Contains(out, `"images":["`) {
		t.Fatalf("json lines:\n%s", out)
	}
	if !strings.Contains(errOut, "ingested        2") || !strings.Contains(errOut, "broken.jpg:") {
		t.Fatalf("summary:\n%s", errOut)
	}
	rep, _ := os.ReadFile(report)
	if !strings.HasPrefix(string(rep), "file,status,item,images,bytes,error\n") || strings.Count(string(rep), "\n") != 4 {
		t.Fatalf("report:\n%s", rep)
	}
	// A dry run writes nothing.
	dry := filepath.Join(root, "dry")
	_, errOut, code = archive(t, []string{"ARCHIVE_DATA=" + dry}, "ingest", "--institution", "tu", "--dry-run", filepath.Join(src, "scan000.jpg"))
	if code != 0 || !strings.Contains(errOut, "checked") || !strings.Contains(errOut, "no file was stored or registered") {
		t.Fatalf("dry run: %d %s", code, errOut)
	}
	var blobsWritten int
	filepath.Walk(filepath.Join(dry, "blobs"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, "sha256") {
			blobsWritten++
		}
		return nil
	})
	if blobsWritten != 0 {
		t.Fatalf("dry run stored %d blobs", blobsWritten)
	}
	if _, errOut, code := archive(t, env, "ingest", src); code != 1 || !strings.Contains(errOut, "--institution") {
		t.Fatalf("ingest without a library: %d %s", code, errOut)
	}
}

func TestGCRemovesOnlyUnreferencedBlobs(t *testing.T) {
	root := t.TempDir()
	src, data := filepath.Join(root, "src"), filepath.Join(root, "data")
	makeImages(t, src, 1, 100, 80)
	env := []string{"ARCHIVE_DATA=" + data}
	if _, errOut, code := archive(t, env, "ingest", "--institution", "tu", src); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	blobs, _ := local.Open(filepath.Join(data, "blobs"))
	orphan := storagetest.Pattern(9, 1000)
	storagetest.MustPut(t, blobs, storage.DigestKey(storagetest.Sum(orphan)), orphan)
	storagetest.MustPut(t, blobs, "derivatives/ab/cd/"+strings.Repeat("ab", 32)+"/p1.tif", []byte("left by a crash"))
	out, _, code := archive(t, env, "gc", "--dry-run", "--min-age", "0s")
	if code != 0 || !strings.Contains(out, "would remove 2 unreferenced blobs") {
		t.Fatalf("dry run: %d %s", code, out)
	}
	if out, _, _ := archive(t, env, "gc"); !strings.Contains(out, "removed 0 unreferenced") {
		t.Fatalf("young blobs were not spared: %s", out)
	}
	if out, _, _ := archive(t, env, "gc", "--min-age", "0s"); !strings.Contains(out, "removed 2 unreferenced blobs") {
		t.Fatalf("gc: %s", out)
	}
	if _, err := blobs.Stat(context.Background(), storage.DigestKey(storagetest.Sum(orphan))); err == nil {
		t.Fatal("the orphan is still there")
	}
	if out, _, code := archive(t, env, "fixity"); code != 0 || !strings.Contains(out, ": 0 damaged or missing") {
		t.Fatalf("gc damaged the archive: %s", out)
	}
}

// TestIngestRefusesFolderWithManifestsButNoBagitTxtAsBrokenBag: a folder
// with a bag's manifest and bag-info.txt but no bagit.txt is a broken
// bag, refused whole, not a plain folder whose files are ingested.
func TestIngestRefusesFolderWithManifestsButNoBagitTxtAsBrokenBag(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "bag")
	makeImages(t, filepath.Join(src, "data"), 1, 64, 48)
	os.WriteFile(filepath.Join(src, "manifest-sha256.txt"), []byte("00  data/scan000.jpg\n"), 0o644)
	os.WriteFile(filepath.Join(src, "bag-info.txt"), []byte("Bagging-Date: 2024-01-01\n"), 0o644)
	out, errOut, code := archive(t, []string{"ARCHIVE_DATA=" + filepath.Join(root, "data")}, "ingest", "--institution", "tu", "--json", src)
	if code != 1 || !strings.Contains(errOut, "no bagit.txt is a broken bag") || strings.Contains(out, `"status":"ingested"`) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
