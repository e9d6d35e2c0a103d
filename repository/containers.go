package repository

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaiarchives/archive/fault"
)

// Container is a top container a library holds: a box, carton, reel or
// volume on a shelf, with the units described as being in it (ArchivesSpace
// calls it a top container). Units refer to it from their description
// (ContainerRef.Top); the store keeps which units are in each.
type Container struct {
	ID          string `json:"id"`
	Institution string `json:"institution"`
	Type        string `json:"type"`      // box, folder, reel, volume, carton…, as the source wrote it
	Indicator   string `json:"indicator"` // its number or name: "12", "12A"
	Barcode     string `json:"barcode,omitempty"`
	// Location is where the container is shelved: staff information.
	Location string    `json:"location,omitempty"`
	Version  int       `json:"version"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// Name is how the container is called: its type and indicator ("Box 12").
func (c *Container) Name() string {
	return strings.TrimSpace(titleWord(c.Type) + " " + c.Indicator)
}

// Validate checks a container's own fields.
func (c *Container) Validate() error {
	var problems []string
	if c.Institution == "" {
		problems = append(problems, "the holding library is required")
	}
	if strings.TrimSpace(c.Type) == "" || strings.TrimSpace(c.Indicator) == "" {
		problems = append(problems, "a type (box, folder, reel…) and an indicator (its number) are required")
	}
	for _, f := range []struct{ name, v string }{{"type", c.Type}, {"indicator", c.Indicator}, {"barcode", c.Barcode}, {"location", c.Location}} {
		if utf8.RuneCountInString(f.v) > 200 || strings.ContainsAny(f.v, "\x00\r\n") {
			problems = append(problems, fmt.Sprintf("the %s must be one line of at most 200 characters", f.name))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("container %s: %s: %w", c.ID, strings.Join(problems, "; "), fault.Invalid)
	}
	return nil
}

// BoxCount is a container and how many units are in it.
type BoxCount struct {
	*Container
	Units int
}

// ContainerRef is one container a finding aid names for a unit (an EAD
// <container>): the top container it is, or a sub-container (a folder in
// a box) inside one. Every attribute the source gave is kept, so that the
// unit's containers are written out again as they came in.
type ContainerRef struct {
	// Top is the record (Container) of the top container this one is, or
	// is inside.
	Top       string `json:"top,omitempty"`
	Type      string `json:"type"`
	Indicator string `json:"indicator"`
	// ID and Parent are the element's id and parent attributes as written:
	// a sub-container's parent names the container it is in.
	ID     string `json:"id,omitempty"`
	Parent string `json:"parent,omitempty"`
	Label  string `json:"label,omitempty"`
	// Barcode is EAD3's containerid (ArchivesSpace writes a top container's
	// barcode there).
	Barcode string `json:"barcode,omitempty"`
	// Attrs holds every other attribute the element had, by name, as written.
	Attrs map[string]string `json:"attrs,omitempty"`
	// Nested: the source gave no ids nor parents, and this container, of
	// another type than the unit's first, is inside the one before it
	// (Archivists' Toolkit and AtoM write Box 1 then Folder 2 so).
	Nested bool `json:"nested,omitempty"`
}

// Sub reports whether the reference is a sub-container: it names a parent
// or is nested in the one before it.
func (r ContainerRef) Sub() bool { return r.Parent != "" || r.Nested }

// Internal reports whether the finding aid kept the container for the
// library's staff (audience="internal"): it is never published.
func (r ContainerRef) Internal() bool { return r.Attrs["audience"] == "internal" }

// Published are the containers that may be shown outside the library: the
// refs without those kept for its staff, nor the ones inside them.
func Published(refs []ContainerRef) []ContainerRef {
	var out []ContainerRef
	hidden := false
	for _, r := range refs {
		if !r.Sub() {
			hidden = r.Internal()
		}
		if !hidden && !r.Internal() {
			out = append(out, r)
		}
	}
	return out
}

// Name is how the container is called: "Box 12", "Folder 3".
func (r ContainerRef) Name() string {
	return strings.TrimSpace(titleWord(r.Type) + " " + r.Indicator)
}

// thaiContainerWords names the common container types in Thai, so that a
// reader who searches "กล่อง 12" finds what is in Box 12.
var thaiContainerWords = map[string]string{
	"box": "กล่อง", "folder": "แฟ้ม", "reel": "ม้วน", "volume": "เล่ม", "carton": "ลัง",
	"cassette": "ตลับ", "item": "รายการ", "file": "แฟ้ม", "album": "อัลบั้ม", "drawer": "ลิ้นชัก",
	"map-case": "ตู้แผนที่", "oversize": "ขนาดใหญ่", "envelope": "ซอง", "page": "หน้า", "object": "วัตถุ",
}

// ThaiName is the Thai word for a container type ("" when there is none).
func ThaiName(typ string) string {
	return thaiContainerWords[strings.ReplaceAll(strings.ToLower(strings.TrimSpace(typ)), " ", "-")]
}

// ContainerNames is how a unit's containers are called, in order, in the
// language lang ("th" or anything else for the words as written), as
// "Box 12, Folder 3"; one entry per top container.
func ContainerNames(refs []ContainerRef, lang string) []string {
	var out []string
	for _, r := range refs {
		name := r.Name()
		if t := ThaiName(r.Type); lang == "th" && t != "" {
			name = t + " " + r.Indicator
		}
		if !r.Sub() || len(out) == 0 {
			out = append(out, name)
			continue
		}
		out[len(out)-1] += ", " + name
	}
	return out
}

func titleWord(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
