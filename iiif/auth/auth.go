// Package auth describes the archive's IIIF Authorization Flow services
// (https://iiif.io/api/auth/2.0/): a probe per image, an active access
// service (the archive's sign-in page, opened by the viewer in a window), a
// token service (the postMessage pattern) and a logout service. The same
// sign-in page and token service are also described in the Auth 1.0 terms
// that viewers such as Mirador 4 speak.
package auth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/thaiarchives/archive/fault"
)

// Context2 is the Auth 2.0 JSON-LD context.
const Context2 = "http://iiif.io/api/auth/2/context.json"

// Doc is a JSON document.
type Doc = map[string]any

// Paths of the services, below the site's base URL.
const (
	LoginPath  = "/login"
	TokenPath  = "/iiif/auth/token"
	LogoutPath = "/logout"
	ProbePath  = "/iiif/auth/probe/"
)

func both(th, en string) Doc { return Doc{"th": []string{th}, "en": []string{en}} }

// Services lists the services of a protected image: the Auth 2.0 probe
// (with access, token and logout services inside) and the Auth 1.0 login
// service, for an image service or info.json at base.
func Services(base, image string) []any {
	return []any{Probe2(base, image), Login1(base)}
}

// Probe2 is the Auth 2.0 probe service of an image.
func Probe2(base, image string) Doc {
	return Doc{
		"id":   base + ProbePath + image,
		"type": "AuthProbeService2",
		// Not in Auth 2.0: viewers of the Auth 1.0 era (Mirador 4) read the
		// profile of every service beside an image and fail on one without.
		"profile": "AuthProbeService2",
		"service": []Doc{{
			"id":           base + LoginPath,
			"type":         "AuthAccessService2",
			"profile":      "active",
			"label":        both("เข้าสู่ระบบคลังสารสนเทศร่วม", "Sign in to the Shared Archive"),
			"heading":      both("ภาพนี้จำกัดการเข้าถึง", "This image is restricted"),
			"note":         both("ผู้อ่านและบรรณารักษ์ของห้องสมุดเจ้าของเอกสารเข้าสู่ระบบเพื่อดูภาพได้", "Readers and archivists of the holding library may sign in to see it."),
			"confirmLabel": both("เข้าสู่ระบบ", "Sign in"),
			"service": []Doc{
				{"id": base + TokenPath, "type": "AuthAccessTokenService2"},
				{"id": base + LogoutPath, "type": "AuthLogoutService2", "label": both("ออกจากระบบ", "Sign out")},
			},
		}},
	}
}

// Login1 is the same sign-in described as an Auth 1.0 login service.
func Login1(base string) Doc {
	return Doc{
		"@context":     "http://iiif.io/api/auth/1/context.json",
		"@id":          base + LoginPath,
		"@type":        "AuthCookieService1",
		"profile":      "http://iiif.io/api/auth/1/login",
		"label":        "Sign in to the Shared Archive / เข้าสู่ระบบคลังสารสนเทศร่วม",
		"header":       "This image is restricted / ภาพนี้จำกัดการเข้าถึง",
		"description":  "Readers and archivists of the holding library may sign in to see it.",
		"confirmLabel": "Sign in / เข้าสู่ระบบ",
		"service": []Doc{
			{"@id": base + TokenPath, "@type": "AuthTokenService1", "profile": "http://iiif.io/api/auth/1/token"},
			{"@id": base + LogoutPath, "@type": "AuthLogoutService1", "profile": "http://iiif.io/api/auth/1/logout", "label": "Sign out / ออกจากระบบ"},
		},
	}
}

// ProbeResult is the probe's answer for a decision about an image's
// content: status 200, or 401/403/404/410 with a heading and a note. The
// probe itself always answers HTTP 200 (Auth 2.0 §2.3.3).
func ProbeResult(decision error) Doc {
	doc := Doc{"@context": Context2, "type": "AuthProbeResult2", "status": 200}
	switch {
	case decision == nil:
		return doc
	case errors.Is(decision, fault.Unauthenticated):
		doc["status"] = 401
		doc["heading"] = both("ภาพนี้จำกัดการเข้าถึง", "This image is restricted")
		doc["note"] = both("เข้าสู่ระบบด้วยบัญชีของห้องสมุดเจ้าของเอกสารเพื่อดูภาพ", "Sign in with an account of the holding library to see it.")
	case errors.Is(decision, fault.Forbidden):
		doc["status"] = 403
		doc["heading"] = both("บัญชีนี้ไม่มีสิทธิ์ดูภาพนี้", "This account may not see this image")
		doc["note"] = both("ภาพนี้เปิดให้ผู้อ่านของห้องสมุดเจ้าของเอกสารเท่านั้น ติดต่อห้องสมุดเพื่อขอสิทธิ์", "Only readers of the holding library may see it; ask the library for access.")
	case errors.Is(decision, fault.Gone):
		doc["status"] = 410
		doc["heading"] = both("รายการนี้ถูกถอนออกแล้ว", "This item has been withdrawn")
		doc["note"] = both("ดูเหตุผลได้ที่หน้ารายการ", "The item's page says when and why.")
	default:
		doc["status"] = 404
		doc["heading"] = both("ไม่พบภาพนี้", "No such image")
		doc["note"] = both("ตรวจสอบที่อยู่อีกครั้ง", "Check the address.")
	}
	return doc
}

// Origin returns an origin (scheme://host[:port]) in the form browsers
// send it: lower case, without the scheme's default port. Anything else
// (a path, a query, credentials, another scheme) is an error.
func Origin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return "", fmt.Errorf("%q is not an origin such as https://viewer.example.org", s)
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host, nil
}

// Profiles of the token service's errors (Auth 2.0 §4.5).
const (
	// MissingAspect: the viewer has no session with the archive.
	MissingAspect = "missingAspect"
	// InvalidOrigin: the viewer's origin is not one the archive gives
	// tokens to.
	InvalidOrigin = "invalidOrigin"
)

// TokenMessage is what the token service posts to the viewer: an access
// token (for Auth 2.0 and 1.0 clients alike).
func TokenMessage(messageID, token string, expiresIn int) Doc {
	return Doc{"@context": Context2, "type": "AuthAccessToken2", "accessToken": token, "expiresIn": expiresIn, "messageId": messageID}
}

// TokenError is what the token service posts instead of a token: an
// AuthAccessTokenError2 of a profile, which also carries Auth 1.0's error
// and description.
func TokenError(messageID, profile string) Doc {
	doc := Doc{"@context": Context2, "type": "AuthAccessTokenError2", "profile": profile, "messageId": messageID}
	switch profile {
	case InvalidOrigin:
		doc["error"], doc["description"] = "invalidOrigin", "This site may not show restricted images / เว็บไซต์นี้แสดงภาพที่จำกัดการเข้าถึงไม่ได้"
		doc["heading"] = both("เว็บไซต์นี้แสดงภาพที่จำกัดการเข้าถึงไม่ได้", "This site may not show restricted images")
		doc["note"] = both("เปิดรายการนี้ที่หน้าเว็บของคลังสารสนเทศร่วม", "Open the item on the Shared Archive's own pages.")
	default:
		doc["error"], doc["description"] = "missingCredentials", "Not signed in / ยังไม่ได้เข้าสู่ระบบ"
		doc["heading"] = both("ยังไม่ได้เข้าสู่ระบบ", "Not signed in")
		doc["note"] = both("เข้าสู่ระบบแล้วลองอีกครั้ง", "Sign in, then try again.")
	}
	return doc
}
