package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkTileThroughAGrant is the cost of grants on the tile path: a
// reader of another library reads a restricted item's tile through an
// approved grant while holding n requests in all (the others approved for
// other items), beside the holding library's archivist, who needs none.
// Every request reads the person's grants, so the cost that grows is the
// number of requests a person holds.
func BenchmarkTileThroughAGrant(b *testing.B) {
	for _, n := range []int{0, 1, 20, 200} {
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			e := newGrantEnv(b)
			tok := e.cmuArc // n=0: staff of the holding library, no grant read
			if n > 0 {
				tok = e.tuReader
				id := e.ask(b, tok)
				if w := e.do(e.cmuArc, "POST", "/api/v1/requests/"+id, `{"decision": "approve", "until": "`+time.Now().AddDate(0, 0, 30).Format(time.DateOnly)+`", "scope": "item"}`); w.Code != http.StatusOK {
					b.Fatalf("approving: %d %s", w.Code, w.Body)
				}
				r, err := e.store.Request(id)
				if err != nil {
					b.Fatal(err)
				}
				for i := 1; i < n; i++ {
					other := *r
					other.ID, other.Item, other.ScopeID, other.Version = "", fmt.Sprintf("other%04d", i), fmt.Sprintf("other%04d", i), 0
					if err := e.store.SaveRequest(context.Background(), &other, "bench"); err != nil {
						b.Fatal(err)
					}
				}
				if gs, err := e.srv.cfg.Requests.Grants(r.Requester); err != nil || len(gs) != n {
					b.Fatalf("the reader holds %d grants (%v), want %d", len(gs), err, n)
				}
			}
			tile := "/iiif/3/" + e.item + "-1/0,0,256,256/256,/0/default.jpg"
			if w := e.do(tok, "GET", tile, ""); w.Code != http.StatusOK {
				b.Fatalf("tile: %d %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if w := e.do(tok, "GET", tile, ""); w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
