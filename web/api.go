package web

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/desk"
	"github.com/thaiarchives/archive/ingest"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

func (s *Server) institutions(c *gin.Context) {
	ins, err := s.cfg.Store.Institutions()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, publicDoc)
	c.JSON(http.StatusOK, ins)
}

// loadItem reads an item and asks whether who(c) may do a to it.
func (s *Server) loadItem(c *gin.Context, id string, a access.Action) (*repository.Item, access.Resource, error) {
	return s.cfg.Items.Load(c.Request.Context(), who(c), id, a)
}

// item is the item's record as JSON (an export of its description).
func (s *Server) item(c *gin.Context) {
	it, res, err := s.loadItem(c, c.Param("id"), access.ReadMetadata)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cacheResource(c, res, publicFiles)
	etag := fmt.Sprintf(`"%s-v%d"`, it.ID, it.Version)
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.JSON(http.StatusOK, s.itemJSON(c, it, res))
}

// publicItem is an item as the JSON API shows it. Its files' stored copies
// are named by the URLs that serve them, each of which asks access, never
// by their storage keys: a key names a place in the server's storage, which
// a crafted file could ask a tool at ingest to read.
type publicItem struct {
	*repository.Item
	Files []publicFile `json:"files,omitempty"`
	// Notes say how a change was read (a bare 2500 as the Buddhist Era),
	// in the language asked for; only in the answer to a change.
	Notes []string `json:"notes,omitempty"`
}

// publicFile is a file of a publicItem: its derivatives by role as URLs,
// and its master's digest only for whom may read the master.
type publicFile struct {
	repository.File
	SHA256      string            `json:"sha256,omitempty"`
	URL         string            `json:"url"`
	Derivatives map[string]string `json:"derivatives,omitempty"`
	Digests     map[string]string `json:"digests,omitempty"`
}

// itemJSON builds the item's publicItem for who(c).
func (s *Server) itemJSON(c *gin.Context, it *repository.Item, res access.Resource) publicItem {
	base := s.site(c).Base
	content := access.Decide(who(c), access.ReadContent, res, time.Now()) == nil
	out := publicItem{Item: it}
	for i, f := range it.Files {
		files := fmt.Sprintf("%s/api/v1/items/%s/files/%d", base, it.ID, i+1)
		pf := publicFile{File: f, URL: files}
		if content {
			pf.SHA256, pf.Digests = f.SHA256, f.Digests
		}
		roles := slices.Collect(maps.Keys(f.Derivatives))
		if f.Web != nil {
			roles = append(roles, "web") // the master itself, when browsers play it
		}
		for _, role := range roles {
			u := derivativeURL(base, files, it.ID, i+1, role)
			if u == "" {
				continue
			}
			if pf.Derivatives == nil {
				pf.Derivatives = map[string]string{}
			}
			pf.Derivatives[role] = u
		}
		out.Files = append(out.Files, pf)
	}
	return out
}

// derivativeURL is where a file's derivative of a role is served, or ""
// for a role that is served nowhere on its own.
func derivativeURL(base, file, item string, n int, role string) string {
	switch role {
	case "thumb", "poster", "web", "alto":
		return file + "/" + role
	case "access":
		return fmt.Sprintf("%s/iiif/3/%s-%d", base, item, n)
	case "text":
		return fmt.Sprintf("%s/iiif/text/%s/%d", base, item, n)
	}
	return ""
}

// itemFile finds file n of an item who(c) may do a to.
func (s *Server) itemFile(c *gin.Context, a access.Action) (*repository.Item, *repository.File, access.Resource, bool) {
	it, res, err := s.loadItem(c, c.Param("id"), a)
	if err != nil {
		s.fail(c, err)
		return nil, nil, res, false
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(it.Files) {
		s.fail(c, notFound(fmt.Sprintf("item %s has no file %q (it has %d)", it.ID, c.Param("n"), len(it.Files))))
		return nil, nil, res, false
	}
	return it, &it.Files[n-1], res, true
}

// derivative serves a file's thumbnail or video poster: small images, so
// the reduced right is enough.
func (s *Server) derivative(c *gin.Context) {
	it, f, res, ok := s.itemFile(c, access.ReadReduced)
	if !ok {
		return
	}
	// A thumbnail is ThumbSize pixels long: more than a reduced image when
	// the reduced edge is set below it.
	if s.cfg.ReducedEdge > 0 && s.cfg.ReducedEdge < ingest.ThumbSize {
		if _, _, err := s.loadItem(c, it.ID, access.ReadContent); err != nil {
			s.fail(c, err)
			return
		}
	}
	key := f.Derivatives[c.Param("derivative")]
	switch c.Param("derivative") {
	case "access", "web", "text", "alto": // content: served whole elsewhere, to whoever may read it
		key = ""
	}
	if key == "" {
		s.fail(c, notFound(fmt.Sprintf("file %s of item %s has no %q", c.Param("n"), it.ID, c.Param("derivative"))))
		return
	}
	s.serveBlob(c, res, key, "image/jpeg", `"`+f.SHA256+"-"+c.Param("derivative")+`"`, "")
}

// file serves a master file with byte ranges (video seeking, resumed downloads).
func (s *Server) file(c *gin.Context) {
	_, f, res, ok := s.itemFile(c, access.ReadContent)
	if !ok {
		return
	}
	defer s.noteGrantView(c, res.ID)
	s.serveBlob(c, res, storage.DigestKey(f.SHA256), f.MediaType, `"`+f.SHA256+`"`, f.Name)
}

// inline reports whether a browser may show a file of this type on the
// archive's own origin; anything else (HTML, SVG, scripts…) is a download.
func inline(ctype string) bool {
	base := strings.TrimSpace(strings.Split(ctype, ";")[0])
	switch {
	case base == "image/svg+xml":
		return false
	case strings.HasPrefix(base, "image/"), strings.HasPrefix(base, "audio/"), strings.HasPrefix(base, "video/"), base == "application/pdf":
		return true
	}
	return false
}

// serveBlob answers with a stored blob, ranges and conditional requests
// included, sandboxed so an uploaded page cannot run as the archive.
func (s *Server) serveBlob(c *gin.Context, res access.Resource, key, ctype, etag, name string) {
	st, err := s.cfg.Blobs.Stat(c.Request.Context(), key)
	if err != nil {
		s.fail(c, err)
		return
	}
	rs := storage.NewReadSeeker(c.Request.Context(), s.cfg.Blobs, key, st.Size)
	defer rs.Close()
	// A master may take longer to send than the server's write timeout:
	// give it time for a slow link (1 MB/s), at least the usual.
	http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(5*time.Minute + time.Duration(st.Size/(1<<20))*time.Second))
	s.cacheResource(c, res, publicFiles)
	c.Header("Content-Type", ctype)
	c.Header("ETag", etag)
	c.Header("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'")
	c.Header("Access-Control-Allow-Origin", "*")
	disposition := "inline"
	if !inline(ctype) {
		disposition = "attachment"
	}
	if name != "" || disposition == "attachment" {
		c.Header("Content-Disposition", fmt.Sprintf("%s; filename=%q", disposition, strings.ReplaceAll(name, `"`, "")))
	}
	http.ServeContent(c.Writer, c.Request, "", st.Modified, rs)
}

