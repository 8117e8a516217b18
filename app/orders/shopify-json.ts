// Shopify's ids are 64-bit integers written as bare JSON numbers ("id": 820982911946154508), and JSON.parse reads
// every number through a double, which silently changes integers above 2^53. Node 20's JSON.parse gives a reviver
// no access to the number's source text (the `context.source` argument arrived in later V8 versions), so this
// parse keeps such integers as their exact decimal text instead: the edge (app/orders/from-shopify.ts) reads ids
// as strings anyway. Every other value comes out exactly as JSON.parse gives it.

/** 2^53 has 16 digits: a text without a run of 16 digits cannot hold an integer JSON.parse would change. */
const LONG_DIGIT_RUN = /\d{16}/;
const INTEGER_TOKEN = /^-?\d+$/;

/** JSON.parse, except that integers outside the safe range come back as strings of their exact digits. */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  // Parsing first also proves the text is JSON, so the scan below only ever sees numbers in value positions.
  const parsed: unknown = JSON.parse(text);
  if (!LONG_DIGIT_RUN.test(text)) return parsed;
  const quoted = quoteUnsafeIntegers(text);
  return quoted === text ? parsed : (JSON.parse(quoted) as unknown);
}

function isNumberChar(code: number): boolean {
  // 0-9 . e E + -
  return (code >= 48 && code <= 57) || code === 46 || code === 101 || code === 69 || code === 43 || code === 45;
}

/** Wraps every integer literal that a double cannot hold exactly in quotes. `text` must be valid JSON. */
function quoteUnsafeIntegers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 34) {
      // A string: skip to its closing quote, stepping over escapes.
      i++;
      while (i < text.length) {
        const inner = text.charCodeAt(i);
        if (inner === 92) i += 2;
        else if (inner === 34) break;
        else i++;
      }
      i++;
    } else if (code === 45 || (code >= 48 && code <= 57)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      const token = text.slice(i, end);
      if (INTEGER_TOKEN.test(token) && !Number.isSafeInteger(Number(token))) {
        parts.push(text.slice(copied, i), `"${token}"`);
        copied = end;
      }
      i = end;
    } else i++;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join("");
}
