package ingest

import (
	"strconv"
	"strings"

	"github.com/thaiarchives/archive/repository"
)

// A sheet's column readingroom marks an item readable only in its library's
// reading rooms (yes) or not (no); Thai ใช่ and ไม่ใช่ are read too.
var roomWords = map[string]bool{"yes": true, "true": true, "1": true, "ใช่": true, "no": false, "false": false, "0": false, "ไม่ใช่": false}

// readingRoom reads the column readingroom's cell.
func readingRoom(v string) (room, ok bool) {
	room, ok = roomWords[strings.ToLower(strings.TrimSpace(v))]
	return room, ok
}

// describeRoom gives it the reading room a describe row states, if any,
// and returns the change.
func describeRoom(it *repository.Item, room *bool) []Change {
	if room == nil || *room == it.Access.ReadingRoom {
		return nil
	}
	old := it.Access.ReadingRoom
	it.Access.ReadingRoom = *room
	return []Change{{"readingroom", strconv.FormatBool(old), strconv.FormatBool(*room)}}
}
