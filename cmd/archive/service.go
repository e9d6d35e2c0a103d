package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Finding the running service: "archive serve" records in the data folder
// where it listens and which archive it is (an id made once per data
// folder), and a command that finds the metadata store held goes there,
// not to whatever answers on a default address. Before anything is sent
// (not even the token), the service proves it is this archive: it answers
// a fresh challenge with an HMAC keyed by the data folder's token.

const (
	serviceFile   = "service.json" // where the running service listens
	archiveIDFile = "archive-id"   // who the archive is
	// identityPath is where a service says which archive it is.
	identityPath = "/api/v1/archive-id"
)

// serviceRecord is what the running service writes in the data folder.
type serviceRecord struct {
	Addr    string `json:"addr"`
	Archive string `json:"archive"`
	PID     int    `json:"pid"`
}

// archiveID is the data folder's archive id, made on first use.
func archiveID(data string) (string, error) {
	path := filepath.Join(data, archiveIDFile)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if err := writeAtomic(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("the archive id cannot be saved in the data folder: %v", unwrap(err))
	}
	return id, nil
}

// recordService writes where the service listens (a listener on every
// interface is reached on loopback) and returns what removes the record,
// unless another service has written its own since.
func recordService(data string, ln net.Addr, id string) (func(), error) {
	host, port, err := net.SplitHostPort(ln.String())
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	rec := serviceRecord{Addr: net.JoinHostPort(host, port), Archive: id, PID: os.Getpid()}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(data, serviceFile)
	if err := writeAtomic(path, b); err != nil {
		return nil, fmt.Errorf("where the service listens cannot be recorded in the data folder: %v", unwrap(err))
	}
	return func() {
		if now, err := readService(data); err == nil && now != nil && *now == rec {
			os.Remove(path)
		}
	}, nil
}

// readService reads the running service's record: nil when there is none.
func readService(data string) (*serviceRecord, error) {
	b, err := os.ReadFile(filepath.Join(data, serviceFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec serviceRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Addr == "" {
		return nil, fmt.Errorf("the service's record in the data folder (%s) cannot be read", serviceFile)
	}
	return &rec, nil
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// identityProof is the answer to a challenge: the HMAC-SHA256, keyed by the
// data folder's token, of the archive id and the challenge.
func identityProof(token, id, challenge string) string {
	m := hmac.New(sha256.New, []byte(token))
	io.WriteString(m, "archive "+id+" "+challenge)
	return hex.EncodeToString(m.Sum(nil))
}

// identify answers identityPath with the archive id and the proof for the
// challenge asked (at most 64 characters); everything else goes to next.
func identify(next http.Handler, id, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != identityPath {
			next.ServeHTTP(w, r)
			return
		}
		challenge := r.URL.Query().Get("challenge")
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet || len(challenge) < 16 || len(challenge) > 64 {
			http.Error(w, "ask with GET and a challenge of 16 to 64 characters", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"archive": id, "proof": identityProof(token, id, challenge)})
	})
}

// findService finds the running service that holds this data folder's
// store: at the address it recorded (else at cfg.Addr), and only when it
// proves to be this archive. Nothing else is sent before.
func findService(ctx context.Context, cfg *Config) (*service, error) {
	token, err := cfg.token()
	if err != nil {
		return nil, err
	}
	addr := cfg.Addr
	rec, err := readService(cfg.Data)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		addr = rec.Addr
	}
	id, err := os.ReadFile(filepath.Join(cfg.Data, archiveIDFile))
	if err != nil {
		return nil, fmt.Errorf("the metadata store is in use, but no service has recorded which archive it is (%s in the data folder): stop the process that holds it, or start the service again", archiveIDFile)
	}
	s := &service{base: "http://" + addr, token: token, client: &http.Client{Timeout: 10 * time.Minute}}
	if err := s.prove(ctx, strings.TrimSpace(string(id))); err != nil {
		return nil, err
	}
	return s, nil
}

// prove asks the service which archive it is and checks its answer.
func (s *service) prove(ctx context.Context, id string) error {
	var c [16]byte
	rand.Read(c[:])
	challenge := hex.EncodeToString(c[:])
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+identityPath+"?challenge="+challenge, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("the metadata store is in use, and the service at %s (which holds it) does not answer: %v", s.base, unwrapNet(err))
	}
	defer resp.Body.Close()
	var got struct{ Archive, Proof string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&got) != nil {
		return fmt.Errorf("the service at %s is not this archive's (it does not say which archive it is: %s); nothing was sent to it", s.base, resp.Status)
	}
	want := identityProof(s.token, id, challenge)
	if got.Archive != id || !hmac.Equal([]byte(got.Proof), []byte(want)) {
		return fmt.Errorf("the service at %s is another archive (%q, this data folder's is %q); nothing was sent to it", s.base, got.Archive, id)
	}
	return nil
}
