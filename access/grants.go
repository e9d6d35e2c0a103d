package access

import (
	"slices"
	"time"
)

// Grant is a signed-in person's right, given by the holding library for a
// while, to read an item (Kind "item") or everything within a collection or
// unit (Kind "collection") as its own library's readers do.
type Grant struct {
	Kind        string // "item" or "collection"
	ID          string
	Institution string // the library that gave it
	Until       time.Time
	// Transcribe: the library invited the person to transcribe what the
	// grant names, as well as to read it.
	Transcribe bool
}

// Granted reports whether one of p's grants reaches r at now: p is signed
// in, the grant names r or a collection r is within, was given by r's
// library, and has not ended (at Until it has). A grant never widens
// beyond what it names; a withdrawn record stays withdrawn (Decide).
func Granted(p Principal, r Resource, now time.Time) bool {
	if !p.SignedIn() || r.Kind == "library" {
		return false
	}
	for _, g := range p.Grants {
		if g.Institution != r.Institution || !now.Before(g.Until) {
			continue
		}
		switch g.Kind {
		case "item":
			if r.kind() == "item" && g.ID == r.ID {
				return true
			}
		case "collection":
			if r.Kind == "collection" && g.ID == r.ID {
				return true
			}
			for _, c := range r.Within {
				if c == g.ID {
					return true
				}
			}
		}
	}
	return false
}

// Transcribes reports whether p may transcribe the pages of r at now: the
// holding library's staff, and the people it invited as transcribers of
// r or of a collection r is within. Their transcriptions wait for the
// staff's review (package annotation).
func Transcribes(p Principal, r Resource, now time.Time) bool {
	if staff(p, r.Institution) {
		return true
	}
	transcriber := p
	transcriber.Grants = slices.DeleteFunc(slices.Clone(p.Grants), func(g Grant) bool { return !g.Transcribe })
	return Granted(transcriber, r, now)
}
