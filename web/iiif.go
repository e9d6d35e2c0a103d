package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/thaiarchives/archive/fault"
	"github.com/thaiarchives/archive/iiif/auth"
	"github.com/thaiarchives/archive/iiif/imageapi"
	"github.com/thaiarchives/archive/iiif/presentation"
)

// Values of the CORS headers of IIIF answers (shared: never modified).
var (
	anyOrigin   = []string{"*"}
	exposedIIIF = []string{"Link, ETag, Content-Length, WWW-Authenticate"}
)

// corsHeaders opens an answer to every origin, as viewers need.
func corsHeaders(h http.Header) {
	h["Access-Control-Allow-Origin"] = anyOrigin
	h["Access-Control-Expose-Headers"] = exposedIIIF
}

// cors opens everything IIIF to every origin, as viewers need.
func cors(c *gin.Context) {
	h := c.Writer.Header()
	corsHeaders(h)
	if c.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Range, If-None-Match")
		h.Set("Access-Control-Max-Age", "86400")
		c.AbortWithStatus(http.StatusNoContent)
	}
}

func escapeID(id string) string { return strings.ReplaceAll(id, "/", "%2F") }

func (s *Server) iiifBase(c *gin.Context, v int) {
	id := c.Param("id")
	if !imageapi.ValidID(id) || id == "manifest" || id == "collection" {
		s.fail(c, notFound("no such IIIF document: "+c.Request.URL.Path))
		return
	}
	s.cache(c, noStore)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/iiif/%d/%s/info.json", s.baseURL(c), v, escapeID(id)))
}

