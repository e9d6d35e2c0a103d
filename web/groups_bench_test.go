package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/thaiarchives/archive/repository"
)

// BenchmarkContainerOfAPersonInGroups is the cost of groups on every
// signed-in request: a reader in n groups (one of them addressed by one
// of the canvas's 100 annotations, half the rest public, half another's
// private) reads a canvas's container page. Every request reads the
// person's groups from the index.
func BenchmarkContainerOfAPersonInGroups(b *testing.B) {
	for _, n := range []int{0, 1, 20, 200} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			e := newAnnoEnv(b, 1_000_000)
			ctx := context.Background()
			u, err := e.store.UserByEmail("reader@tu.example")
			if err != nil {
				b.Fatal(err)
			}
			audience := "private"
			for i := range n {
				g := &repository.Group{Name: repository.Text{"en": fmt.Sprintf("Group %d", i)}, Owner: u.ID}
				if err := e.store.SaveGroup(ctx, g); err != nil {
					b.Fatal(err)
				}
				audience = repository.AudienceGroup(g.ID)
			}
			e.post(b, e.reader, e.public, note(e.public, audience, "ของกลุ่ม"))
			for i := range 99 {
				tok, aud := e.other, "private"
				if i%2 == 0 {
					tok, aud = e.cmuArchivst, "public"
				}
				e.post(b, tok, e.public, note(e.public, aud, fmt.Sprintf("note %d", i)))
			}
			page := "/annotations/" + e.public + "/1/?page=0"
			if w := e.do(e.reader, "GET", page, ""); w.Code != http.StatusOK {
				b.Fatalf("page: %d %s", w.Code, w.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if w := e.do(e.reader, "GET", page, ""); w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
