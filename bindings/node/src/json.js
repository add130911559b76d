// JSON with exact 64-bit integers. JSON.parse turns a number past 2^53 into the nearest double
// (a draft invoice's Number 9223372036854775807 would become 9223372036854775808), so integers
// outside Number's safe range are decoded as BigInt; every other number stays a number. Going
// out, a BigInt is written as the integer it holds.

import { randomBytes } from 'node:crypto';

const DIGITS = /\d{16}/; // no unsafe integer has fewer than 16 digits

/** Index just past the string that starts (with its quote) at `i`. */
function skipString(text, i) {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** JSON.parse, with integers outside Number's safe range as BigInt. Throws SyntaxError for
 *  what is not JSON, as JSON.parse does. */
export function parseJson(text) {
  if (!DIGITS.test(text)) return JSON.parse(text);
  // Each unsafe integer is swapped for a string carrying a marker no answer contains (random
  // per call), which the reviver turns back into a BigInt.
  const marker = `\u0000bigint-${randomBytes(8).toString('hex')}:`;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = c === '-' ? i + 1 : i;
      while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
      const integer = !['.', 'e', 'E'].includes(text[j]);
      const token = text.slice(i, j);
      if (integer && /\d/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += text.slice(copied, i) + JSON.stringify(marker + token);
        copied = j;
      }
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) j++;
      i = j;
    } else {
      i++;
    }
  }
  if (copied === 0) return JSON.parse(text);
  out += text.slice(copied);
  return JSON.parse(out, (_key, value) => (
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value
  ));
}

/** JSON.stringify, with a BigInt written as its exact integer (JSON.stringify alone throws). */
export function stringifyJson(value) {
  let marker = null;
  const text = JSON.stringify(value, (_key, v) => {
    if (typeof v !== 'bigint') return v;
    marker ??= `\u0000bigint-${randomBytes(8).toString('hex')}:`;
    return marker + v.toString();
  });
  if (marker === null || text === undefined) return text;
  const quoted = JSON.stringify(marker).slice(0, -1); // the marker as JSON writes it, opening quote included
  return text.split(quoted).map((piece, n) => (n === 0 ? piece : piece.replace('"', ''))).join('');
}
