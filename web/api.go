package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

func (s *Server) institutions(c *gin.Context) {
	ins, err := s.cfg.Store.Institutions()
	if err != nil {
		s.failErr(c, err)
		return
	}
	c.JSON(http.StatusOK, ins)
}

// visibleItem loads an item and applies the access rule: restricted,
// embargoed and withdrawn items exist only for holders of the token.
func (s *Server) visibleItem(c *gin.Context, id string) (*repository.Item, bool) {
	if !repository.ValidID(id) {
		fail(c, http.StatusNotFound, fmt.Sprintf("no item %q", id))
		return nil, false
	}
	it, err := s.cfg.Store.Item(id)
	if err != nil {
		s.failErr(c, err)
		return nil, false
	}
	if it.Deleted {
		fail(c, http.StatusGone, fmt.Sprintf("item %s has been withdrawn", id))
		return nil, false
	}
	if !it.Access.Open(time.Now()) && !s.authorised(c) {
		c.Header("WWW-Authenticate", `Bearer realm="archive"`)
		fail(c, http.StatusUnauthorized, fmt.Sprintf("item %s is restricted", id))
		return nil, false
	}
	return it, true
}

func (s *Server) item(c *gin.Context) {
	it, ok := s.visibleItem(c, c.Param("id"))
	if !ok {
		return
	}
	etag := fmt.Sprintf(`"%s-v%d"`, it.ID, it.Version)
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.JSON(http.StatusOK, it)
}

// itemFile finds file n of a visible item.
func (s *Server) itemFile(c *gin.Context) (*repository.Item, *repository.File, bool) {
	it, ok := s.visibleItem(c, c.Param("id"))
	if !ok {
		return nil, nil, false
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > len(it.Files) {
		fail(c, http.StatusNotFound, fmt.Sprintf("item %s has no file %q (it has %d)", it.ID, c.Param("n"), len(it.Files)))
		return nil, nil, false
	}
	return it, &it.Files[n-1], true
}

// derivative serves a file's thumbnail or video poster.
func (s *Server) derivative(c *gin.Context) {
	it, f, ok := s.itemFile(c)
	if !ok {
		return
	}
	key := f.Derivatives[c.Param("derivative")]
	if key == "" || c.Param("derivative") == "access" {
		fail(c, http.StatusNotFound, fmt.Sprintf("file %s of item %s has no %q", c.Param("n"), it.ID, c.Param("derivative")))
		return
	}
	s.serveBlob(c, key, "image/jpeg", `"`+f.SHA256+"-"+c.Param("derivative")+`"`, "")
}

// file serves a master file with byte ranges (video seeking, resumed downloads).
func (s *Server) file(c *gin.Context) {
	_, f, ok := s.itemFile(c)
	if !ok {
		return
	}
	s.serveBlob(c, storage.DigestKey(f.SHA256), f.MediaType, `"`+f.SHA256+`"`, f.Name)
}

// serveBlob answers with a stored blob, ranges and conditional requests included.
func (s *Server) serveBlob(c *gin.Context, key, ctype, etag, name string) {
	st, err := s.cfg.Blobs.Stat(c.Request.Context(), key)
	if err != nil {
		s.failErr(c, err)
		return
	}
	rs := storage.NewReadSeeker(c.Request.Context(), s.cfg.Blobs, key, st.Size)
	defer rs.Close()
	c.Header("Content-Type", ctype)
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, max-age=86400")
	c.Header("Access-Control-Allow-Origin", "*")
	if name != "" {
		c.Header("Content-Disposition", fmt.Sprintf("inline; filename=%q", name))
	}
	http.ServeContent(c.Writer, c.Request, "", st.Modified, rs)
}

// backup streams a consistent copy of the metadata store.
func (s *Server) backup(c *gin.Context) {
	c.Header("Content-Type", "application/octet-stream")
	c.Header("Content-Disposition", `attachment; filename="archive.db"`)
	c.Header("Cache-Control", "no-store")
	if _, err := s.cfg.Store.Backup(c.Writer); err != nil {
		s.cfg.Log.Error("backup failed", "err", err)
		c.Abort()
	}
}
