import type { JsonSchema } from '../spec/json-schema.js';
import { CONTROL_NAMES } from './fidelity.js';
import { schemaType } from './contract.js';

/**
 * Control parameters shape a query or its response, never the data: pagination maps to LIMIT and
 * OFFSET, everything else (sorting, field selection, expansion, response format, callbacks,
 * credentials) is accepted and ignored. None of them becomes a column.
 */
export type Control = 'limit' | 'offset' | 'page' | 'ignored';

const LIMIT = new Set(['limit', 'max_results', 'page_size', 'per_page', 'num_results', 'max_items', 'maxresults', 'top_k', 'max_count', 'top', 'results_per_page', 'count', 'size', 'page_limit', 'rows', 'num']);
const OFFSET = new Set(['offset', 'skip', 'start', 'start_index', 'startindex', 'first']);
const PAGE = new Set(['page', 'page_number', 'page_no', 'pagenumber', 'page_num']);
/** Credentials and transport: a simulated server has neither. */
const CREDENTIALS = new Set(['key', 'api_key', 'apikey', 'access_token', 'oauth_token', 'auth_token', 'token', 'quota_user', 'user_ip', 'upload_type', 'upload_protocol', 'xgafv', 'client_id', 'client_secret', 'signature', 'nonce', 'timestamp_signature']);
const IGNORED = new Set([...CONTROL_NAMES, ...CREDENTIALS, 'page_token', 'next_page_token', 'cursor', 'after', 'before_cursor', 'continuation', 'continuation_token', 'sort_ascending', 'ascending', 'descending', 'include_total', 'with_count', 'envelope', 'minified', 'compact', 'verbose', 'debug', 'fields_to_return', 'return_fields', 'callback_url']);

/** Names that are data in a write, or when they are not numbers (`count`, `size`, `start`...). */
const ALSO_DATA = new Set(['count', 'size', 'rows', 'num', 'top', 'start', 'first']);

/**
 * How a parameter controls the query, or undefined when it is data (a filter or a value to
 * store). Pagination only means something to reads.
 */
export function controlOf(name: string, schema: JsonSchema | undefined, read: boolean): Control | undefined {
  const type = schemaType(schema);
  const numeric = type === 'integer' || type === 'number';
  if (read && numeric) {
    if (LIMIT.has(name)) return 'limit';
    if (OFFSET.has(name)) return 'offset';
    if (PAGE.has(name)) return 'page';
  }
  if (ALSO_DATA.has(name)) return undefined;
  if (IGNORED.has(name) || LIMIT.has(name) || OFFSET.has(name) || PAGE.has(name)) return 'ignored';
  return undefined;
}
