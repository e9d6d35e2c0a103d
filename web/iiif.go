package web

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
)

// IIIF settings and caches, sized so a busy server stays within a few
// hundred MB.
type iiif struct {
	limits  imageapi.Limits
	indexes *imageapi.Cache[*pyramid.Pyramid] // tile index of each access copy
	tiles   *imageapi.Cache[image.Image]      // decoded tiles, for regions
	renders *imageapi.Cache[[]byte]           // rendered non-tile responses, by canonical request
	hot     *imageapi.Cache[*response]        // whole responses, by request path
	docs    *imageapi.Cache[[]byte]           // manifests, by ETag (item version)
	mu      sync.Mutex
	refs    map[string]imageRef // image id → what the store says, at a generation
}

// response is an image response ready to send again.
type response struct {
	ctype, etag, link, cache string
	data                     []byte
}

func (r *response) send(c *gin.Context) {
	h := c.Writer.Header()
	h["Etag"] = []string{r.etag}
	h["Link"] = []string{r.link}
	h["Cache-Control"] = []string{r.cache}
	if match := c.Request.Header.Get("If-None-Match"); match != "" && strings.Contains(match, r.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	h["Content-Type"] = []string{r.ctype}
	h["Content-Length"] = []string{strconv.Itoa(len(r.data))}
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		c.Writer.Write(r.data)
	}
}

// imageRef is what serving an image needs from its item.
type imageRef struct {
	gen    uint64
	key    string // access copy
	sha    string
	rights string
	access repository.Access // checked at each request: an embargo ends without a write
	err    error
}

func newIIIF(cfg Config) *iiif {
	lim := imageapi.Limits{MaxArea: cfg.MaxArea}
	if lim.MaxArea == 0 {
		lim.MaxArea = 50_000_000
	}
	return &iiif{
		limits:  lim,
		indexes: imageapi.NewCache[*pyramid.Pyramid](16 << 20),
		tiles:   imageapi.NewCache[image.Image](48 << 20),
		renders: imageapi.NewCache[[]byte](32 << 20),
		hot:     imageapi.NewCache[*response](48 << 20),
		docs:    imageapi.NewCache[[]byte](16 << 20),
		refs:    map[string]imageRef{},
	}
}

func (s *Server) mountIIIF(r *gin.Engine) {
	for _, v := range []int{2, 3} {
		g := r.Group(fmt.Sprintf("/iiif/%d", v), cors)
		g.OPTIONS("/*any", func(c *gin.Context) { c.Status(http.StatusNoContent) })
		g.GET("/:id", func(c *gin.Context) { s.iiifBase(c, v) })
		g.GET("/:id/*rest", func(c *gin.Context) { s.iiifImage(c, v) })
		g.HEAD("/:id/*rest", func(c *gin.Context) { s.iiifImage(c, v) })
	}
	d := r.Group("/iiif/discovery", cors)
	d.GET("/collection", s.discovery)
	d.GET("/page/:n", s.discovery)
	r.GET("/assets/logo/:file", s.logo)
}

// cors opens everything IIIF to every origin, as viewers need.
func cors(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Link, ETag, Content-Length")
	if c.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Range, If-None-Match")
		h.Set("Access-Control-Max-Age", "86400")
	}
}

