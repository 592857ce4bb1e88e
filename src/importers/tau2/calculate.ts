import { MAX_RECURSION_LIMIT as RECURSION_LIMIT } from '../../env/sql-check.js';
import type { Behaviour } from './behaviour.js';

/**
 * tau2's `calculate` evaluates an arithmetic expression as Python would (numbers, + - * / ** //,
 * unary signs, parentheses) and answers `str(round(float(result), 2))`. Here the same happens in
 * SQL: a recursive lexer, then a shunting-yard evaluator whose state (value stack, operator stack)
 * lives in JSON arrays, one action per recursion step. Integers stay integers until the end, as in
 * Python, so division by zero reports the same message.
 */

const DIGITS = "'0123456789.'";
/** Length of the token at the start of `r` (a number, a two-character operator, or one character). */
const tokLen = (r: string) =>
  `(CASE WHEN substr(${r}, 1, 1) GLOB '[0-9.]' THEN length(${r}) - length(ltrim(${r}, ${DIGITS})) WHEN substr(${r}, 1, 2) IN ('**', '//') THEN 2 ELSE 1 END)`;

const TOK = 'toks.t';
const TOP = "json_extract(ev.ops, '$[#-1]')";
const prec = (op: string) => `(CASE ${op} WHEN '+' THEN 1 WHEN '-' THEN 1 WHEN '*' THEN 2 WHEN '/' THEN 2 WHEN '//' THEN 2 WHEN 'u+' THEN 3 WHEN 'u-' THEN 3 ELSE 4 END)`;
const isNumber = `substr(${TOK}, 1, 1) GLOB '[0-9.]'`;
/** A Python numeric literal made of digits and at most one point; no leading zeros on integers. */
const validNumber = `(${TOK} <> '.' AND length(${TOK}) - length(replace(${TOK}, '.', '')) <= 1 AND NOT (instr(${TOK}, '.') = 0 AND ${TOK} GLOB '0*[1-9]*'))`;
const numberValue = `(CASE WHEN instr(${TOK}, '.') > 0 THEN CAST(${TOK} AS REAL) ELSE CAST(${TOK} AS INTEGER) END)`;

/** What this step does: push a value or operator, pop a '(', reduce the top operator, or fail. */
const ACTION = `(CASE
  WHEN ${TOK} IS NULL THEN CASE WHEN ${TOP} = '(' THEN 'unclosed' ELSE 'reduce' END
  WHEN ${isNumber} THEN CASE WHEN ev.prev = 'val' OR NOT ${validNumber} THEN 'syntax' ELSE 'num' END
  WHEN ${TOK} = '(' THEN CASE WHEN ev.prev = 'val' THEN 'syntax' ELSE 'open' END
  WHEN ${TOK} = ')' THEN CASE WHEN ${TOP} IS NULL THEN 'unmatched' WHEN ev.prev = 'op' THEN 'syntax' WHEN ${TOP} = '(' THEN 'close' ELSE 'reduce' END
  WHEN ${TOK} IN ('+', '-') AND ev.prev = 'op' THEN 'unary'
  WHEN ev.prev = 'op' THEN 'syntax'
  WHEN ${TOP} IS NOT NULL AND ${TOP} <> '(' AND (${prec(TOP)} > ${prec(TOK)} OR (${prec(TOP)} = ${prec(TOK)} AND ${TOK} <> '**')) THEN 'reduce'
  ELSE 'binary'
END)`;

const A = "json_extract(ev.vals, '$[#-2]')";
const B = "json_extract(ev.vals, '$[#-1]')";
const bothInt = `(typeof(${A}) = 'integer' AND typeof(${B}) = 'integer')`;
const unary = `(CASE ${TOP} WHEN 'u-' THEN -${B} ELSE ${B} END)`;
const binary = `(CASE ${TOP}
  WHEN '+' THEN ${A} + ${B}
  WHEN '-' THEN ${A} - ${B}
  WHEN '*' THEN ${A} * ${B}
  WHEN '/' THEN CAST(${A} AS REAL) / ${B}
  WHEN '//' THEN CASE WHEN ${bothInt} THEN CAST(floor(CAST(${A} AS REAL) / ${B}) AS INTEGER) ELSE floor(CAST(${A} AS REAL) / ${B}) END
  ELSE CASE WHEN ${bothInt} AND ${B} >= 0 AND abs(pow(${A}, ${B})) < 9007199254740992 THEN CAST(pow(${A}, ${B}) AS INTEGER) ELSE pow(${A}, ${B}) END
END)`;
const isUnary = `${TOP} IN ('u-', 'u+')`;
/** Python's message for a reduction that cannot be done, or NULL. */
const reduceError = `(CASE
  WHEN json_array_length(ev.vals) < CASE WHEN ${isUnary} THEN 1 ELSE 2 END THEN 'invalid syntax (<string>, line 1)'
  WHEN ${isUnary} THEN NULL
  WHEN ${TOP} = '/' AND ${B} = 0 THEN CASE WHEN ${bothInt} THEN 'division by zero' ELSE 'float division by zero' END
  WHEN ${TOP} = '//' AND ${B} = 0 THEN CASE WHEN ${bothInt} THEN 'integer division or modulo by zero' ELSE 'float floor division by zero' END
  WHEN ${TOP} = '**' AND ${A} = 0 AND ${B} < 0 THEN '0.0 cannot be raised to a negative power'
  WHEN ${TOP} = '**' AND ${A} < 0 AND ${B} <> CAST(${B} AS INTEGER) THEN 'complex exponentiation is not supported here'
END)`;

