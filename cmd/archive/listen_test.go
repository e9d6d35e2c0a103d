package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/thaiarchives/archive/web"
)

// TestListenServesOnGatheringConnections: the command's server lets the
// handlers send an answer whole in one write (a stored tile's cost).
func TestListenServesOnGatheringConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- listen(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if web.Gathered(r.Context()) {
				io.WriteString(w, "gathered")
			}
		}), nil)
	}()
	defer func() { cancel(); <-done }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "gathered" {
		t.Fatalf("answered %q on a connection that does not gather", body)
	}
}
