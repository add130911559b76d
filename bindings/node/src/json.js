// JSON with exact 64-bit integers. JSON.parse turns a number past 2^53 into the nearest double
// (a draft invoice's Number 9223372036854775807 would become 9223372036854775808), so integers
// outside Number's safe range are decoded as BigInt; every other number stays a number. Going
// out, a BigInt is written as the integer it holds. lossless-json does the reading and writing.

import { parse, stringify, isInteger, isSafeNumber } from 'lossless-json';

const DIGITS = /\d{16}/; // no unsafe integer has fewer than 16 digits: JSON.parse is exact then

function number(text) {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

/** JSON.parse, with integers outside Number's safe range as BigInt. Throws SyntaxError for
 *  what is not JSON, as JSON.parse does. */
export function parseJson(text) {
  return DIGITS.test(text) ? parse(text, null, number) : JSON.parse(text);
}

/** JSON.stringify (with an optional replacer), with a BigInt written as its exact integer
 *  (JSON.stringify alone throws). */
export function stringifyJson(value, replacer = undefined) {
  return stringify(value, replacer);
}
