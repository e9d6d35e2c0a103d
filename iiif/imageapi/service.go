package imageapi

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
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/thaiarchives/archive/access"
	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/pyramid"
	"github.com/thaiarchives/archive/repository"
	"github.com/thaiarchives/archive/storage"
	"github.com/thaiarchives/archive/vips"
)

// Items is what the image service needs of the metadata store.
type Items interface {
	access.Lookup
	Item(id string) (*repository.Item, error)
	// Generation changes whenever a record changes.
	Generation() uint64
}

// Config is what the image service is built from.
type Config struct {
	Items Items
	Blobs storage.Fetcher
	// Limits are the public limits of any rendered image (maxArea).
	Limits Limits
	// ReducedEdge is the longest edge of a reduced image for those who may
	// not see it whole (default 1000).
	ReducedEdge int
	// Workers render at once (default 2); Queue more may wait (default 2×
	// Workers); PerClient bounds one client's renders in flight (default 2).
	Workers, Queue, PerClient int
	// CacheBytes is the memory the service's caches share (default 112 MiB),
	// in twelfths: decoded tiles five, whole answers three, stored tiles'
	// bytes two, rendered images and tile indexes one each. Renders in flight take
	// at most half as much again for their working memory.
	CacheBytes int64
	// PublicMaxAge is how long shared caches may keep a public image
	// (default a day); it bounds how long a copy outlives a change of access.
	PublicMaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service answers Image API requests: info.json and images, for a principal.
type Service struct {
	cfg     Config
	indexes *Cache[*pyramid.Pyramid] // tile index of each access copy
	tiles   *Cache[image.Image]      // decoded tiles, for regions
	stored  *Cache[[]byte]           // tiles' bytes as stored, so renders read storage once
	renders *Cache[[]byte]           // rendered non-tile responses, by canonical request
	hot     *Cache[*Response]        // whole responses, by request
	pool    *pool
	flight  singleflight.Group // identical renders in flight are made once
	made    atomic.Uint64      // renders made
	public  string             // Cache-Control of a public answer, made once: every tile sends it
	mu      sync.Mutex
	refs    map[string]imageRef // image id → what the store says, at a generation
}

// Response is an answer ready to send: the body and its headers.
type Response struct {
	ContentType, ETag, Link, CacheControl string
	// Private: built for those allowed a non-public image; never to be
	// kept by a shared cache (Vary on the credentials).
	Private bool
	Data    []byte
	// Head is the answer's header as the HTTP layer writes it, made there
	// once and kept with the answer (nil until then).
	Head atomic.Pointer[[]byte]
}

// Call is one request to the service.
type Call struct {
	Version int    // 2 or 3
	ID      string // image identifier, {item}-{n}
	Base    string // the image's base URI, as the client reaches it
	Site    string // the archive's base URL, for the auth services
	// Raw is the request as the client wrote it ({region}/{size}/…): the
	// key under which whole answers are kept for Hot.
	Raw    string
	Client string // who asks (an address), for fairness between clients
}

// imageRef is what serving an image needs from its item.
type imageRef struct {
	gen    uint64
	key    string // access copy
	sha    string
	rights string
	res    access.Resource
	err    error
}

// NewService builds the image service, with caches sized so a busy server
// stays within a few hundred MB.
func NewService(cfg Config) *Service {
	if cfg.Limits.MaxArea == 0 {
		cfg.Limits.MaxArea = DefaultMaxArea
	}
	if cfg.ReducedEdge <= 0 {
		cfg.ReducedEdge = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 2 * cfg.Workers
	}
	if cfg.PerClient <= 0 {
		cfg.PerClient = 2
	}
	if cfg.PublicMaxAge <= 0 {
		cfg.PublicMaxAge = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	twelfth := cfg.CacheBytes / 12
	return &Service{
		cfg:     cfg,
		indexes: NewCache[*pyramid.Pyramid](twelfth),
		tiles:   NewCache[image.Image](5 * twelfth),
		stored:  NewCache[[]byte](2 * twelfth),
		renders: NewCache[[]byte](twelfth),
		hot:     NewCache[*Response](3 * twelfth),
		pool:    newPool(cfg.Workers, cfg.Queue, cfg.PerClient, cfg.CacheBytes/2),
		public:  "public, max-age=" + strconv.Itoa(int(cfg.PublicMaxAge.Seconds())),
		refs:    map[string]imageRef{},
	}
}

// DefaultCacheBytes is the caches' memory by default.
const DefaultCacheBytes = 112 << 20

// CacheStats reads every cache's counters, by name.
func (s *Service) CacheStats() map[string]CacheStats {
	return map[string]CacheStats{"indexes": s.indexes.Stats(), "tiles": s.tiles.Stats(), "stored": s.stored.Stats(), "renders": s.renders.Stats(), "responses": s.hot.Stats()}
}

// Renders is how many images the service has rendered (not answered from
// a cache or a stored tile).
func (s *Service) Renders() uint64 { return s.made.Load() }

// DefaultMaxArea is the most pixels of one rendered image by default: a
// 2-core server renders it in well under a second.
const DefaultMaxArea = 12_000_000

// maxUncompressed bounds PNG and TIFF answers, which are many times larger
// than JPEG for the same pixels.
const maxUncompressed = 4_000_000

// ValidID reports whether id can name an image: letters, digits, hyphens.
func ValidID(id string) bool {
	for i := 0; i < len(id); i++ {
		if !(id[i] >= 'a' && id[i] <= 'z' || id[i] >= '0' && id[i] <= '9' || id[i] == '-') {
			return false
		}
	}
	return id != "" && len(id) < 80
}

// ref finds the access copy behind an image identifier ({item}-{n}),
// remembering the answer until the store changes.
func (s *Service) ref(id string) imageRef {
	gen := s.cfg.Items.Generation()
	s.mu.Lock()
	r, ok := s.refs[id]
	s.mu.Unlock()
	if ok && r.gen == gen {
		return r
	}
	r = s.lookup(id)
	r.gen = gen
	if r.err != nil && !errors.Is(r.err, fault.NotFound) {
		return r // not remembered: the store may answer next time
	}
	s.mu.Lock()
	if len(s.refs) > 100_000 {
		clear(s.refs)
	}
	s.refs[id] = r
	s.mu.Unlock()
	return r
}

func (s *Service) lookup(id string) imageRef {
	missing := imageRef{err: fmt.Errorf("no image %q: %w", id, fault.NotFound)}
	cut := strings.LastIndexByte(id, '-')
	if !ValidID(id) || cut <= 0 {
		return missing
	}
	n, err := strconv.Atoi(id[cut+1:])
	it, ierr := s.cfg.Items.Item(id[:cut])
	if ierr != nil && !errors.Is(ierr, fault.NotFound) {
		return imageRef{err: ierr} // the store did not answer: never "no image"
	}
	if err != nil || ierr != nil || n < 1 || n > len(it.Files) {
		return missing
	}
	res, err := access.ItemResource(s.cfg.Items, it)
	if err != nil {
		return imageRef{err: err}
	}
	f := it.Files[n-1]
	if f.Derivatives["access"] == "" && !it.Deleted {
		return missing
	}
	return imageRef{key: f.Derivatives["access"], sha: f.SHA256, rights: it.Rights, res: res}
}

// allow decides what p may see of the image: everything (full), a reduced
// image, or nothing (the error).
func (s *Service) allow(p access.Principal, ref imageRef) (full bool, err error) {
	now := s.cfg.Now()
	if err := access.Decide(p, access.ReadContent, ref.res, now); err == nil {
		return true, nil
	} else if derr := access.Decide(p, access.ReadReduced, ref.res, now); derr != nil {
		return false, derr
	} else {
		return false, nil
	}
}

// limits are the public limits, narrowed for a reduced image.
func (s *Service) limits(full bool, w, h int) Limits {
	lim := s.cfg.Limits
	if full {
		return lim
	}
	e := s.cfg.ReducedEdge
	lim.MaxWidth, lim.MaxHeight = e, e
	lim.MaxScale = math.Min(1, float64(e)/float64(max(w, h)))
	return lim
}

func (s *Service) cacheControl(ref imageRef) (string, bool) {
	// The same image for everyone: who asks does not change the answer.
	if access.CachePolicy(ref.res, access.Principal{}, s.cfg.Now()) == access.Public {
		return s.public, false
	}
	return "private, max-age=600", true
}

// Info answers info.json in version call.Version: the limits advertised are
// those that hold for p. An image that is not public lists its auth
// services; when p may not see it at all, the document comes back with the
// refusal, so that a viewer can offer to sign in (Auth 1.0 clients read the
// services from a 401 answer).
func (s *Service) Info(ctx context.Context, p access.Principal, call Call) (*Response, error) {
	ref := s.ref(call.ID)
	if ref.err != nil {
		return nil, ref.err
	}
	full, denied := s.allow(p, ref)
	if denied != nil && !errors.Is(denied, fault.Unauthenticated) && !errors.Is(denied, fault.Forbidden) {
		return nil, denied
	}
	pyr, err := s.index(ctx, ref.key)
	if err != nil {
		return nil, err
	}
	src := tileSource{s: s, key: ref.key, p: pyr}
	levels := src.Levels()
	in := Info{ID: call.Base, Width: levels[0].X, Height: levels[0].Y, TileSize: src.TileSize(), Levels: levels,
		Rights: ref.rights, Limits: s.limits(full, levels[0].X, levels[0].Y)}
	cc, private := s.cacheControl(ref)
	switch {
	case ref.res.Access.ReadingRoom:
		in.Services = auth.RoomServices(call.Site, call.ID)
	case private:
		in.Services = auth.Services(call.Site, call.ID)
	}
	doc := in.V3()
	if call.Version == 2 {
		doc = in.V2()
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return &Response{ContentType: "application/json", CacheControl: cc, Private: private, Data: body,
		ETag: etagOf(ref.key, call.Base, ref.rights, strconv.Itoa(call.Version), strconv.FormatBool(full), strconv.FormatBool(private)),
		Link: fmt.Sprintf(`<http://iiif.io/api/image/%d/level2.json>;rel="profile"`, call.Version)}, denied
}

// Probe answers the Auth 2.0 probe of an image for p: whether its content
// (at least the reduced image) may be shown.
func (s *Service) Probe(p access.Principal, id string) (map[string]any, error) {
	ref := s.ref(id)
	if ref.err != nil && !errors.Is(ref.err, fault.NotFound) {
		return nil, ref.err // the store did not answer: no answer about the image
	}
	if ref.err != nil {
		return auth.ProbeResult(ref.err), nil
	}
	_, denied := s.allow(p, ref)
	if fault.KindOf(denied) == fault.ReadingRoom {
		return s.roomResult(denied)
	}
	return auth.ProbeResult(denied), nil
}

// roomResult is the probe's answer outside the reading rooms of the
// library a refusal names: where the image can be read.
func (s *Service) roomResult(denied error) (map[string]any, error) {
	lib := fault.RecordOf(denied)
	in, err := s.cfg.Items.Institution(lib)
	if err != nil && !errors.Is(err, fault.NotFound) {
		return nil, err
	}
	th, en := lib, lib
	if err == nil && !in.Name.Empty() {
		th, en = in.Name.Get("th"), in.Name.Get("en")
	}
	return auth.RoomResult(th, en), nil
}

// hotKey is where a whole answer is kept. Access copies never change
// under their key: an answer made once is the answer, for this address and
// this kind of viewer (allowed the full image or a reduced one).
func hotKey(ref imageRef, call Call, full, private bool, req string) string {
	kind := "|reduced|"
	if full {
		kind = "|full|"
	}
	if private {
		kind += "private|" // the access changed: so did the caching
	}
	return ref.key + "|" + call.Base + kind + req
}

// Hot answers from the whole answers already made, by call.Raw, when p may
// see them (nil when there is none): the path of almost every tile, with
// no parsing and no storage access.
func (s *Service) Hot(p access.Principal, call Call) (*Response, error) {
	ref := s.ref(call.ID)
	if ref.err != nil {
		return nil, ref.err
	}
	full, err := s.allow(p, ref)
	if err != nil {
		return nil, err
	}
	_, private := s.cacheControl(ref)
	r, _ := s.hot.Get(hotKey(ref, call, full, private, call.Raw))
	return r, nil
}

// Image answers an image request: a stored tile as it is, or a rendering.
func (s *Service) Image(ctx context.Context, p access.Principal, call Call, req Request) (*Response, error) {
	ref := s.ref(call.ID)
	if ref.err != nil {
		return nil, ref.err
	}
	full, err := s.allow(p, ref)
	if err != nil {
		return nil, err
	}
	key := call.Raw
	if key == "" {
		key = req.String()
	}
	cc, private := s.cacheControl(ref)
	hotKey := hotKey(ref, call, full, private, key)
	if r, ok := s.hot.Get(hotKey); ok {
		return r, nil
	}
	pyr, err := s.index(ctx, ref.key)
	if err != nil {
		return nil, err
	}
	src := tileSource{s: s, key: ref.key, p: pyr}
	levels := src.Levels()
	plan, err := req.Resolve(levels[0].X, levels[0].Y, s.limits(full, levels[0].X, levels[0].Y))
	if errors.Is(err, fault.TooLarge) && !full {
		// Larger than the reduced image: the answer is about access.
		return nil, fmt.Errorf("%v: %w", err, access.Decide(p, access.ReadContent, ref.res, s.cfg.Now()))
	}
	if err != nil {
		return nil, err
	}
	if plan.Format != "jpg" && int64(plan.W)*int64(plan.H) > maxUncompressed {
		return nil, fmt.Errorf("%s images are made up to %d pixels; ask for jpg, or a smaller size: %w", plan.Format, maxUncompressed, fault.TooLarge)
	}
	canonical := plan.Canonical.String()
	resp := &Response{
		ContentType:  Formats[plan.Format],
		ETag:         etagOf(ref.sha, ref.key, canonical),
		Link:         "<" + call.Base + "/" + canonical + `>;rel="canonical",<http://iiif.io/api/image/` + strconv.Itoa(call.Version) + `/level2.json>;rel="profile"`,
		CacheControl: cc,
		Private:      private,
	}
	if resp.Data, err = s.render(ctx, call, canonical, plan, src); err != nil {
		return nil, err
	}
	s.hot.Put(hotKey, resp, int64(len(resp.Data)+len(hotKey)+768)) // with its header, once written
	return resp, nil
}

// render returns the bytes for a plan: a stored tile as it is, or a
// rendering on the bounded pool (cached by canonical request).
func (s *Service) render(ctx context.Context, call Call, canonical string, plan Plan, src tileSource) ([]byte, error) {
	if l, col, row, ok := plan.TileMatch(src.TileSize(), src.Levels()); ok {
		if off, n, exact := src.p.Levels[l].Tile(col, row); exact {
			return readRange(ctx, s.cfg.Blobs, src.key, off, n)
		}
	}
	ck := src.key + "/" + canonical
	if data, ok := s.renders.Get(ck); ok {
		return data, nil
	}
	// Identical requests in flight wait for one rendering. It goes on if
	// the client that started it leaves while others wait; the pool still
	// bounds it.
	work := context.WithoutCancel(ctx)
	ch := s.flight.DoChan(ck, func() (any, error) {
		release, err := s.pool.acquire(work, call.Client, WorkingBytes(plan, src.Levels(), src.TileSize()))
		if err != nil {
			return nil, err
		}
		defer release()
		s.made.Add(1)
		img, err := Render(work, plan, src)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := Encode(&buf, img, plan.Format); err != nil {
			return nil, err
		}
		if buf.Len() <= 2<<20 {
			s.renders.Put(ck, buf.Bytes(), int64(buf.Len()))
		}
		return buf.Bytes(), nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Service) index(ctx context.Context, key string) (*pyramid.Pyramid, error) {
	if p, ok := s.indexes.Get(key); ok {
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
	s.indexes.Put(key, p, size+256)
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
	s   *Service
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

func (t tileSource) Tile(ctx context.Context, level, col, row, eighths int) (image.Image, error) {
	ck := fmt.Sprintf("%s/%d/%d/%d/%d", t.key, level, col, row, eighths)
	if img, ok := t.s.tiles.Get(ck); ok {
		return img, nil
	}
	lv := t.p.Levels[level]
	sk := fmt.Sprintf("%s/%d/%d/%d", t.key, level, col, row)
	data, ok := t.s.stored.Get(sk)
	if !ok {
		off, n, _ := lv.Tile(col, row)
		var err error
		if data, err = readRange(ctx, t.s.cfg.Blobs, t.key, off, n); err != nil {
			return nil, err
		}
		t.s.stored.Put(sk, data, int64(len(data)+len(sk)+64))
	}
	img, err := decodeTile(lv.TileJPEG(data), level, len(t.p.Levels), eighths)
	if err != nil {
		return nil, fmt.Errorf("access copy %s, tile %d/%d/%d: %v", t.key, level, col, row, err)
	}
	t.s.tiles.Put(ck, img, pixelBytes(img)+256)
	return img, nil
}

// decodeTile decodes a tile with libjpeg-turbo: to its colour planes as
// coded (half the memory of RGB, no colour conversion until the answer's
// encoder takes them as they are), except on the coarsest level. That one is
// a single small tile, where the planes save little, and where whole images
// shrink to thumbnails, whose fine colour detail resampling the planes
// blurs more than resampling RGB does.
func decodeTile(data []byte, level, levels, eighths int) (image.Image, error) {
	if level == levels-1 {
		return vips.DecodeJPEGScaled(data, eighths)
	}
	return vips.DecodeJPEGPlanar(data, eighths)
}

// pixelBytes is the memory an image's pixels take.
func pixelBytes(img image.Image) int64 {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return int64(len(m.Pix))
	case *image.RGBA:
		return int64(len(m.Pix))
	case *vips.RGB:
		return int64(len(m.Pix))
	case *image.YCbCr:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr))
	}
	return int64(b.Dx()) * int64(b.Dy()) * 4
}

func readRange(ctx context.Context, f storage.Fetcher, key string, off, n int64) ([]byte, error) {
	rc, err := f.Get(ctx, key, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the client went away; storage did not
		}
		return nil, fmt.Errorf("reading %s: %v: %w", key, err, fault.Unavailable)
	}
	return buf, nil
}

func etagOf(parts ...string) string {
	h := fnv.New128a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
}

// Forget empties the caches of rendered answers, so the next request for
// anything is rendered again (for measuring cold renders).
func (s *Service) Forget() {
	s.hot.Expire("")
	s.renders.Expire("")
}
