/** Words too common in tool text to say anything about a domain. */
const STOPWORDS = new Set(
  ('a an and are as at be by can for from has have if in into is it its of on or that the this to was will with ' +
    'which when where who whom whose what you your our we they their them these those than then there do does ' +
    'not no any all each other such only also may must should would could been being per via e g eg ie etc')
    .split(' '),
);

/**
 * Split an identifier or a phrase into lower-case words: camelCase, PascalCase, acronyms
 * (`HTTPServer` -> http, server), snake_case, kebab-case, dots, and letter/digit boundaries.
 */
export function splitIdentifier(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([a-zA-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Words that end like plurals and are not (or are the same in the singular). */
const NOT_PLURAL = new Set(['species', 'series', 'news', 'means', 'whereas', 'canvas', 'atlas', 'alias']);

/** A light stemmer: plural forms to singular, enough to join `files` with `file`. */
export function stem(word: string): string {
  if (NOT_PLURAL.has(word)) return word;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(sses|xes|ches|shes|uses)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** Content words of a text or identifier: split, stemmed, without stopwords, numbers and single letters. */
export function contentWords(text: string): string[] {
  return splitIdentifier(text)
    .filter((w) => w.length > 1 && !/^[0-9]+$/.test(w) && !STOPWORDS.has(w))
    .map(stem);
}