/** Python's round(x, 2): SQLite rounds exact halves away from zero, Python to even. Halves at two decimals are exactly the multiples of 1/8 with odd numerators. */
const pyRound2 = (x: string) =>
  `(CASE WHEN ${x} * 8 = CAST(${x} * 8 AS INTEGER) AND CAST(${x} * 8 AS INTEGER) % 2 <> 0
     THEN CASE WHEN CAST(floor(${x} * 100) AS INTEGER) % 2 = 0 THEN floor(${x} * 100) / 100.0 ELSE (floor(${x} * 100) + 1) / 100.0 END
     ELSE round(${x}, 2) END)`;
/** Python's str() of a float that has at most two decimals: "8276.23", "41.9", "100.0". */
const pyStr2 = (x: string) => `(CASE WHEN printf('%.2f', ${x}) LIKE '%0' THEN substr(printf('%.2f', ${x}), 1, length(printf('%.2f', ${x})) - 1) ELSE printf('%.2f', ${x}) END)`;

const EVALUATE = `WITH RECURSIVE
lex(i, r) AS (
  SELECT 0, ltrim(:expression, ' ')
  UNION ALL
  SELECT i + 1, ltrim(substr(r, 1 + ${tokLen('r')}), ' ') FROM lex WHERE r <> '' LIMIT ${RECURSION_LIMIT}
),
toks(i, t) AS (SELECT i, substr(r, 1, ${tokLen('r')}) FROM lex WHERE r <> ''),
ev(step, i, vals, ops, prev, err) AS (
  SELECT 0, 0, '[]', '[]', 'op', NULL
  UNION ALL
  SELECT ev.step + 1,
    CASE WHEN ${ACTION} IN ('num', 'open', 'close', 'unary', 'binary') THEN ev.i + 1 ELSE ev.i END,
    CASE ${ACTION}
      WHEN 'num' THEN json_insert(ev.vals, '$[#]', ${numberValue})
      WHEN 'reduce' THEN CASE WHEN json_array_length(ev.vals) < CASE WHEN ${isUnary} THEN 1 ELSE 2 END THEN ev.vals WHEN ${isUnary} THEN json_set(ev.vals, '$[#-1]', ${unary}) ELSE json_set(json_remove(ev.vals, '$[#-1]'), '$[#-1]', ${binary}) END
      ELSE ev.vals END,
    CASE ${ACTION}
      WHEN 'open' THEN json_insert(ev.ops, '$[#]', '(')
      WHEN 'unary' THEN json_insert(ev.ops, '$[#]', 'u' || ${TOK})
      WHEN 'binary' THEN json_insert(ev.ops, '$[#]', ${TOK})
      WHEN 'close' THEN json_remove(ev.ops, '$[#-1]')
      WHEN 'reduce' THEN json_remove(ev.ops, '$[#-1]')
      ELSE ev.ops END,
    CASE WHEN ${ACTION} IN ('num', 'close') THEN 'val' WHEN ${ACTION} IN ('open', 'unary', 'binary') THEN 'op' ELSE ev.prev END,
    CASE ${ACTION}
      WHEN 'syntax' THEN 'invalid syntax (<string>, line 1)'
      WHEN 'unclosed' THEN '''('' was never closed (<string>, line 1)'
      WHEN 'unmatched' THEN 'unmatched '')'' (<string>, line 1)'
      WHEN 'reduce' THEN ${reduceError}
    END
  FROM ev LEFT JOIN toks ON toks.i = ev.i
  WHERE ev.err IS NULL AND NOT (toks.t IS NULL AND json_array_length(ev.ops) = 0)
  LIMIT ${RECURSION_LIMIT}
),
final AS (SELECT vals, err FROM ev ORDER BY step DESC LIMIT 1),
result AS (SELECT CAST(json_extract(vals, '$[0]') AS REAL) AS x, err, json_array_length(vals) AS n FROM final)
SELECT CASE WHEN err IS NOT NULL THEN err WHEN n <> 1 THEN 'invalid syntax (<string>, line 1)' END AS error,
  CASE WHEN err IS NULL AND n = 1 THEN ${pyStr2(pyRound2('x'))} END AS text
FROM result`;

export const calculate: Behaviour = {
  kind: 'read',
  steps: [
    { check: "SELECT :expression NOT GLOB '*[^-0-9+*/(). ]*'", error: 'Error: Invalid characters in expression' },
    { query: EVALUATE, as: 'calc', expect: 'any' },
    { check: 'SELECT :calc__error IS NULL', error: 'Error: {calc__error}' },
  ],
  output: { value: 'SELECT :calc__text' },
};
