package vips

import (
	"image"
	"image/color"
)

// newNGrey is grey 40 with a fully transparent left column.
func newNGrey(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x == 0 {
				a = 0
			}
			img.SetNRGBA(x, y, color.NRGBA{40, 40, 40, a})
		}
	}
	return img
}
