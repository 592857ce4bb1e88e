/** Words of names: splitting identifiers into words, singular and plural of nouns. */

/** `getUserOrders`, `get-user_orders.v2` -> ['get', 'user', 'orders', 'v2']. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

// Nouns that read the same in plural, and irregular plurals: enough for table names to read naturally.
const UNCOUNTABLE = new Set(['weather', 'data', 'info', 'information', 'news', 'equipment', 'music', 'software', 'feedback', 'traffic', 'inventory', 'media', 'series', 'species', 'metadata', 'analytics', 'settings', 'status', 'stock', 'health', 'research', 'evidence', 'advice', 'history', 'mail', 'content', 'staff', 'fish', 'sheep', 'money', 'luggage', 'baggage', 'furniture', 'storage']);
const IRREGULAR: Record<string, string> = { person: 'people', child: 'children', man: 'men', woman: 'women', mouse: 'mice', foot: 'feet', tooth: 'teeth', index: 'indexes', criterion: 'criteria', datum: 'data', analysis: 'analyses', thesis: 'theses' };
const IRREGULAR_SINGULAR = Object.fromEntries(Object.entries(IRREGULAR).map(([s, p]) => [p, s]));

export function singular(word: string): string {
  if (UNCOUNTABLE.has(word) || word.length <= 3) return word;
  // Own keys only: a word such as `constructor` must not find Object's prototype.
  if (Object.hasOwn(IRREGULAR_SINGULAR, word)) return IRREGULAR_SINGULAR[word];
  if (/(ss|us|is)$/.test(word)) return word;
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ches|shes|xes|sses|zes)$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}

export function plural(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  if (Object.hasOwn(IRREGULAR, word)) return IRREGULAR[word];
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(word)) return word + 'es';
  return word + 's';
}
