export { ingest, listInputFiles, type IngestResult } from './ingest.js';
export { sanitizeName, assignNames } from './names.js';
export { canonicalJson } from './canonical.js';
export { readDocument } from './detect.js';
