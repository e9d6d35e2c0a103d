package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/repository"
)

// roomNote is what a refusal of reading-room material (fault.ReadingRoom)
// says in lang: where the item can be read, with the holding library's
// name (its id when the store cannot say it, which is logged: the refusal
// stands either way), in the words the IIIF probe says it with.
func (s *Server) roomNote(lang string, err error) string {
	lib := fault.RecordOf(err)
	name := lib
	in, ierr := s.cfg.Store.Institution(lib)
	switch {
	case ierr == nil && !in.Name.Empty():
		name = in.Name.Get(lang)
	case ierr != nil && !errors.Is(ierr, fault.NotFound):
		s.cfg.Log.Warn("the reading-room note names the library by its id: the store did not answer", "library", lib, "err", ierr)
	}
	if lang == "th" {
		return auth.RoomNoteTh(name)
	}
	return auth.RoomNoteEn(name)
}

// kioskToken is the token the token service gives a viewer in a reading
// room without sign-in: it names no one, since the address the viewer asks
// from is what gives it reading-room material; the viewer only needs a
// token to go on to the probe (Auth 2.0 kiosk profile).
func kioskToken() string {
	var b [16]byte
	rand.Read(b[:])
	return "kiosk-" + hex.EncodeToString(b[:])
}

// kioskPage is the kiosk access service: a viewer opens it without asking
// its reader and it closes itself; what it says is for a window that stays
// open. Access comes from the address, which the probe then asks about.
func (s *Server) kioskPage(c *gin.Context) {
	s.cache(c, noStore)
	script := "window.close();"
	c.Header("Content-Security-Policy", "default-src 'none'; script-src 'sha256-"+sha256Base64(script)+"'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	lang := s.lang(c)
	c.String(http.StatusOK, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title></head><body><p>%s</p><script>%s</script></body></html>\n",
		lang, template.HTMLEscapeString(t(lang, "kiosk_title")), template.HTMLEscapeString(t(lang, "kiosk_note")), template.JS(script))
}

// formAccess is the access a desk form (an item's, a collection's, a
// unit's) sets: the level, the embargo and the reading room.
func formAccess(c *gin.Context) *repository.Access {
	return &repository.Access{Level: c.PostForm("access"), Embargo: c.PostForm("embargo"), ReadingRoom: c.PostForm("reading_room") == "1",
		Internal: c.PostForm("internal") == "1"}
}
