package miniotest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaiarchives/archive/storage/s3"
)

// Cluster is a distributed, erasure-coded MinIO: several nodes on
// 127.0.0.1, each its own process with its own folder (one drive per node),
// so that a test can kill a node as a failed machine would.
type Cluster struct {
	Nodes     []*Server
	AccessKey string
	SecretKey string
}

// StartCluster runs a cluster of n nodes (four or more, so one may fail
// with writes going on: MinIO's write quorum over four drives is three) and
// stops it at cleanup.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	bin := requireBinary(tb)
	c := &Cluster{AccessKey: "test" + random(6), SecretKey: random(16)}
	var drives []string
	for range n {
		node := &Server{AccessKey: c.AccessKey, SecretKey: c.SecretKey, bin: bin, dir: tb.TempDir(),
			Endpoint: fmt.Sprintf("127.0.0.1:%d", freePort(tb))}
		c.Nodes = append(c.Nodes, node)
		drives = append(drives, "http://"+node.Endpoint+node.dir)
	}
	logs := tb.TempDir()
	for i, node := range c.Nodes {
		node.drives = drives
		f, err := os.Create(filepath.Join(logs, fmt.Sprintf("node%d.log", i+1)))
		if err != nil {
			tb.Fatal(err)
		}
		node.log = f
		tb.Cleanup(func() {
			f.Close()
			if tb.Failed() {
				b, _ := os.ReadFile(f.Name())
				tb.Logf("MinIO node %d's log:\n%s", i+1, b[max(0, len(b)-4000):])
			}
		})
		node.launch(tb)
		tb.Cleanup(node.Stop)
	}
	for _, node := range c.Nodes {
		node.waitReady(tb)
	}
	return c
}

// Endpoint lists every node's address, as the S3 store takes them.
func (c *Cluster) Endpoint() string {
	var eps []string
	for _, n := range c.Nodes {
		eps = append(eps, n.Endpoint)
	}
	return strings.Join(eps, ",")
}

// Config returns store settings for a bucket on the whole cluster.
func (c *Cluster) Config(bucket, prefix string) s3.Config {
	return s3.Config{Endpoint: c.Endpoint(), Bucket: bucket, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Region: "us-east-1", CreateBucket: true, Prefix: prefix}
}

// Open returns a store on the cluster.
func (c *Cluster) Open(tb testing.TB, bucket, prefix string) *s3.Store {
	tb.Helper()
	st, err := s3.Open(context.Background(), c.Config(bucket, prefix))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// Env returns the ARCHIVE_S3_* settings for a subprocess using the cluster.
func (c *Cluster) Env(bucket string) []string {
	return []string{"ARCHIVE_STORAGE=s3", "ARCHIVE_S3_ENDPOINT=" + c.Endpoint(), "ARCHIVE_S3_BUCKET=" + bucket,
		"ARCHIVE_S3_ACCESS_KEY=" + c.AccessKey, "ARCHIVE_S3_SECRET_KEY=" + c.SecretKey, "ARCHIVE_S3_REGION=us-east-1",
		"ARCHIVE_S3_TLS=false"}
}

// WaitSafeToStop returns when node i may be stopped with the cluster keeping
// its quorum, as an operator waits before taking down another machine: every
// running node passes MinIO's maintenance check, which it answers from its
// own view of the others, so a node just restarted has been taken back by all
// of them (asking node i alone once let a read meet two drives it thought
// offline, and MinIO answered "no such key").
func (c *Cluster) WaitSafeToStop(tb testing.TB, i int) {
	tb.Helper()
	safe := func() bool {
		for _, n := range c.Nodes {
			if n.cmd == nil { // stopped
				continue
			}
			resp, err := http.Get("http://" + n.Endpoint + "/minio/health/cluster?maintenance=true")
			if err != nil {
				return false
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return false
			}
		}
		return true
	}
	// The nodes' views of each other settle over a moment after a restart
	// (a check passed once, and a read then still met a node that thought
	// its restarted peer offline): safe means every check passes for a
	// second on end.
	deadline := time.Now().Add(90 * time.Second)
	steady := 0
	for time.Now().Before(deadline) {
		if steady = steady + 1; !safe() {
			steady = 0
		}
		if steady == 10 {
			return
		}
		time.Sleep(100 * time.Millisecond) // polling with a deadline
	}
	tb.Fatalf("MinIO node %d could not be stopped safely within 90 s", i+1)
}
