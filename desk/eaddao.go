package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/ead"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/repository"
)

// placeDaos decides what each <dao> of an imported finding aid is, and
// says so in a note per dao: an item the archive holds (named by its
// identifier attribute or its address in this archive, or a file beside
// the finding aid whose SHA-256 is an item's) is attached to its unit
// when p may edit it in the finding aid's library; another file beside
// the finding aid is returned to ingest as a new item; a web address is
// kept as a link; anything else is kept as written. root is the folder
// the files are looked for in (nil: it cannot be read).
func (u *Units) placeDaos(ctx context.Context, p access.Principal, atts []ead.Attachment, root *os.Root, in EADImport, who string) ([]ead.Object, []ead.Note, error) {
	var objects []ead.Object
	var notes []ead.Note
	say := func(a ead.Attachment, kind string, args ...string) {
		notes = append(notes, ead.Note{Unit: a.Unit, Kind: kind, Args: append([]string{a.Href}, args...)})
	}
	for _, a := range atts {
		rel, local := ead.Dao{Href: a.Href}.Path()
		present := local && root != nil && regular(root, rel)
		if !present {
			// An identifier that names no item may be another system's
			// (ArchivesSpace's digital objects have their own): the link
			// then decides.
			named, byAddress := ead.ItemAddress(a.Href, in.Base)
			var kind, id string
			for _, try := range []string{a.ID, named} {
				if try == "" {
					continue
				}
				k, err := u.attach(ctx, p, try, a, in.Institution, who)
				if err != nil {
					return nil, nil, err
				}
				if kind, id = k, try; k != "dao_no_item" {
					break
				}
			}
			if kind != "" && (kind != "dao_no_item" || byAddress) {
				say(a, kind, id)
				continue
			}
		}
		if present {
			it, err := u.sameFile(root, rel, in.Institution)
			if err != nil {
				return nil, nil, err
			}
			if it != "" {
				kind, err := u.attach(ctx, p, it, a, in.Institution, who)
				if err != nil {
					return nil, nil, err
				}
				if kind == "dao_attached" {
					say(a, "dao_same_file", it)
					continue
				}
			}
			objects = append(objects, ead.Object{
				Path: filepath.Join(root.Name(), filepath.FromSlash(rel)), Name: rel,
				Meta:   repository.Item{Institution: in.Institution, Collection: a.Unit, Title: a.Title, Source: map[string]string{ead.SourceDao: a.Href}},
				Origin: "EAD <dao> " + rel,
			})
			say(a, "dao_ingested")
			continue
		}
		_, _, web := ead.Elsewhere(repository.Markup{Name: "dao", Attrs: []repository.Attr{{Name: "href", Value: a.Href}}})
		switch {
		case web:
			say(a, "dao_elsewhere")
		case local:
			say(a, "dao_missing")
		default:
			say(a, "dao_not_found")
		}
	}
	return objects, notes, nil
}

// attach makes item id one of the unit's items, as an edit of the item by
// p decided by access.Decide, and says what became of the dao: attached,
// refused (another library's item, or one p may not edit) or no item (one
// p may not know of is not told apart from one that does not exist).
func (u *Units) attach(ctx context.Context, p access.Principal, id string, a ead.Attachment, institution, who string) (string, error) {
	items := Items{Store: u.Store, Now: u.Now}
	it, _, err := items.Load(ctx, p, id, access.ReadMetadata)
	switch {
	case errors.Is(err, fault.NotFound), errors.Is(err, fault.Forbidden), errors.Is(err, fault.Unauthenticated):
		return "dao_no_item", nil
	case err != nil:
		return "", err
	}
	if it.Deleted {
		return "dao_no_item", nil
	}
	res, err := access.ItemResource(u.Store, it)
	if err != nil {
		return "", err
	}
	if it.Institution != institution || access.Decide(p, access.Edit, res, u.now()) != nil {
		return "dao_refused", nil
	}
	if it.Collection == a.Unit && it.Source[ead.SourceDao] == a.Href {
		return "dao_attached", nil
	}
	it.Collection = a.Unit
	if it.Source == nil {
		it.Source = map[string]string{}
	}
	it.Source[ead.SourceDao] = a.Href
	if err := u.Store.SaveItem(ctx, it, who); err != nil {
		return "", err
	}
	return "dao_attached", nil
}

// sameFile is the item of institution that holds the file at rel as its
// only file (same SHA-256); whether it may be attached is attach's.
func (u *Units) sameFile(root *os.Root, rel, institution string) (string, error) {
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		return "", nil // left for the ingest to report
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", nil
	}
	ids, err := u.Store.ItemsWithDigest(hex.EncodeToString(h.Sum(nil)))
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		it, err := u.Store.Item(id)
		if err != nil {
			return "", err
		}
		if !it.Deleted && it.Institution == institution && len(it.Files) == 1 {
			return id, nil
		}
	}
	return "", nil
}

// regular reports whether rel names a regular file inside root.
func regular(root *os.Root, rel string) bool {
	st, err := root.Stat(filepath.FromSlash(rel))
	return err == nil && st.Mode().IsRegular()
}
