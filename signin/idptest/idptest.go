// Package idptest starts real identity providers for tests of university
// sign-in: SimpleSAMLphp as a SAML 2.0 IdP (StartSAML) and LemonLDAP::NG as
// an OpenID Connect provider (StartOIDC), both as packaged by Debian. Each
// runs on a free port of 127.0.0.1 from a temporary folder of the test, with
// keys made for the run, and is stopped at the end of the test.
//
// A test starts a provider, registers its own service or relying party, and
// signs in at the provider's own login page as one of the provider's Users:
//
//	idp := idptest.StartSAML(t)
//	idp.RegisterSP(t, spMetadataXML)
//	// send an AuthnRequest to the SSO service named in idp.MetadataURL's
//	// document; sign in as idp.Users[0].
//
//	op := idptest.StartOIDC(t, idptest.Client{ID: "archive", Secret: s, RedirectURL: u})
//	// discover op.Issuer; run the code flow (PKCE allowed) as op.Users[0].
//
// Starting takes about 0.3 s for SimpleSAMLphp and 1 s for LemonLDAP::NG.
// A failed test logs each provider's output. The configurations are small
// files under testdata/ (see its README). When a program is missing the test
// fails if ARCHIVE_REQUIRE_TOOLS is set, and is skipped with the reason
// otherwise.
package idptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

//go:embed testdata
var configs embed.FS

// need finds a program or an installed file the providers run with: without
// it the test fails when ARCHIVE_REQUIRE_TOOLS is set, and is skipped
// otherwise.
func need(tb testing.TB, what, pkg string) {
	tb.Helper()
	var err error
	if filepath.IsAbs(what) {
		_, err = os.Stat(what)
	} else {
		_, err = exec.LookPath(what)
	}
	if err == nil {
		return
	}
	if os.Getenv("ARCHIVE_REQUIRE_TOOLS") != "" {
		tb.Fatalf("%s is required (ARCHIVE_REQUIRE_TOOLS) but not installed (Debian %s)", what, pkg)
	}
	tb.Skipf("%s not installed (Debian %s)", what, pkg)
}

// copyConfig copies testdata/<name> into dir.
func copyConfig(tb testing.TB, name, dir string) {
	tb.Helper()
	root := "testdata/" + name
	err := fs.WalkDir(configs, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := configs.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		tb.Fatalf("copy %s configuration: %v", name, err)
	}
}

// freeAddr returns a free address on 127.0.0.1.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// secret returns n random bytes in hex.
func secret(tb testing.TB, n int) string {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// keyPair makes an RSA key and a self-signed certificate for name, valid for
// a day, and returns them PEM-encoded with the parsed key and certificate.
func keyPair(tb testing.TB, name string) (keyPEM, certPEM []byte, key *rsa.PrivateKey, cert *x509.Certificate) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		tb.Fatal(err)
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return keyPEM, certPEM, key, cert
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// proc is a program run for a test; done is closed when it exits.
type proc struct {
	name string
	done chan struct{}
}

// run starts a program in its own process group, its output going to
// dir/<name>.log, and stops the whole group at the end of the test.
func run(tb testing.TB, dir, name string, env []string, prog string, args ...string) *proc {
	tb.Helper()
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		tb.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, done: make(chan struct{})}
	done := p.done
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("%s's log:%s", name, tail(dir, name+".log"))
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return p
}

// waitOK polls url until it answers 200, failing the test if it does not
// within the deadline or if one of procs exits first (the logs follow, from
// run's cleanup).
func waitOK(tb testing.TB, url string, procs ...*proc) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		for _, p := range procs {
			select {
			case <-p.done:
				tb.Fatalf("%s exited before %s answered", p.name, url)
			default:
			}
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = errors.New("status " + strconv.Itoa(resp.StatusCode))
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s did not answer within 15s: %v", url, last)
}

// tail returns the start and the end of a log: the first error and the last.
func tail(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	if len(b) > 3000 {
		b = append(b[:1500:1500], append([]byte("\n…\n"), b[len(b)-1500:]...)...)
	}
	return "\n" + string(b)
}
