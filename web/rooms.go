package web

import (
	"strings"

	"github.com/thaiarchives/archive/fault"
)

// roomNote is what a refusal of reading-room material (fault.ReadingRoom)
// says in lang: where the item can be read, with the holding library's
// name (its id when the store cannot say it).
func (s *Server) roomNote(lang string, err error) string {
	lib := fault.RecordOf(err)
	name := lib
	if in, ierr := s.cfg.Store.Institution(lib); ierr == nil && !in.Name.Empty() {
		name = in.Name.Get(lang)
	}
	return strings.ReplaceAll(t(lang, "err_reading_room"), "{1}", name)
}
