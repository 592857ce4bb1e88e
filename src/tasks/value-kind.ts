import { splitWords } from '../util/words.js';

/**
 * What kind of value a field holds, from the last word of its name: a title a person makes up
 * ("Website relaunch"), or a code the system or a list of options gives (a type, a status, a
 * currency, an id). Free text fields (messages, descriptions, queries) are neither.
 */
const TITLE_WORD = /^(name|title|subject|label|headline|caption|heading|nickname|topic|alias)$/;
const CODE_WORD = /^(type|kind|category|mode|level|tier|role|status|state|stage|priority|class|method|unit|currency|locale|language|lang|timezone|tz|format|code|id|ids|uuid|guid|key|token|slug|sku|hash|version|ip|url|uri|href|email|phone|zip|country|region|gender|sex|visibility|permission|scope|channel|provider|platform|frequency|interval|period|plan)$/;

const lastWord = (field: string) => splitWords(field).pop() ?? '';

/** Whether a field holds a title or a name a person gives a thing. */
export const isTitleField = (field: string): boolean => TITLE_WORD.test(lastWord(field)) || /^(full|display|first|last|given|family|sur|user)name$/i.test(field);

/** Whether a field holds a code, an option or an identifier rather than words a person makes up. */
export const isCodeField = (field: string): boolean => !isTitleField(field) && CODE_WORD.test(lastWord(field));

/**
 * Whether a text reads like a made-up title: two to four words of letters, the first capitalized
 * and the rest not ("Candid swath", "Onboarding proposal"), as a title would be and a code,
 * a type or a token would not.
 */
export const titleLike = (value: unknown): boolean => typeof value === 'string' && /^[A-Z][a-z]+(?: [a-z]+){1,3}$/.test(value);
