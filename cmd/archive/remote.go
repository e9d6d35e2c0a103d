package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/repository/bolt"
)

// service is a running archive that holds the metadata store: while it
// runs, "archive ingest" hands it the files (resumable uploads, a batch
// per item) instead of opening the store itself.
type service struct {
	base, token string
	client      *http.Client
}

func (s *service) do(ctx context.Context, method, path string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the metadata store is in use, and the service at %s (which holds it) does not answer: %v", s.base, unwrapNet(err))
	}
	return resp, nil
}

// remoteBatch is what the service says of a batch.
type remoteBatch struct {
	ID    string `json:"id"`
	Done  bool   `json:"done"`
	Files []struct {
		Name string `json:"name"`
		ingest.Outcome
	} `json:"files"`
}

// ingest sends one unit as one batch and waits for its outcomes.
func (s *service) ingest(ctx context.Context, u ingest.Unit) ([]ingest.Outcome, error) {
	meta := u.Meta
	req := map[string]any{"institution": meta.Institution, "collection": meta.Collection, "access": meta.Access,
		"group": len(u.Files) > 1, "expected": len(u.Files), "meta": &meta}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, "POST", "/api/v1/batches", bytes.NewReader(body), map[string]string{"Content-Type": "application/json"})
	if err != nil {
		return nil, err
	}
	var b remoteBatch
	err = answer(resp, http.StatusCreated, &b)
	if err != nil {
		return nil, err
	}
	for _, in := range u.Files {
		if err := s.upload(ctx, b.ID, in); err != nil {
			return nil, err
		}
	}
	for {
		resp, err := s.do(ctx, "GET", "/api/v1/batches/"+b.ID, nil, nil)
		if err != nil {
			return nil, err
		}
		if err := answer(resp, http.StatusOK, &b); err != nil {
			return nil, err
		}
		if b.Done {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond): // the service reports progress; ask again shortly
		}
	}
	out := make([]ingest.Outcome, len(b.Files))
	for i, f := range b.Files {
		out[i] = f.Outcome
		out[i].File = f.Name
		// What the sheet's reading noted (a Buddhist Era year…) was said
		// here, not to the service: add it, as a local ingest does.
		if len(u.Notes) > 0 {
			out[i].Messages = append(slices.Clone(u.Notes), out[i].Messages...)
			notes := make([]string, len(u.Notes))
			for j, n := range u.Notes {
				notes[j] = n.String()
			}
			if out[i].Error != "" {
				notes = append(notes, out[i].Error)
			}
			out[i].Error = strings.Join(notes, "; ")
		}
	}
	return out, nil
}

// upload sends one file with the tus protocol, in 8 MiB pieces.
func (s *service) upload(ctx context.Context, batch string, in ingest.Input) error {
	f, err := os.Open(in.Path)
	if err != nil {
		return fmt.Errorf("%s cannot be read: %v", in.Path, unwrap(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	name := in.Name
	if name == "" {
		name = filepath.Base(in.Path)
	}
	enc := base64.StdEncoding.EncodeToString
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	hdr := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.FormatInt(st.Size(), 10),
		"Upload-Metadata": "batch " + enc([]byte(batch)) + ",filename " + enc([]byte(name))}
	resp, err := s.do(ctx, "POST", "/api/v1/uploads/", nil, hdr)
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || loc == "" {
		return fmt.Errorf("the service refused the upload of %s: %s", name, resp.Status)
	}
	if u, err := http.NewRequest("GET", loc, nil); err == nil && u.URL.Path != "" {
		loc = u.URL.Path
	}
	buf := make([]byte, 8<<20)
	for off := int64(0); off < st.Size(); {
		n, err := io.ReadFull(f, buf)
		if err != nil && err != io.ErrUnexpectedEOF {
			return fmt.Errorf("reading %s: %v", in.Path, err)
		}
		h := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.FormatInt(off, 10)}
		for k, v := range tus {
			h[k] = v
		}
		resp, err := s.do(ctx, "PATCH", loc, bytes.NewReader(buf[:n]), h)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("the service refused part of %s: %s", name, resp.Status)
		}
		off += int64(n)
	}
	return nil
}

// answer reads a JSON answer of the expected status, or says what the
// service said instead.
func answer(resp *http.Response, want int, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("the service answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// snapshot is a copy of the running service's metadata store, for a dry
// run to check against without the store's lock.
func snapshot(ctx context.Context, cfg *Config, blobs repository.Blobs) (*bolt.Store, func(), error) {
	tmp, err := os.CreateTemp(cfg.Data, "dry-run-*.db")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write a snapshot in %s: %v", cfg.Data, unwrap(err))
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := backupFromService(ctx, cfg, tmp); err != nil {
		cleanup()
		return nil, nil, err
	}
	tmp.Close()
	store, err := bolt.Open(ctx, tmp.Name(), blobs)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return store, func() { store.Close(); os.Remove(tmp.Name()) }, nil
}

// inUse says what to do when a command finds the metadata store held by
// another process, most likely the running service (bbolt lets one process
// in at a time): instead, when given, is what to do at the service
// ("manage users at the desk, http://…/desk/users").
func inUse(cfg *Config, instead string) error {
	if instead != "" {
		instead += ", or "
	}
	return fmt.Errorf("the metadata store is in use by another process, most likely the running service (archive serve, %s): %sstop the service, run this command again and start the service again",
		serviceURL(cfg.Addr), instead)
}

// serviceURL is where people reach a service listening on addr.
func serviceURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
