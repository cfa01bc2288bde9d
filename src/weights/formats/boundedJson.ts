/**
 * JSON.parse with two checks first, in one linear scan: nesting depth (JSON.parse recurses, so
 * 20,000 brackets overflow the stack) and duplicate object keys (JSON.parse silently keeps the
 * last; other readers keep the first, so such a file means different things to different tools).
 */
import { cut } from './messages.js';

/**
 * Parses `text`, or returns why it is refused (`{ problem }`): deeper than `maxDepth` or a key
 * repeated in one object. Text that is not JSON throws JSON.parse's SyntaxError.
 *
 * @example
 * parseBoundedJson('{"a":1,"a":2}', 4) // { problem: "the key 'a' appears twice in one object" }
 */
export function parseBoundedJson(text: string, maxDepth: number): { value: unknown } | { problem: string } {
  // One entry per open bracket: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      open.push(c === 0x7b ? new Set() : null);
      if (open.length > maxDepth) return { problem: `it nests deeper than ${maxDepth} levels (at character ${i})` };
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x22 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const keys = open[open.length - 1];
      let next = end + 1;
      while (next < text.length && /\s/.test(text[next])) next++;
      if (keys && text[next] === ':') {
        let key: string;
        try { key = JSON.parse(text.slice(i, end + 1)) as string; } catch { break; } // JSON.parse below names the error
        if (keys.has(key)) return { problem: `the key '${cut(key)}' appears twice in one object` };
        keys.add(key);
      }
      i = end;
    }
  }
  return { value: JSON.parse(text) };
}
