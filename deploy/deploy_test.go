// Package deploy holds how the archive is run for real (systemd, nginx,
// compose, CDN notes); its tests check each file with the tool that reads it.
package deploy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needTool finds a tool; without it the test fails when
// ARCHIVE_REQUIRE_TOOLS is set, and is skipped otherwise.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian %s)", name, pkg)
		}
		t.Skipf("%s not installed (Debian %s)", name, pkg)
	}
	return p
}

// unit returns archive.service with its binary replaced by one that exists
// here (systemd-analyze checks that ExecStart can run).
func unit(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("archive.service")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "archive.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/archive", "/usr/bin/env")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSystemdUnitIsValid(t *testing.T) {
	sa := needTool(t, "systemd-analyze", "systemd")
	out, err := exec.Command(sa, "verify", unit(t)).CombinedOutput()
	if err != nil || strings.Contains(string(out), "archive.service") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// The unit's exposure, as systemd rates it (0 best, 10 worst), stays in
// systemd's "OK" band: no capabilities, no writable system, no devices,
// only the system calls and address families a network service needs.
func TestSystemdUnitIsHardened(t *testing.T) {
	sa := needTool(t, "systemd-analyze", "systemd")
	out, err := exec.Command(sa, "security", "--offline=true", "--threshold=20", unit(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for archive\.service: ([0-9.]+) (\w+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	level, _ := strconv.ParseFloat(m[1], 64)
	if level > 2.0 || m[2] != "OK" {
		t.Fatalf("exposure %s %s, want OK at 2.0 or below:\n%s", m[1], m[2], out)
	}
	t.Logf("exposure level %s %s", m[1], m[2])
}

// nginxSite is the example configuration, made runnable here: a temporary
// certificate, cache and temp folders, given listening and upstream ports.
type nginxSite struct {
	dir, conf string
	https     int
}

func newNginxSite(t *testing.T, writer string, readers []string) *nginxSite {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("nginx", "archive.conf"))
	if err != nil {
		t.Fatal(err)
	}
	site := &nginxSite{dir: dir, https: freePort(t)}
	conf := string(b)
	cert, key := selfSigned(t, dir)
	var ups strings.Builder
	for _, r := range readers {
		ups.WriteString("    server " + r + " max_fails=2 fail_timeout=10s;\n")
	}
	for _, r := range [][2]string{
		{"/etc/ssl/archive/fullchain.pem", cert},
		{"/etc/ssl/archive/privkey.pem", key},
		{"/var/cache/nginx/archive", filepath.Join(dir, "cache")},
		{"server 127.0.0.1:8080;", "server " + writer + ";"},
		{"server 127.0.0.1:8080 backup;", "server " + writer + " backup;"},
		{"    server 127.0.0.1:8081 max_fails=2 fail_timeout=10s;      # CHANGE: archive serve --replica\n", ups.String()},
		{"    server 127.0.0.1:8082 max_fails=2 fail_timeout=10s;      # CHANGE: any number of them\n", ""},
		{"listen 443 ssl http2;", "listen 127.0.0.1:" + strconv.Itoa(site.https) + " ssl http2;"},
		{"listen [::]:443 ssl http2;", ""},
		{"listen 80;", "listen 127.0.0.1:" + strconv.Itoa(freePort(t)) + ";"},
		{"listen [::]:80;", ""},
	} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("nginx/archive.conf no longer has %q", r[0])
		}
		conf = strings.ReplaceAll(conf, r[0], r[1])
	}
	if err := os.WriteFile(filepath.Join(dir, "archive.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	main := `daemon off;
worker_processes 1;
pid ` + filepath.Join(dir, "nginx.pid") + `;
error_log stderr warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ` + filepath.Join(dir, "body") + `;
    proxy_temp_path ` + filepath.Join(dir, "proxy") + `;
    fastcgi_temp_path ` + filepath.Join(dir, "fastcgi") + `;
    uwsgi_temp_path ` + filepath.Join(dir, "uwsgi") + `;
    scgi_temp_path ` + filepath.Join(dir, "scgi") + `;
    include ` + filepath.Join(dir, "archive.conf") + `;
}
`
	if os.Geteuid() == 0 {
		main = "user root;\n" + main // workers must write the cache in a private temporary folder
	}
	site.conf = filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(site.conf, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	return site
}

func TestNginxConfigurationIsValid(t *testing.T) {
	nginx := needTool(t, "nginx", "nginx")
	site := newNginxSite(t, "127.0.0.1:8080", []string{"127.0.0.1:8081", "127.0.0.1:8082"})
	out, err := exec.Command(nginx, "-t", "-e", "stderr", "-p", site.dir, "-c", site.conf).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "test is successful") {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1.
func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "archive.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: loopbackIPs()}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, keyPath
}

// The compose file, read by a YAML parser (Debian python3-yaml) with its
// anchors resolved: four MinIO nodes forming one erasure-coded pool, each
// with its own volume; a writer and two replicas on that pool, all naming
// every node, on the ports nginx/archive.conf sends to; no secret inline.
func TestComposeRunsDistributedMinIOAWriterAndTwoReplicas(t *testing.T) {
	py := needTool(t, "python3", "python3-yaml")
	out, err := exec.Command(py, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open('compose.yaml')), sys.stdout)").CombinedOutput()
	if err != nil {
		t.Fatalf("reading compose.yaml: %v\n%s", err, out)
	}
	var c struct {
		Services map[string]struct {
			Command     any
			Environment map[string]string
			Volumes     []string
			Ports       []string
		}
	}
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatal(err)
	}
	volumes := map[string]bool{}
	for i := 1; i <= 4; i++ {
		m, ok := c.Services[fmt.Sprintf("minio%d", i)]
		if !ok {
			t.Fatalf("no minio%d", i)
		}
		if cmd := fmt.Sprint(m.Command); !strings.Contains(cmd, "http://minio{1...4}:9000/data") {
			t.Errorf("minio%d is not one of a four-node pool: %s", i, cmd)
		}
		if len(m.Volumes) != 1 || volumes[m.Volumes[0]] {
			t.Errorf("minio%d needs a volume of its own: %v", i, m.Volumes)
		}
		volumes[m.Volumes[0]] = true
	}
	for name, port := range map[string]string{"writer": "8080", "replica1": "8081", "replica2": "8082"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no %s", name)
		}
		cmd := fmt.Sprint(s.Command)
		if strings.Contains(cmd, "--replica") != (name != "writer") || !strings.Contains(cmd, "serve") {
			t.Errorf("%s runs %s", name, cmd)
		}
		if s.Environment["ARCHIVE_S3_ENDPOINT"] != "minio1:9000,minio2:9000,minio3:9000,minio4:9000" || s.Environment["ARCHIVE_S3_BUCKET"] != "archive" {
			t.Errorf("%s does not use every MinIO node and the one bucket: %v", name, s.Environment)
		}
		if len(s.Ports) != 1 || s.Ports[0] != "127.0.0.1:"+port+":8080" {
			t.Errorf("%s is published on %v, nginx/archive.conf expects 127.0.0.1:%s", name, s.Ports, port)
		}
		for k, v := range s.Environment {
			if strings.Contains(k, "SECRET") || strings.Contains(k, "ACCESS_KEY") {
				if !strings.HasPrefix(v, "${") {
					t.Errorf("%s: %s is written inline", name, k)
				}
			}
		}
	}
}
