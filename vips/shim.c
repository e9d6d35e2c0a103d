#include <math.h>
#include <string.h>
#include "shim.h"

int archive_vips_init(int concurrency) {
	if (VIPS_INIT("archive"))
		return -1;
	// Ingest reads each master once: an operation cache would only keep
	// decoded images and open files alive.
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	if (concurrency > 0)
		vips_concurrency_set(concurrency);
	vips_leak_set(FALSE);
	return 0;
}

// archive_vips_error returns and clears libvips' error buffer; the caller
// frees the copy.
char *archive_vips_error(void) {
	char *s = strdup(vips_error_buffer());
	vips_error_clear();
	return s;
}

const char *archive_vips_loader(const char *path) {
	const char *name = vips_foreign_find_load(path);
	if (!name) {
		vips_error_clear();
		return NULL;
	}
	// The class name (VipsForeignLoadJpegFile) as its operation's
	// nickname (jpegload).
	const char *nick = vips_nickname_find(g_type_from_name(name));
	return nick ? nick : name;
}

// archive_vips_open opens an image lazily (the header only, until pixels are
// asked for). page < 0 and dpi <= 0 leave the loader's defaults; a
// truncated or damaged file fails rather than being filled with grey.
VipsImage *archive_vips_open(const char *path, int page, double dpi, int sequential) {
	VipsAccess access = sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
	if (page >= 0 && dpi > 0)
		return vips_image_new_from_file(path, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED,
			"page", page, "dpi", dpi, NULL);
	if (page >= 0)
		return vips_image_new_from_file(path, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED,
			"page", page, NULL);
	return vips_image_new_from_file(path, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
}

// archive_vips_open_buffer decodes a small image held by the caller into
// memory of its own, so the caller's buffer is free when it returns.
VipsImage *archive_vips_open_buffer(const void *buf, size_t len) {
	VipsImage *lazy = vips_image_new_from_buffer(buf, len, "", NULL);
	if (!lazy)
		return NULL;
	VipsImage *mem = vips_image_copy_memory(lazy);
	g_object_unref(lazy);
	return mem;
}

int archive_vips_get_int(VipsImage *im, const char *name, int fallback) {
	int v;
	if (vips_image_get_typeof(im, name) == 0 || vips_image_get_int(im, name, &v))
		return fallback;
	return v;
}

int archive_vips_has_icc(VipsImage *im) {
	return vips_image_get_typeof(im, VIPS_META_ICC_NAME) != 0;
}

// archive_vips_access makes the access copy's pixels: upright, converted to
// 8-bit sRGB through the embedded ICC profile (LittleCMS; a CMYK image
// without one through libvips' own CMYK profile), greyscale kept grey,
// transparency flattened onto white, and padded by repeating the last
// column and row up to pad_w × pad_h.
int archive_vips_access(VipsImage *in, VipsImage **out, int pad_w, int pad_h) {
	VipsObject *base = VIPS_OBJECT(vips_image_new());
	VipsImage **t = (VipsImage **) vips_object_local_array(base, 8);
	VipsImage *x = in;
	int grey;

	if (vips_autorot(x, &t[0], NULL))
		goto fail;
	x = t[0];

	VipsInterpretation interp = vips_image_guess_interpretation(x);
	grey = interp == VIPS_INTERPRETATION_B_W || interp == VIPS_INTERPRETATION_GREY16;
	if (archive_vips_has_icc(x) && !grey) {
		const char *fallback = interp == VIPS_INTERPRETATION_CMYK ? "cmyk" : "srgb";
		if (vips_icc_transform(x, &t[1], "srgb", "embedded", TRUE, "input_profile", fallback,
				"intent", VIPS_INTENT_RELATIVE, "depth", 8, NULL))
			goto fail;
	} else if (interp == VIPS_INTERPRETATION_CMYK) {
		if (vips_icc_transform(x, &t[1], "srgb", "input_profile", "cmyk",
				"intent", VIPS_INTENT_RELATIVE, "depth", 8, NULL))
			goto fail;
	} else if (grey) {
		if (vips_colourspace(x, &t[1], VIPS_INTERPRETATION_B_W, NULL))
			goto fail;
	} else {
		if (vips_colourspace(x, &t[1], VIPS_INTERPRETATION_sRGB, NULL))
			goto fail;
	}
	x = t[1];
	grey = x->Type == VIPS_INTERPRETATION_B_W;

	if (vips_image_hasalpha(x)) {
		double white[4] = {255, 255, 255, 255};
		VipsArrayDouble *bg = vips_array_double_new(white, x->Bands - 1);
		int r = vips_flatten(x, &t[2], "background", bg, NULL);
		vips_area_unref(VIPS_AREA(bg));
		if (r)
			goto fail;
		x = t[2];
	}
	int want = grey ? 1 : 3;
	if (x->Bands > want) {
		if (vips_extract_band(x, &t[3], 0, "n", want, NULL))
			goto fail;
		x = t[3];
	} else if (x->Bands < want) {
		if (vips_bandjoin_const1(x, &t[3], 0, NULL) || vips_extract_band(t[3], &t[4], 0, "n", want, NULL))
			goto fail;
		x = t[4];
	}
	if (x->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast(x, &t[5], VIPS_FORMAT_UCHAR, NULL))
			goto fail;
		x = t[5];
	}
	if (pad_w > x->Xsize || pad_h > x->Ysize) {
		if (vips_embed(x, &t[6], 0, 0, VIPS_MAX(pad_w, x->Xsize), VIPS_MAX(pad_h, x->Ysize),
				"extend", VIPS_EXTEND_COPY, NULL))
			goto fail;
		x = t[6];
	}
	g_object_ref(x);
	*out = x;
	g_object_unref(base);
	return 0;
fail:
	g_object_unref(base);
	return -1;
}