// itemUpdate is what the API changes in an item: its description and access.
type itemUpdate struct {
	Version  int                `json:"version"`
	Title    repository.Text    `json:"title"`
	Summary  repository.Text    `json:"summary"`
	Creator  repository.Text    `json:"creator"`
	Date     *string            `json:"date"`
	Rights   *string            `json:"rights"`
	Access   *repository.Access `json:"access"`
	Subjects []repository.Text  `json:"subjects"`
}

// updateItem changes an item's description or access through the API
// (PUT or PATCH JSON, with the version it was read at); the fields left
// out stay as they are.
func (s *Server) updateItem(c *gin.Context) {
	var u itemUpdate
	if err := c.ShouldBindJSON(&u); err != nil {
		// An item one may not change is refused as such, whatever was sent.
		if _, _, aerr := s.loadItem(c, c.Param("id"), access.Edit); aerr != nil {
			s.fail(c, aerr)
			return
		}
		s.fail(c, invalid("expected JSON {version, title, summary, creator, date, rights, access, subjects}: "+err.Error()))
		return
	}
	e := desk.Edit{Version: u.Version, Title: u.Title, Summary: u.Summary, Creator: u.Creator, Date: u.Date, Rights: u.Rights,
		Access: u.Access, Subjects: u.Subjects, Via: "API"}
	it, note, err := s.cfg.Items.Save(c.Request.Context(), who(c), c.Param("id"), e)
	if err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	res, err := access.ItemResource(s.cfg.Store, it)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	out := s.itemJSON(c, it, res)
	if note != nil {
		out.Notes = []string{say(s.lang(c), *note)}
	}
	c.JSON(http.StatusOK, out)
}

// withdrawItem withdraws an item as archives do: a tombstone that says
// when and why; the master stays until a system administrator purges it.
func (s *Server) withdrawItem(c *gin.Context) {
	id := c.Param("id")
	if err := s.cfg.Items.Withdraw(c.Request.Context(), who(c), id, c.PostForm("reason")); err != nil {
		s.fail(c, s.deskError(c, err))
		return
	}
	if strings.HasPrefix(c.Request.URL.Path, "/desk/") {
		c.Redirect(http.StatusSeeOther, "/items/"+id)
		return
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"item": id, "withdrawn": true})
}

// purgeItem removes a withdrawn item's master files: system administrators
// only, recorded as an event.
func (s *Server) purgeItem(c *gin.Context) {
	n, err := s.cfg.Items.Purge(c.Request.Context(), who(c), c.Param("id"), c.PostForm("confirm"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cache(c, privateOnly)
	c.JSON(http.StatusOK, gin.H{"item": c.Param("id"), "purged": n})
}

// backup sends a consistent copy of the metadata store: system
// administrators only. The copy is made to a file first, so a slow client
// holds no transaction of the store.
func (s *Server) backup(c *gin.Context) {
	if err := access.Decide(who(c), access.Administer, access.LibraryResource(""), time.Now()); err != nil {
		s.fail(c, err)
		return
	}
	snap, err := s.cfg.Store.Snapshot()
	if err != nil {
		s.fail(c, err)
		return
	}
	defer snap.Close()
	c.Header("Content-Type", "application/octet-stream")
	c.Header("Content-Disposition", `attachment; filename="archive.db"`)
	c.Header("Content-Length", strconv.FormatInt(snap.Size, 10))
	s.cache(c, noStore)
	if _, err := io.Copy(c.Writer, snap); err != nil {
		s.cfg.Log.Error("backup failed", "err", err)
		c.Abort()
	}
}