// baseURL is how clients reach this server.
func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Server) iiifBase(c *gin.Context, v int) {
	if id := c.Param("id"); id == "manifest" || id == "collection" {
		fail(c, http.StatusNotFound, "no such IIIF document: "+c.Request.URL.Path)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/iiif/%d/%s/info.json", s.baseURL(c), v, escapeID(c.Param("id"))))
}

func escapeID(id string) string { return strings.ReplaceAll(id, "/", "%2F") }

// ref finds the access copy behind an image identifier ({item}-{n}) and
// whether the public may see it, remembering the answer until the store changes.
func (s *Server) ref(id string) imageRef {
	gen := s.cfg.Store.Generation()
	s.img.mu.Lock()
	r, ok := s.img.refs[id]
	s.img.mu.Unlock()
	if ok && r.gen == gen {
		return r
	}
	r = imageRef{gen: gen, err: fmt.Errorf("no image %q: %w", id, storage.ErrNotFound)}
	cut := strings.LastIndexByte(id, '-')
	if cut > 0 {
		n, err := strconv.Atoi(id[cut+1:])
		it, ierr := s.cfg.Store.Item(id[:cut])
		if err == nil && ierr == nil && !it.Deleted && n >= 1 && n <= len(it.Files) && it.Files[n-1].Derivatives["access"] != "" {
			f := it.Files[n-1]
			r = imageRef{gen: gen, key: f.Derivatives["access"], sha: f.SHA256, rights: it.Rights, access: it.Access}
		}
	}
	s.img.mu.Lock()
	if len(s.img.refs) > 100_000 {
		clear(s.img.refs)
	}
	s.img.refs[id] = r
	s.img.mu.Unlock()
	return r
}

func (s *Server) index(ctx context.Context, key string) (*pyramid.Pyramid, error) {
	if p, ok := s.img.indexes.Get(key); ok {
		return p, nil
	}
	p, err := pyramid.Read(&headReader{ctx: ctx, f: s.cfg.Blobs, key: key})
	if err != nil {
		if errors.Is(err, pyramid.ErrFormat) {
			return nil, fmt.Errorf("access copy %s is damaged: %v", key, err)
		}
		return nil, err
	}
	size := int64(0)
	for _, l := range p.Levels {
		size += int64(len(l.Offsets)) * 32
	}
	s.img.indexes.Put(key, p, size+256)
	return p, nil
}

// headReader reads a blob's first 64 KiB once (where our access copies keep
// their index) and anything beyond with ranged reads.
type headReader struct {
	ctx  context.Context
	f    storage.Fetcher
	key  string
	head []byte
	done bool
}

func (h *headReader) ReadAt(p []byte, off int64) (int, error) {
	if !h.done {
		h.done = true
		rc, err := h.f.Get(h.ctx, h.key, 0, 64<<10)
		if err != nil {
			return 0, err
		}
		h.head, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return 0, err
		}
	}
	if off+int64(len(p)) <= int64(len(h.head)) {
		return copy(p, h.head[off:]), nil
	}
	return storage.ReaderAt{Ctx: h.ctx, F: h.f, Key: h.key}.ReadAt(p, off)
}

// tileSource renders from one access copy through the decoded-tile cache.
type tileSource struct {
	s   *Server
	key string
	p   *pyramid.Pyramid
}

func (t tileSource) Levels() []image.Point {
	out := make([]image.Point, len(t.p.Levels))
	for i, l := range t.p.Levels {
		out[i] = image.Pt(l.Width, l.Height)
	}
	return out
}

func (t tileSource) TileSize() int { return t.p.Levels[0].TileW }

func (t tileSource) Tile(ctx context.Context, level, col, row int) (image.Image, error) {
	ck := fmt.Sprintf("%s/%d/%d/%d", t.key, level, col, row)
	if img, ok := t.s.img.tiles.Get(ck); ok {
		return img, nil
	}
	lv := t.p.Levels[level]
	off, n, _ := lv.Tile(col, row)
	data, err := readRange(ctx, t.s.cfg.Blobs, t.key, off, n)
	if err != nil {
		return nil, err
	}
	img, err := lv.DecodeTile(data)
	if err != nil {
		return nil, fmt.Errorf("access copy %s, tile %d/%d/%d: %v", t.key, level, col, row, err)
	}
	b := img.Bounds()
	t.s.img.tiles.Put(ck, img, int64(b.Dx()*b.Dy()*3/2+256))
	return img, nil
}

func readRange(ctx context.Context, f storage.Fetcher, key string, off, n int64) ([]byte, error) {
	rc, err := f.Get(ctx, key, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("reading %s: %v: %w", key, err, storage.ErrUnavailable)
	}
	return buf, nil
}