// iiifImage answers info.json and image requests through the image service.
func (s *Server) iiifImage(c *gin.Context, v int) {
	id := c.Param("id")
	rest := strings.TrimPrefix(c.Param("rest"), "/")
	if id == "manifest" || id == "collection" {
		s.presentationRoute(c, v, id, rest)
		return
	}
	if v == 2 && (id == "search" || id == "autocomplete") {
		s.searchWithin2(c, id, rest) // Content Search 1.0 of a 2.1 manifest
		return
	}
	if !imageapi.ValidID(id) {
		s.fail(c, notFound(fmt.Sprintf("no image %q", id)))
		return
	}
	defer s.noteGrantView(c, itemOfImage(id))
	site := s.baseURL(c)
	call := imageapi.Call{Version: v, ID: id, Base: site + "/iiif/" + strconv.Itoa(v) + "/" + escapeID(id), Site: site, Raw: rest}
	if rest == "info.json" {
		resp, err := s.images.Info(c.Request.Context(), who(c), call)
		if resp != nil && strings.Contains(c.GetHeader("Accept"), "application/ld+json") {
			resp.ContentType = fmt.Sprintf(`application/ld+json;profile="http://iiif.io/api/image/%d/context.json"`, v)
		}
		if resp != nil && err != nil {
			// Auth 1.0 viewers read the sign-in services from the refusal.
			c.Header("WWW-Authenticate", `Bearer realm="archive"`)
			resp.ETag, resp.CacheControl = "", "no-store"
			s.sendImage(c, Status(err), resp)
			return
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		varyInfo(c)
		s.sendImage(c, http.StatusOK, resp)
		return
	}
	if resp, err := s.images.Hot(who(c), call); err != nil {
		s.fail(c, err)
		return
	} else if resp != nil {
		s.sendImage(c, http.StatusOK, resp)
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		s.fail(c, invalid("expected {region}/{size}/{rotation}/{quality}.{format} or info.json after the identifier"))
		return
	}
	req, err := imageapi.Parse(v, parts[0], parts[1], parts[2], parts[3])
	if err != nil {
		if v == 2 && errors.Is(err, fault.Unsupported) {
			// Image API 2.1 §7 answers an unsupported format with 415.
			s.fail(c, &httpError{status: http.StatusUnsupportedMediaType, msg: reason(err)})
			return
		}
		s.fail(c, err)
		return
	}
	call.Client = c.ClientIP()
	resp, err := s.images.Image(c.Request.Context(), who(c), call, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendImage(c, http.StatusOK, resp)
}

// sendImage writes an image service answer with its validators.
func (s *Server) sendImage(c *gin.Context, status int, r *imageapi.Response) {
	writeImage(c.Writer, c.Request, status, r)
}

// writeImage writes an image service answer with its validators, and
// returns the status it answered with (304 when the client has it).
func writeImage(w http.ResponseWriter, req *http.Request, status int, r *imageapi.Response) int {
	imageHeader(w.Header(), r)
	if status == http.StatusOK && notModified(req, r) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	if g := gatherOf(req.Context()); g != nil && isImagePath(req.URL.Path) {
		// An image passes the compression by: its header and its body are
		// all there is to write, and they leave in one system call, the
		// body not copied (send flushes the header first).
		g.gather(r.Data)
		defer g.send() // even after a panic, what is held goes out
	}
	sendBody(w, req, status, r.ContentType, r.Data)
	return status
}

// imageHeader sets an image answer's validators and caching in h.
func imageHeader(h http.Header, r *imageapi.Response) {
	if r.ETag != "" {
		h["Etag"] = []string{r.ETag}
	}
	if r.Link != "" {
		h["Link"] = []string{r.Link}
	}
	cacheImage(h, r)
}

// notModified reports whether the client has r already (If-None-Match).
func notModified(req *http.Request, r *imageapi.Response) bool {
	return r.ETag != "" && strings.Contains(req.Header.Get("If-None-Match"), r.ETag)
}

func (s *Server) send(c *gin.Context, status int, ctype string, data []byte) {
	sendBody(c.Writer, c.Request, status, ctype, data)
}

// bodyHeader sets the type and length of an answer's body in h.
func bodyHeader(h http.Header, ctype string, n int) {
	h["Content-Type"] = []string{ctype}
	h["Content-Length"] = []string{strconv.Itoa(n)}
}

// sendBody writes an answer whole, with its type and length.
func sendBody(w http.ResponseWriter, r *http.Request, status int, ctype string, data []byte) {
	bodyHeader(w.Header(), ctype, len(data))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if g := gatherOf(r.Context()); g != nil && g.held != nil {
		// Gathered: the header is flushed into what is held first, so
		// the body reaches the connection whole, by reference (one under
		// 4 KiB, which net/http buffers, is flushed after it).
		f, _ := w.(http.Flusher)
		if f != nil {
			f.Flush()
			defer f.Flush()
		}
	}
	w.Write(data)
}

// presentationRoute serves /iiif/{2,3}/manifest/… and /iiif/3/collection/….
func (s *Server) presentationRoute(c *gin.Context, v int, kind, rest string) {
	site := s.site(c)
	var ans *presentation.Answer
	var err error
	profile := presentation.Context3
	switch {
	case kind == "manifest" && rest != "" && !strings.Contains(rest, "/"):
		// Content negotiation: a 2.1 client may ask the 3.0 address for 2.1.
		if v == 3 && strings.Contains(c.GetHeader("Accept"), presentation.Context2) {
			v = 2
		}
		if v == 2 {
			profile = presentation.Context2
		}
		ans, err = s.pres.Manifest(c.Request.Context(), who(c), site, rest, v, s.lang(c))
		if err == nil && ans.Searchable {
			s.within.Warm(who(c), rest) // a viewer may soon search inside it: read in the background
		}
	case kind == "collection" && v == 3:
		ans, err = s.pres.Collection(c.Request.Context(), who(c), site, rest)
	default:
		err = notFound("no such IIIF document: " + c.Request.URL.Path)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendDoc(c, ans, profile, publicDoc)
}

// sendDoc answers with a IIIF JSON document: ld+json with the profile when
// asked for, plain JSON otherwise, with an ETag.
func (s *Server) sendDoc(c *gin.Context, ans *presentation.Answer, profile string, public cachePolicy) {
	if ans.Private {
		s.cache(c, privateOnly)
	} else {
		s.cache(c, public)
	}
	if ans.ETag != "" {
		c.Header("ETag", ans.ETag)
		if strings.Contains(c.GetHeader("If-None-Match"), ans.ETag) {
			c.Status(http.StatusNotModified)
			return
		}
	}
	ctype := "application/json"
	if strings.Contains(c.GetHeader("Accept"), "application/ld+json") {
		ctype = `application/ld+json;profile="` + profile + `"`
	}
	s.send(c, http.StatusOK, ctype, ans.Body)
}

// discovery serves IIIF Change Discovery 1.0: the stream and its pages.
func (s *Server) discovery(c *gin.Context) {
	page := -1
	if n := c.Param("n"); n != "" {
		var err error
		if page, err = strconv.Atoi(n); err != nil || page < 0 {
			s.fail(c, notFound("no such page of activities"))
			return
		}
	}
	ans, err := s.pres.Discovery(c.Request.Context(), s.site(c), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	age := publicShort
	if ans.Final {
		age = publicHour // a full page keeps its activities; their types follow access
	}
	s.cache(c, age)
	ctype := "application/json"
	if strings.Contains(c.GetHeader("Accept"), "application/ld+json") {
		ctype = `application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"`
	}
	s.send(c, http.StatusOK, ctype, ans.Body)
}

// probe is the Auth 2.0 probe service of an image: always HTTP 200, with
// the status the image would have for this token's holder.
func (s *Server) probe(c *gin.Context) {
	doc, err := s.images.Probe(who(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if doc["status"] == 403 && who(c).SignedIn() {
		doc["note"] = s.probeNote(c, itemOfImage(c.Param("id")))
	}
	s.cache(c, privateOnly)
	c.Header("Access-Control-Allow-Origin", "*")
	c.JSON(http.StatusOK, doc)
}

// tokenPage is the access token service (the postMessage pattern of Auth
// 2.0 §2.4, also Auth 1.0's): a page in the viewer's hidden frame that
// posts an access token, or an error, to the viewer's origin. Only the
// archive's own origin and the partners' get a token, one each, so that a
// page elsewhere on the same site cannot obtain a reader's token and a
// partner's viewer does not end the archive's own.
func (s *Server) tokenPage(c *gin.Context) {
	s.cache(c, privateOnly)
	origin, err := auth.Origin(c.Query("origin"))
	msgID := c.Query("messageId")
	if msgID == "" || err != nil {
		c.String(http.StatusBadRequest, "the token service needs messageId and the viewer's origin (scheme://host)\n")
		return
	}
	var msg auth.Doc
	switch v, cerr := c.Cookie(sessionCookie); {
	case !s.knownOrigin(c, origin):
		msg = auth.TokenError(msgID, auth.InvalidOrigin)
	case (cerr != nil || !who(c).SignedIn()) && len(who(c).Rooms) > 0:
		msg = auth.TokenMessage(msgID, kioskToken(), int(sessionTTL.Seconds()))
	case cerr != nil || !who(c).SignedIn():
		msg = auth.TokenError(msgID, auth.MissingAspect)
	default:
		token, err := s.cfg.Store.AccessToken(v, origin)
		if err != nil {
			s.fail(c, err)
			return
		}
		msg = auth.TokenMessage(msgID, token, int(sessionTTL.Seconds()))
	}
	body, err := json.Marshal(msg)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The message is sent by an inline script, allowed by its hash alone;
	// the answer is 200 whatever the message (Auth 2.0 §4.3).
	target, _ := json.Marshal(origin) // HTML-safe, like body
	script := fmt.Sprintf("window.parent.postMessage(%s, %s);", body, target)
	sum := sha256Base64(script)
	c.Header("Content-Security-Policy", "default-src 'none'; script-src 'sha256-"+sum+"'; frame-ancestors *")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.String(http.StatusOK, "<!doctype html><html><head><meta charset=\"utf-8\"><title>token</title></head><body><script>%s</script></body></html>\n",
		template.JS(script))
}

// knownOrigin reports whether viewers at an origin may have access
// tokens: the archive's own public origin, or a partner's.
func (s *Server) knownOrigin(c *gin.Context, origin string) bool {
	if s.partners[origin] {
		return true
	}
	u, err := url.Parse(s.baseURL(c)) // the public address may have a path
	if err != nil {
		return false
	}
	own, err := auth.Origin(u.Scheme + "://" + u.Host)
	return err == nil && origin == own
}

// logo draws a library's emblem: a disc in its colour, for provider.logo.
func (s *Server) logo(c *gin.Context) {
	colours := map[string]color.RGBA{"cmu.png": {93, 42, 130, 255}, "tu.png": {190, 30, 45, 255}, "chula.png": {232, 112, 160, 255}}
	col, ok := colours[c.Param("file")]
	if !ok {
		s.fail(c, notFound("no such logo"))
		return
	}
	c.Header("Access-Control-Allow-Origin", "*")
	s.sendDisc(c, 120, col)
}

// favicon is the archive's own disc, in the colour of its pages' links.
func (s *Server) favicon(c *gin.Context) {
	s.sendDisc(c, 32, color.RGBA{93, 42, 130, 255})
}

func (s *Server) sendDisc(c *gin.Context, size int, col color.RGBA) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	r := size / 2
	for y := range size {
		for x := range size {
			if dx, dy := x-r, y-r; dx*dx+dy*dy <= (r-2)*(r-2) {
				img.SetNRGBA(x, y, color.NRGBA(col))
			}
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	s.cache(c, publicImmutable)
	s.send(c, http.StatusOK, "image/png", b.Bytes())
}

func sha256Base64(s string) string {
	h := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(h[:])
}
