/**
 * Names are user data: a model file can name a layer with terminal escape
 * sequences, line breaks or bidi overrides. Every place the library writes a
 * name into text meant for a person (summaries, diagrams, the command line,
 * comments and strings of generated source) shows such characters escaped,
 * so they are seen instead of acted on.
 */

/**
 * Characters never written raw: C0 and C1 controls and DEL (terminal
 * escapes, line breaks, tabs), format characters (bidi overrides and
 * isolates, zero-width and tag characters, the byte order mark) except the
 * zero-width joiner and non-joiner that ordinary writing and emoji need, the
 * line and paragraph separators (line breaks to JavaScript), lone surrogates
 * and the noncharacters (U+FFFE is not allowed in XML).
 */
const UNSAFE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

/**
 * A character as a JavaScript escape, `\u001b` or `\u{e0001}`: readable, and
 * the same text is a valid escape inside a generated string literal.
 *
 * @example
 * escapeCodePoint("\u001b"); // "\\u001b"
 */
export function escapeCodePoint(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `true` when the text holds a character {@link displayText} would escape.
 *
 * @example
 * hasUnsafeCharacter("dense");        // false
 * hasUnsafeCharacter("a\u001b]0;x\u0007"); // true
 */
export function hasUnsafeCharacter(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/**
 * The text with every control, format and separator character (and every
 * lone surrogate or noncharacter) written as its escape; everything else,
 * non-ASCII letters and emoji included, unchanged. Ordinary names come back
 * exactly as they were.
 *
 * @example
 * displayText("dense_1");              // "dense_1"
 * displayText("couche_équilibrée");    // "couche_équilibrée"
 * displayText("x\u001b[2J\ny");        // "x\\u001b[2J\\u000ay"
 */
export function displayText(text: string): string {
  return hasUnsafeCharacter(text) ? text.replace(UNSAFE, escapeCodePoint) : text;
}
