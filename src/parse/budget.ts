/**
 * Cheap lexical estimate of how many tokens the grammar will produce for a piece of shell code.
 *
 * Parsing cost grows with the number of tokens, not characters (a 100 KB quoted heredoc parses in a few ms,
 * 100 KB of `a | a | …` takes hundreds). Estimating first lets the analysis parse only the prefix that fits the
 * token budget, so adversarial input costs a bounded time while ordinary large scripts and file-writing heredocs
 * still parse whole.
 */

const PUNCT = new Set(['|', '&', ';', '(', ')', '<', '>', '$', '`', '{', '}', '\\', '=', '"', "'", '\n']);

export interface Estimate {
  tokens: number;
  /** Offset at which the budget ran out (the code should be cut there), when it did. */
  cut?: number;
}

export function estimateTokens(src: string, budget: number): Estimate {
  let tokens = 0;
  let inWord = false;
  const heredocs: { delim: string; strip: boolean; quoted: boolean }[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    if (tokens > budget) return { tokens, cut: i };
    const c = src[i]!;
    if (c === "'") {
      // Single-quoted text is one token.
      const end = src.indexOf("'", i + 1);
      tokens += 2;
      i = end < 0 ? n : end + 1;
      inWord = true;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = src.indexOf('\n', i);
      tokens++;
      i = end < 0 ? n : end;
      continue;
    }
    if (c === '<' && src[i + 1] === '<' && src[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([^\s;&|<>()]+))/.exec(src.slice(i, i + 300));
      if (m) {
        const delim = m[2] ?? m[3] ?? m[4] ?? '';
        heredocs.push({ delim, strip: m[1] === '-', quoted: m[2] !== undefined || m[3] !== undefined || m[0].includes('\\') });
        tokens += 3;
        i += m[0].length;
        inWord = false;
        continue;
      }
    }
    if (c === '\n' && heredocs.length) {
      tokens++;
      i++;
      // Skip heredoc bodies: count only expansions in unquoted ones.
      for (const h of heredocs) {
        for (;;) {
          if (i >= n) break;
          let end = src.indexOf('\n', i);
          if (end < 0) end = n;
          const line = src.slice(i, end);
          i = Math.min(end + 1, n);
          if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim) break;
          if (!h.quoted) for (const ch of line) if (ch === '$' || ch === '`') tokens += 2;
          tokens++;
          if (tokens > budget) return { tokens, cut: i };
        }
      }
      heredocs.length = 0;
      inWord = false;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens++;
      inWord = c === '$' || c === '\\' || c === '"' || c === '=';
      i += c === '\\' ? 2 : 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') inWord = false;
    else if (!inWord) {
      tokens++;
      inWord = true;
    }
    i++;
  }
  return { tokens };
}