// iiifImage answers info.json and image requests.
func (s *Server) iiifImage(c *gin.Context, v int) {
	id := c.Param("id")
	rest := strings.TrimPrefix(c.Param("rest"), "/")
	if id == "manifest" || id == "collection" {
		s.presentationRoute(c, v, id, rest)
		return
	}
	if !validImageID(id) {
		fail(c, http.StatusNotFound, fmt.Sprintf("no image %q", id))
		return
	}
	ref := s.ref(id)
	if ref.err != nil {
		s.failErr(c, ref.err)
		return
	}
	open := ref.access.Open(time.Now())
	if !open && !s.authorised(c) {
		c.Header("WWW-Authenticate", `Bearer realm="archive"`)
		fail(c, http.StatusUnauthorized, fmt.Sprintf("image %s is restricted", id))
		return
	}
	base := s.baseURL(c) + "/iiif/" + strconv.Itoa(v) + "/" + escapeID(id)
	// Access copies never change under their key: a response made once
	// is the response, for this address.
	hotKey := ref.key + "|" + base + "|" + rest
	if r, ok := s.img.hot.Get(hotKey); ok && rest != "info.json" {
		r.send(c)
		return
	}
	ctx := c.Request.Context()
	pyr, err := s.index(ctx, ref.key)
	if err != nil {
		s.failErr(c, err)
		return
	}
	src := tileSource{s: s, key: ref.key, p: pyr}
	levels := src.Levels()
	if rest == "info.json" {
		s.infoJSON(c, v, base, ref, src, levels, open)
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		fail(c, http.StatusBadRequest, "expected {region}/{size}/{rotation}/{quality}.{format} or info.json after the identifier")
		return
	}
	req, err := imageapi.Parse(v, parts[0], parts[1], parts[2], parts[3])
	if err != nil {
		if v == 2 && errors.Is(err, imageapi.ErrUnsupported) {
			// Image API 2.1 §7 answers an unsupported format with 415.
			fail(c, http.StatusUnsupportedMediaType, reason(err))
			return
		}
		s.failErr(c, err)
		return
	}
	plan, err := req.Resolve(levels[0].X, levels[0].Y, s.img.limits)
	if err != nil {
		s.failErr(c, err)
		return
	}
	canonical := plan.Canonical.String()
	resp := &response{
		ctype: imageapi.Formats[plan.Format],
		etag:  etagOf(ref.sha, ref.key, canonical),
		link:  "<" + base + "/" + canonical + `>;rel="canonical",<http://iiif.io/api/image/` + strconv.Itoa(v) + `/level2.json>;rel="profile"`,
		cache: "public, max-age=31536000, immutable",
	}
	if !open {
		resp.cache = "private, max-age=3600"
	}
	if resp.data, err = s.renderImage(ctx, id, canonical, plan, src, pyr); err != nil {
		s.failErr(c, err)
		return
	}
	s.img.hot.Put(hotKey, resp, int64(len(resp.data)+len(hotKey)+256))
	resp.send(c)
}

// renderImage returns the bytes for a plan: a stored tile as it is, or a
// rendering (cached by canonical request).
func (s *Server) renderImage(ctx context.Context, id, canonical string, plan imageapi.Plan, src tileSource, pyr *pyramid.Pyramid) ([]byte, error) {
	if l, col, row, ok := plan.TileMatch(src.TileSize(), src.Levels()); ok {
		if off, n, exact := pyr.Levels[l].Tile(col, row); exact {
			return readRange(ctx, s.cfg.Blobs, src.key, off, n)
		}
	}
	ck := id + "/" + canonical
	if data, ok := s.img.renders.Get(ck); ok {
		return data, nil
	}
	img, err := imageapi.Render(ctx, plan, src)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := imageapi.Encode(&buf, img, plan.Format); err != nil {
		return nil, err
	}
	if buf.Len() <= 2<<20 {
		s.img.renders.Put(ck, buf.Bytes(), int64(buf.Len()))
	}
	return buf.Bytes(), nil
}

func validImageID(id string) bool {
	for i := 0; i < len(id); i++ {
		if !(id[i] >= 'a' && id[i] <= 'z' || id[i] >= '0' && id[i] <= '9' || id[i] == '-') {
			return false
		}
	}
	return id != "" && len(id) < 80
}

func (s *Server) send(c *gin.Context, ctype string, data []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		c.Writer.Write(data)
	}
}

func etagOf(parts ...string) string {
	h := fnv.New128a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
}

func (s *Server) infoJSON(c *gin.Context, v int, base string, ref imageRef, src tileSource, levels []image.Point, open bool) {
	in := imageapi.Info{ID: base, Width: levels[0].X, Height: levels[0].Y, TileSize: src.TileSize(), Levels: levels, Rights: ref.rights, Limits: s.img.limits}
	doc := in.V3()
	if v == 2 {
		doc = in.V2()
	}
	body, _ := json.Marshal(doc)
	etag := etagOf(ref.key, base, ref.rights, strconv.Itoa(v))
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=86400")
	if !open {
		c.Header("Cache-Control", "private, max-age=3600")
	}
	c.Header("Link", fmt.Sprintf(`<http://iiif.io/api/image/%d/level2.json>;rel="profile"`, v))
	c.Header("Vary", "Accept")
	if strings.Contains(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	ctype := "application/json"
	if strings.Contains(c.GetHeader("Accept"), "application/ld+json") {
		ctype = fmt.Sprintf(`application/ld+json;profile="http://iiif.io/api/image/%d/context.json"`, v)
	}
	s.send(c, ctype, body)
}