VipsImage *archive_vips_memory(VipsImage *in) {
	return vips_image_copy_memory(in);
}

int archive_vips_write(VipsImage *in, const char *path) {
	return vips_image_write_to_file(in, path, NULL);
}

int archive_vips_tiff_pyramid(VipsImage *in, const char *path, int tile, int q) {
	return vips_tiffsave(in, path, "tile", TRUE, "tile_width", tile, "tile_height", tile,
		"pyramid", TRUE, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_JPEG, "Q", q,
		"strip", TRUE, NULL);
}

int archive_vips_thumbnail_jpeg(VipsImage *in, int x, int y, int w, int h, int size, int q, void **buf, size_t *len) {
	VipsObject *base = VIPS_OBJECT(vips_image_new());
	VipsImage **t = (VipsImage **) vips_object_local_array(base, 2);
	int r = -1;
	if (!vips_extract_area(in, &t[0], x, y, w, h, NULL) &&
		!vips_thumbnail_image(t[0], &t[1], size, "height", size, "size", VIPS_SIZE_DOWN, NULL))
		r = vips_jpegsave_buffer(t[1], buf, len, "Q", q, "strip", TRUE, NULL);
	g_object_unref(base);
	return r;
}

int archive_vips_png(VipsImage *in, void **buf, size_t *len) {
	return vips_pngsave_buffer(in, buf, len, "compression", 1, NULL);
}

// archive_vips_rgba decodes a 3-band 8-bit image into memory as RGBA.
void *archive_vips_rgba(VipsImage *in, size_t *len) {
	VipsImage *x;
	if (vips_bandjoin_const1(in, &x, 255, NULL))
		return NULL;
	void *mem = vips_image_write_to_memory(x, len);
	g_object_unref(x);
	return mem;
}

// Resampling for rendered views. The reduction left after a pyramid level
// and libjpeg-turbo's scaled decoding is small (between 1 and about 1/2),
// where a triangle filter widened to the reduction is sharp and free of
// aliasing; libvips' general reduce pays for generality here (measured in
// docs/benchmarks.md). Weights are 14-bit fixed point.

typedef struct {
	int *start, *n;
	int *w; // n[i] weights from w[i * max]
	int max;
} taps;

static void taps_free(taps *t) {
	free(t->start);
	free(t->n);
	free(t->w);
}

