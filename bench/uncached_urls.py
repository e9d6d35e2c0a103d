#!/usr/bin/env python3
"""Writes IIIF request paths that no cache can answer, for bench/iiif.sh.
usage: uncached_urls.py IMAGE_SERVICE_URL KIND OUTFILE
  uregions: 200,000 distinct regions (256-2048 px, shown at 1/2 to 1/8 or a size of their own)
  uviews:   20,000 distinct whole-image views, 400-1400 px (full/!w,h)"""
import json, random, sys, urllib.request
base, kind, out = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
info = json.load(urllib.request.urlopen(base + '/info.json', timeout=10))
W, H = info['width'], info['height']
path = '/' + base.split('/', 3)[3]
rng = random.Random(7)
seen, urls = set(), []
want = 200_000 if kind == 'uregions' else 20_000
while len(urls) < want:
    if kind == 'uregions':
        w, h = rng.randint(256, 2048), rng.randint(256, 2048)
        x, y = rng.randint(0, W - w), rng.randint(0, H - h)
        ow = max(1, w // rng.choice([2, 3, 4, 8]))
        u = f'{path}/{x},{y},{w},{h}/{ow},/0/default.jpg'
    elif kind == 'uviews':
        u = f'{path}/full/!{rng.randint(400, 1400)},{rng.randint(400, 1400)}/0/default.jpg'
    else:
        sys.exit('kind is uregions or uviews')
    if u not in seen:
        seen.add(u)
        urls.append(u)
open(out, 'w').write('\n'.join(urls) + '\n')
