// Non-variadic wrappers around the libvips calls package vips uses: cgo
// cannot call C's variadic functions.
#include <stdlib.h>
#include <vips/vips.h>

int archive_vips_init(int concurrency);
char *archive_vips_error(void);

VipsImage *archive_vips_open(const char *path, int page, double dpi, int sequential);
VipsImage *archive_vips_open_buffer(const void *buf, size_t len);
const char *archive_vips_loader(const char *path);
int archive_vips_get_int(VipsImage *im, const char *name, int fallback);
int archive_vips_has_icc(VipsImage *im);

int archive_vips_access(VipsImage *in, VipsImage **out, int pad_w, int pad_h);
VipsImage *archive_vips_memory(VipsImage *in);
int archive_vips_write(VipsImage *in, const char *path);
int archive_vips_tiff_pyramid(VipsImage *in, const char *path, int tile, int q);
int archive_vips_thumbnail_jpeg(VipsImage *in, int x, int y, int w, int h, int size, int q, void **buf, size_t *len);
void *archive_vips_rgba(VipsImage *in, size_t *len);
int archive_vips_png(VipsImage *in, void **buf, size_t *len);
int archive_resize(const unsigned char *src, int sw, int sh, int stride, int bands, unsigned char *dst, int dw, int dh,
	double sx, double sy, double ox, double oy, double widen);
