package imageapi

import "image"

// Info describes an image for info.json.
type Info struct {
	ID       string // the image's base URI
	Width    int
	Height   int
	TileSize int
	Levels   []image.Point // pyramid sizes, full first
	Rights   string
	Limits   Limits
	// Services are the image's auth services, when it is not public.
	Services []any
}

// extraFeatures are the level-2-beyond features this server offers (3.0 §6.2).
var extraFeatures = []string{"canonicalLinkHeader", "mirroring", "profileLinkHeader", "regionByPct", "regionByPx",
	"regionSquare", "rotationArbitrary", "rotationBy90s", "sizeByConfinedWh", "sizeByH", "sizeByPct", "sizeByW",
	"sizeByWh", "sizeUpscaling"}

// sizes lists the pyramid levels a client may ask for whole, smallest
// first; levels over the server's limits are left out, so no listed size is
// refused.
func (in Info) sizes() []map[string]int {
	out := []map[string]int{}
	lim := in.Limits
	for i := len(in.Levels) - 1; i >= 0; i-- {
		w, h := in.Levels[i].X, in.Levels[i].Y
		if lim.MaxWidth > 0 && w > lim.MaxWidth || lim.MaxHeight > 0 && h > lim.MaxHeight || lim.MaxArea > 0 && int64(w)*int64(h) > lim.MaxArea {
			continue
		}
		out = append(out, map[string]int{"width": w, "height": h})
	}
	return out
}

// scaleFactors are the pyramid's, from the first no sharper than the
// limits allow (a reduced image has no full-resolution tiles).
func (in Info) scaleFactors() []int {
	var f []int
	for i := range in.Levels {
		if sf := 1 << i; in.Limits.MaxScale == 0 || 1/float64(sf) <= in.Limits.MaxScale*1.000001 || i == len(in.Levels)-1 {
			f = append(f, sf)
		}
	}
	return f
}

// V3 is the Image API 3.0 info.json document.
func (in Info) V3() map[string]any {
	doc := map[string]any{
		"@context":       "http://iiif.io/api/image/3/context.json",
		"id":             in.ID,
		"type":           "ImageService3",
		"protocol":       "http://iiif.io/api/image",
		"profile":        "level2",
		"width":          in.Width,
		"height":         in.Height,
		"sizes":          in.sizes(),
		"tiles":          []map[string]any{{"width": in.TileSize, "height": in.TileSize, "scaleFactors": in.scaleFactors()}},
		"extraFormats":   []string{"tif"},
		"extraQualities": []string{"color", "gray", "bitonal"},
		"extraFeatures":  extraFeatures,
	}
	in.limits(doc)
	if in.Rights != "" {
		doc["rights"] = in.Rights
	}
	if len(in.Services) > 0 {
		// Auth 2.0 §2.5: its context comes before the Image API's.
		doc["@context"] = []string{"http://iiif.io/api/auth/2/context.json", "http://iiif.io/api/image/3/context.json"}
		doc["service"] = in.Services
	}
	return doc
}

func (in Info) limits(doc map[string]any) {
	if in.Limits.MaxWidth > 0 {
		doc["maxWidth"] = in.Limits.MaxWidth
	}
	if in.Limits.MaxHeight > 0 {
		doc["maxHeight"] = in.Limits.MaxHeight
	}
	if in.Limits.MaxArea > 0 {
		doc["maxArea"] = in.Limits.MaxArea
	}
}

// V2 is the Image API 2.1 info.json document.
func (in Info) V2() map[string]any {
	profile := map[string]any{
		"formats":   []string{"jpg", "png", "tif"},
		"qualities": []string{"default", "color", "gray", "bitonal"},
		"supports": []string{"canonicalLinkHeader", "mirroring", "profileLinkHeader", "regionByPct", "regionByPx",
			"regionSquare", "rotationArbitrary", "rotationBy90s", "sizeAboveFull", "sizeByConfinedWh", "sizeByDistortedWh",
			"sizeByH", "sizeByPct", "sizeByW", "sizeByWh"},
	}
	in.limits(profile)
	doc := map[string]any{
		"@context": "http://iiif.io/api/image/2/context.json",
		"@id":      in.ID,
		"protocol": "http://iiif.io/api/image",
		"profile":  []any{"http://iiif.io/api/image/2/level2.json", profile},
		"width":    in.Width,
		"height":   in.Height,
		"sizes":    in.sizes(),
		"tiles":    []map[string]any{{"width": in.TileSize, "height": in.TileSize, "scaleFactors": in.scaleFactors()}},
	}
	if in.Rights != "" {
		doc["license"] = in.Rights
	}
	if len(in.Services) > 0 {
		doc["service"] = in.Services
	}
	return doc
}
