package metrics_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/metrics"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
	"github.com/thaiarchives/archive/storage/local"
	"github.com/thaiarchives/archive/storage/storagetest"
)

// BenchmarkRequest is what counting one answered request costs.
func BenchmarkRequest(b *testing.B) {
	m := metrics.New(prometheus.NewRegistry())
	for b.Loop() {
		m.Request("GET", "/iiif/3/:id/*rest", 200, 130*time.Microsecond)
	}
}

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	w := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

func TestStorageCallsAreCountedByOperationAndResult(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	lb, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	faulty := &storagetest.Faulty{Blobs: lb}
	b := m.Blobs(faulty)
	storagetest.MustPut(t, b, "records/a.json", []byte("12345"))
	if got := storagetest.MustGet(t, b, "records/a.json", 0, -1); string(got) != "12345" {
		t.Fatalf("read through the wrapper: %q", got)
	}
	if _, err := b.Get(context.Background(), "records/missing.json", 0, -1); !errors.Is(err, fault.NotFound) {
		t.Fatalf("missing: %v", err)
	}
	faulty.SetDown(true)
	if _, err := b.Stat(context.Background(), "records/a.json"); !errors.Is(err, fault.Unavailable) {
		t.Fatalf("outage: %v", err)
	}
	text := scrape(t, reg)
	for _, want := range []string{
		`archive_storage_operations_total{op="put",result="ok"} 1`,
		`archive_storage_operations_total{op="get",result="ok"} 1`,
		`archive_storage_operations_total{op="get",result="not_found"} 1`,
		`archive_storage_operations_total{op="stat",result="unavailable"} 1`,
		`archive_storage_bytes_total{op="get"} 5`,
		`archive_storage_bytes_total{op="put"} 5`,
		`archive_storage_operation_duration_seconds_count{op="get"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestChangesAnnouncedByTheFeedAreCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	lb, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store, err := bolt.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), lb)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Follow(ctx, store)
	// The follower counts from when it starts: save items until it has
	// counted two, and never more than were saved.
	re := regexp.MustCompile(`archive_changes_total\{kind="item",op="create"\} (\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for saved := 1; ; saved++ {
		it := &repository.Item{Institution: "cmu", Title: repository.Text{"en": "Letter"}}
		if err := store.SaveItem(context.Background(), it, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		text := scrape(t, reg)
		n := 0
		if m := re.FindStringSubmatch(text); m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		if n > saved {
			t.Fatalf("%d creations counted after %d items", n, saved)
		}
		if n >= 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d items, the metrics say:\n%s", saved, text)
		}
	}
}
