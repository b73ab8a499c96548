/**
 * Accent folding, given. PGlite has no `unaccent` extension (CREATE EXTENSION unaccent fails:
 * "extension is not available"), so the search folds accents in JavaScript, on the documents
 * and on the queries alike: é → e, ü → u, ñ → n, Å → A. Letters that are not a base letter plus
 * a mark (ß, ø, æ, 東) stay as they are.
 */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}