// taps_make: output pixel i is centred at (i + 0.5) / scale - 0.5 + off in
// the source, and a reduction widens the filter to widen / scale samples (a
// plane of 4:2:0 colour is resampled at its image's scale, not at its own
// size's, may start half a sample early, and its samples are two pixels
// wide: the pixels' filter is half as many of them).
static int taps_make(taps *t, int src, int dst, double scale, double off, double widen) {
	double support = widen / scale > 1 ? widen / scale : 1;
	t->max = (int) ceil(2 * support) + 2;
	t->start = malloc(sizeof(int) * dst);
	t->n = malloc(sizeof(int) * dst);
	t->w = malloc(sizeof(int) * dst * t->max);
	if (!t->start || !t->n || !t->w) {
		taps_free(t);
		return -1;
	}
	for (int i = 0; i < dst; i++) {
		double c = (i + 0.5) / scale - 0.5 + off;
		int lo = (int) ceil(c - support), hi = (int) floor(c + support);
		if (lo < 0)
			lo = 0;
		if (hi > src - 1)
			hi = src - 1;
		if (hi < lo)
			hi = lo = c < 0 ? 0 : src - 1;
		if (hi - lo + 1 > t->max)
			hi = lo + t->max - 1;
		double f[hi - lo + 1], sum = 0;
		for (int x = lo; x <= hi; x++) {
			double d = 1 - fabs(x - c) / support;
			f[x - lo] = d > 0 ? d : 0;
			sum += f[x - lo];
		}
		int *w = t->w + i * t->max, total = 0, big = 0;
		for (int k = 0; k <= hi - lo; k++) {
			w[k] = sum > 0 ? (int) lround(f[k] / sum * 16384) : (k == 0 ? 16384 : 0);
			total += w[k];
			if (w[k] > w[big])
				big = k;
		}
		w[big] += 16384 - total;
		t->start[i] = lo;
		t->n[i] = hi - lo + 1;
	}
	return 0;
}

static inline unsigned char clamp8(int v) {
	v = (v + 8192) >> 14;
	return v < 0 ? 0 : v > 255 ? 255 : v;
}

// archive_resize resamples sw × sh pixels of `bands` bytes (rows `stride`
// bytes apart) to dw × dh packed pixels in dst: down the columns first
// (whole rows at a time, which the compiler vectorises), then across.
int archive_resize(const unsigned char *src, int sw, int sh, int stride, int bands,
		unsigned char *dst, int dw, int dh, double sx, double sy, double ox, double oy, double widen) {
	taps h, v;
	if (taps_make(&h, sw, dw, sx, ox, widen))
		return -1;
	if (taps_make(&v, sh, dh, sy, oy, widen)) {
		taps_free(&h);
		return -1;
	}
	int rowlen = sw * bands;
	unsigned char *mid = malloc((size_t) rowlen);
	int *acc = malloc(sizeof(int) * rowlen);
	if (!mid || !acc) {
		free(mid);
		free(acc);
		taps_free(&h);
		taps_free(&v);
		return -1;
	}
	for (int y = 0; y < dh; y++) {
		const int *w = v.w + y * v.max;
		const unsigned char *s = src + (size_t) v.start[y] * stride;
		for (int x = 0; x < rowlen; x++)
			acc[x] = w[0] * s[x];
		for (int k = 1; k < v.n[y]; k++) {
			s += stride;
			int wk = w[k];
			for (int x = 0; x < rowlen; x++)
				acc[x] += wk * s[x];
		}
		for (int x = 0; x < rowlen; x++)
			mid[x] = clamp8(acc[x]);
		unsigned char *d = dst + (size_t) y * dw * bands;
		if (bands == 4) { // RGBA: the four channels side by side
			for (int x = 0; x < dw; x++) {
				const int *wx = h.w + x * h.max;
				const unsigned char *p = mid + h.start[x] * 4;
				int a0 = 0, a1 = 0, a2 = 0, a3 = 0;
				for (int k = 0; k < h.n[x]; k++, p += 4) {
					a0 += wx[k] * p[0];
					a1 += wx[k] * p[1];
					a2 += wx[k] * p[2];
					a3 += wx[k] * p[3];
				}
				d[x * 4] = clamp8(a0);
				d[x * 4 + 1] = clamp8(a1);
				d[x * 4 + 2] = clamp8(a2);
				d[x * 4 + 3] = clamp8(a3);
			}
			continue;
		}
		for (int x = 0; x < dw; x++) {
			const int *wx = h.w + x * h.max;
			const unsigned char *p = mid + h.start[x] * bands;
			for (int b = 0; b < bands; b++) {
				int a = 0;
				for (int k = 0; k < h.n[x]; k++)
					a += wx[k] * p[k * bands + b];
				d[x * bands + b] = clamp8(a);
			}
		}
	}
	free(mid);
	free(acc);
	taps_free(&h);
	taps_free(&v);
	return 0;
}
