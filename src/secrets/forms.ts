/**
 * The encoded forms of a secret value that count as the secret: verbatim, base64 (standard, unpadded, url-safe, and
 * the inner run that survives at each byte alignment inside a longer base64 blob), percent-encoded and hex. The
 * shared redactor is the authority on them, so the matcher used for streams, input checks and leak scans finds
 * exactly what the redactor replaces.
 */
export { secretForms } from '../redact/registry.js';
