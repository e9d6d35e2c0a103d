package vips

// PDFPages is how many pages the PDF at path has (read through poppler).
func PDFPages(path string) (int, error) {
	im, err := Open(path, OpenOptions{})
	if err != nil {
		return 0, err
	}
	defer im.Close()
	return im.Pages(), nil
}

// PDF pages are rendered between these resolutions.
const (
	minDPI = 72
	maxDPI = 600
)

// OpenPDFPage opens page (from 0) of the PDF at path rendered at the
// resolution that makes its longer side about longSide pixels (a scanned
// A4 page at 4000 pixels is rendered near 340 dpi), kept between 72 and
// 600 dpi. It returns the image and the resolution chosen.
func OpenPDFPage(path string, page, longSide int) (*Image, float64, error) {
	// At 72 dpi a page's pixels are its size in points.
	probe, err := Open(path, OpenOptions{Page: page, DPI: minDPI})
	if err != nil {
		return nil, 0, err
	}
	long := max(probe.Width(), probe.Height())
	probe.Close()
	dpi := float64(minDPI)
	if long > 0 {
		dpi = min(max(minDPI*float64(longSide)/float64(long), minDPI), maxDPI)
	}
	im, err := Open(path, OpenOptions{Page: page, DPI: dpi})
	if err != nil {
		return nil, 0, err
	}
	return im, dpi, nil
}
