package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// duplicate says that a unit's content is already an item, and what its
// described access did to that item.
type duplicate struct {
	item  string
	notes []Message // for the outcome; none when nothing needs saying
}

func (d *duplicate) Error() string {
	return fmt.Sprintf("same content as item %s: already in the archive", d.item)
}

// accessAttempts bounds how often a tightening is tried again when the item
// changed between reading and saving it (an archivist editing it meanwhile).
const accessAttempts = 3

// keepAccess applies the access a duplicate unit describes to the item that
// already holds its content, so that ingesting again never leaves content
// more open than its description asks: a stricter level or a later embargo
// is saved as a new version of the item, with an "access change" event; a
// looser one changes nothing and is reported. A unit that states no access
// (an upload, a sheet without the columns) or only an embargo that has
// ended changes nothing. It returns the
// item as it now stands and notes for the outcome.
func (p *Pipeline) keepAccess(ctx context.Context, u Unit, it *repository.Item) (*repository.Item, []Message, error) {
	asked := u.Meta.Access
	if problems := asked.Check(); len(problems) > 0 {
		return it, nil, refuse("duplicate_bad_access", it.ID, strings.Join(problems, "; "))
	}
	// An embargo whose day has come restricts nothing; asking for it again
	// would undo ReleaseEmbargoes at every re-run of the same sheet.
	if asked.EmbargoEnded(p.cfg.Store.Now()) {
		asked.Embargo = ""
	}
	if asked == (repository.Access{}) {
		return it, nil, nil
	}
	note := func(kind string, a, b repository.Access) []Message {
		return []Message{{Kind: kind, Args: []string{it.ID}, Parts: []Message{accessMessage(a), accessMessage(b)}}}
	}
	for attempt := 1; ; attempt++ {
		want := access.Stricter(it.Access, asked)
		if want == it.Access {
			if access.Stricter(asked, it.Access) != asked {
				return it, note("duplicate_kept", it.Access, asked), nil
			}
			return it, nil, nil
		}
		if p.cfg.DryRun {
			return it, note("duplicate_would", want, it.Access), nil
		}
		next := *it
		next.Access = want
		ev := repository.Event{Type: "access change", Outcome: "success",
			Detail: fmt.Sprintf("access tightened from %s to %s, as asked by %s", describeAccess(it.Access), describeAccess(want), askedBy(u))}
		err := p.cfg.Store.SaveItem(ctx, &next, p.cfg.Agent, ev)
		if err == nil {
			return &next, note("duplicate_tightened", want, it.Access), nil
		}
		if !errors.Is(err, fault.Conflict) || attempt == accessAttempts {
			return it, nil, fmt.Errorf("same content as item %s, whose access could not be tightened to %s: %w", it.ID, describeAccess(want), err)
		}
		fresh, err := p.cfg.Store.Item(it.ID)
		if err != nil {
			return it, nil, fmt.Errorf("same content as item %s, whose access could not be tightened to %s: %w", it.ID, describeAccess(want), err)
		}
		it = fresh
	}
}

// describeAccess says an access setting in the command line's words:
// "restricted", "public, embargoed until 2030-01-01", or for a request that
// names only an embargo, "embargo until 2030-01-01".
func describeAccess(a repository.Access) string { return accessMessage(a).String() }

// accessMessage says an access setting as a message, as describeAccess does.
func accessMessage(a repository.Access) Message {
	if a.ReadingRoom {
		a.ReadingRoom = false
		return Message{Kind: "access_in_room", Parts: []Message{accessMessage(a)}}
	}
	switch {
	case a.Embargo == "":
		return Message{Kind: "access_level", Args: []string{cmpOr(a.Level, repository.Public)}}
	case a.Level == "":
		return Message{Kind: "access_embargo", Args: []string{a.Embargo}}
	}
	return Message{Kind: "access_embargoed", Args: []string{a.Level, a.Embargo}}
}

// askedBy names where a unit's description came from, for the event trail.
func askedBy(u Unit) string {
	if u.Origin != "" {
		return u.Origin
	}
	var names []string
	for _, f := range u.Files {
		names = append(names, f.Name)
	}
	return "the ingest of " + strings.Join(names, ", ")
}
