/**
 * Encoded payloads and data-carrying URLs.
 *
 * Base64 and hex blocks are decoded and, when the result is readable text, handed back for a rescan (the caller
 * bounds the depth). Binary results (images, hashes, keys, JWT signatures) are dropped unseen, which is what keeps
 * ordinary code and lockfiles clean. Image URLs matter because a markdown image renders as a silent GET: a query
 * built from placeholders or long encoded data is how conversation contents leave.
 */

import type { DerivedText, RawFinding } from './hidden.js';

const B64 = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX = /(?:[0-9a-fA-F]{2}){20,}/g;
/** Upper bounds per scan so a megabyte of base64 cannot turn into a megabyte of rescans at every depth. */
const MAX_BLOCKS = 500;
const MAX_DECODED = 512 * 1024;

function readable(buf: Buffer): string | undefined {
  if (buf.length < 12) return undefined;
  let ok = 0;
  for (const b of buf) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09 || b >= 0xc2) ok++;
  if (ok / buf.length < 0.92) return undefined;
  const s = buf.toString('utf8');
  const bad = s.split('\uFFFD').length - 1;
  if (bad > s.length * 0.02) return undefined;
  // Text with no spaces and no letters-then-space rhythm is not prose (compressed ids, keys); nothing to rescan.
  if (!/[A-Za-z]{2,}[\s,.:;!?]/.test(s)) return undefined;
  return s;
}

/** Decoded base64/hex blocks that read as text, as derived texts for the caller to rescan. */
export function decodeBlocks(text: string): DerivedText[] {
  const out: DerivedText[] = [];
  let budget = MAX_DECODED;
  let blocks = 0;
  B64.lastIndex = 0;
  for (let m = B64.exec(text); m && blocks < MAX_BLOCKS && budget > 0; m = B64.exec(text)) {
    const s = m[0];
    if (/^[0-9a-fA-F]+$/.test(s) || !/[0-9+/=]/.test(s)) continue; // hex is handled below; pure words are not base64
    blocks++;
    const norm = s.replace(/-/g, '+').replace(/_/g, '/');
    const dec = readable(Buffer.from(norm, 'base64'));
    if (dec) {
      budget -= dec.length;
      out.push({ text: dec, map: { offset: m.index, length: s.length }, via: 'base64' });
    }
  }
  HEX.lastIndex = 0;
  for (let m = HEX.exec(text); m && blocks < MAX_BLOCKS && budget > 0; m = HEX.exec(text)) {
    blocks++;
    const dec = readable(Buffer.from(m[0], 'hex'));
    if (dec) {
      budget -= dec.length;
      out.push({ text: dec, map: { offset: m.index, length: m[0].length }, via: 'hex' });
    }
  }
  return out;
}

const MD_IMAGE = /!\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^\s)>]{1,4000})/g;
const HTML_IMAGE = /<img\b[^>]{0,600}?\bsrc\s*=\s*(?:"(https?:\/\/[^"]{1,4000})"|'(https?:\/\/[^']{1,4000})'|(https?:\/\/[^\s"'>]{1,4000}))/gi;
const MD_LINK = /(?<!!)\[[^\]\n]{0,300}\]\(\s*<?(https?:\/\/[^\s)>]{1,4000})/g;
/** Template placeholders an injected prompt asks the model to fill in: {secret}, [DATA], <chat>, $TOKEN. */
const PLACEHOLDER =
  /(?:\{\{?\s*[A-Za-z_][\w .'’-]{0,60}\}\}?|%7B%7B?[A-Za-z_][\w.%-]{0,40}%7D|\[[A-Z_ ]{3,40}\]|%5B[A-Z_]{3,40}%5D|<[A-Za-z_ ]{3,40}>|%3C[A-Za-z_]{3,40}%3E|\$\{?[A-Z_]{3,40}\}?|\b(?:INSERT|PLACEHOLDER|YOUR)_?[A-Z_]{2,30})/;
/** Query parameters that legitimately hold long opaque values (signed CDN URLs, cache busters). */
const SIGNED_PARAM = /^(?:x-amz-[\w-]+|signature|sig|se|sp|sv|sr|skoid|sktid|policy|key-pair-id|expires|token|hash|v|ver|version|integrity|auth|access_token|s|w|h|crop|fit|ixlib|ixid|fm|auto|q)$/i;

function urlData(url: string, image: boolean): { weight: number; why: string } | undefined {
  const q = url.indexOf('?');
  const query = q < 0 ? '' : url.slice(q + 1);
  if (PLACEHOLDER.test(query)) return { weight: image ? 0.75 : 0.5, why: 'placeholder in the query' };
  if (!image || !query) return undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq);
    const value = eq < 0 ? pair : pair.slice(eq + 1);
    if (value.length < 40 || SIGNED_PARAM.test(name) || /^[0-9a-f]+$/i.test(value)) continue;
    // Readable words joined by + or %20 are conversation text; long base64 is encoded data. Both are payloads.
    if (/(?:[A-Za-z]{2,}(?:\+|%20)){4,}/.test(value) || /^[A-Za-z0-9+/=%_-]{40,}$/.test(value)) {
      return { weight: 0.6, why: `${value.length}-character value in "${name || 'query'}"` };
    }
  }
  return undefined;
}

/** Markdown/HTML images and links whose URL carries placeholder or encoded data. */
export function scanUrls(text: string, out: RawFinding[]): void {
  if (text.indexOf('http') < 0) return;
  for (const [re, image] of [[MD_IMAGE, true], [HTML_IMAGE, true], [MD_LINK, false]] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const hit = urlData(m[1] ?? m[2] ?? m[3] ?? '', image);
      if (!hit) continue;
      out.push({
        id: image ? 'exfil.markdown-image' : 'exfil.link-data',
        offset: m.index,
        length: m[0].length,
        weight: hit.weight,
        label: `${image ? 'image' : 'link'} URL carries data (${hit.why}); rendering it sends a request`,
      });
    }
  }
}
