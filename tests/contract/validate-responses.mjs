#!/usr/bin/env node
// Checks every answer the integration suites received against the OpenAPI
// document, so that docs/openapi.yaml cannot drift from the server.
//
//   node tests/contract/validate-responses.mjs --openapi docs/openapi.yaml \
//        --log-dir build/tests/contract-log [--verbose]
//
// The suites log each exchange as a JSON line (tests/integration/
// contract_log.h). For each one under /api/small/:
//   - the operation is found by path template and method; its response by
//     the exact status (then "4XX"-style ranges, then "default"). A status
//     the operation does not document is a failure;
//   - a documented JSON body must arrive as application/json, parse, and
//     match the response's schema (JSON Schema 2020-12, Ajv strict mode;
//     response objects say additionalProperties: false, so an extra field
//     fails too), and an envelope's `code` must equal the HTTP status;
//   - headers the document marks required must be present, once, with a
//     value matching the header's schema (Retry-After a whole number);
//   - an events stream must have sent at least one message (the current
//     state comes first), each matching the schema named by the media
//     type's `x-event-data` (a TransactionView);
//   - a path the document does not have must still be answered with the
//     error envelope (`Error`); a method a path does not list must be a 405
//     with an Allow header, unless an earlier check answered first (nginx's
//     400/413/429/503/504, or 401 from the admin token check, which comes
//     before routing).
// Everything nginx passes to the pool (/api/...) is checked; the pages and
// nginx's internal locations are not API answers.
// Exit status 1 lists every failure with the test that provoked it.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const COMPONENTS_ID = 'https://umkm.invalid/openapi-components.json';
const MAX_FAILURES_SHOWN = 40;

const { values: args } = parseArgs({
  options: {
    openapi: { type: 'string' },
    'log-dir': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
if (!args.openapi || !args['log-dir']) {
  console.error('usage: validate-responses.mjs --openapi FILE --log-dir DIR [--verbose]');
  process.exit(2);
}

// ---- The document ---------------------------------------------------------

const document = YAML.parse(readFileSync(args.openapi, 'utf8'));

// OpenAPI refs point into the document ("#/components/schemas/Goods");
// Ajv sees the component schemas as one schema of their own, so each ref is
// rewritten to point there.
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
      out[key] = `${COMPONENTS_ID}#/$defs/${value.slice('#/components/schemas/'.length)}`;
    } else {
      out[key] = rewriteRefs(value);
    }
  }
  return out;
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
// OpenAPI's own schema keywords, annotations only.
ajv.addVocabulary(['example', 'externalDocs', 'xml', 'discriminator']);
ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components?.schemas ?? {}) });

const compiled = new Map();
function validatorFor(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(rewriteRefs(schema)));
  return compiled.get(schema);
}
const errorEnvelope = validatorFor({ $ref: '#/components/schemas/Error' });

// Follows a local "#/components/..." ref of a response or header object.
function resolve(node) {
  let seen = 0;
  while (node && typeof node.$ref === 'string') {
    if (++seen > 10) throw new Error(`ref loop at ${node.$ref}`);
    const path = node.$ref.replace(/^#\//, '').split('/');
    node = path.reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    if (node === undefined) throw new Error('unresolvable ref');
  }
  return node;
}

// Path templates as regular expressions; literal segments beat parameters
// ("/admin/goods/{id}" never shadows a literal sibling).
const routes = Object.entries(document.paths ?? {})
  .map(([template, item]) => ({
    template,
    item,
    regex: new RegExp(
      '^' + template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+') + '$',
    ),
    parameters: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.parameters - b.parameters);

// ---- The log --------------------------------------------------------------

function readLog(dir) {
  const records = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push({ ...JSON.parse(line), source: `${name}:${index + 1}` });
      } catch (error) {
        // A process killed mid-line (resilience tests kill nothing of ours,
        // but be exact): report it rather than guess.
        records.push({ source: `${name}:${index + 1}`, unreadable: String(error) });
      }
    });
  }
  return records;
}

// nginx matches locations on the normalised path: percent-decoded, slashes
// merged, dot segments resolved. The tests send raw paths (PATH_AS_IS), so
// the same normalisation finds the operation nginx chose.
function normalisePath(target) {
  let path = target.split('?')[0];
  try {
    path = decodeURIComponent(path);
  } catch {
    // Malformed escapes: nginx answers 400 before any location; keep raw.
  }
  const segments = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return '/' + segments.join('/');
}

function findResponse(responses, status) {
  const code = String(status);
  const range = `${code[0]}XX`;
  return responses?.[code] ?? responses?.[range] ?? responses?.default;
}

// ---- Checks ---------------------------------------------------------------

function ajvErrors(validate) {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${
    e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}${
    e.params?.allowedValues ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`);
}

function parseBody(record, problems) {
  if (record.body_not_utf8) {
    problems.push('body is not UTF-8');
    return undefined;
  }
  try {
    return JSON.parse(record.body ?? '');
  } catch {
    problems.push('body is not JSON');
    return undefined;
  }
}

// What an error message may never show a client: the database, the SQL
// driver, C++ internals, a stack trace. (SQL keywords are not on the list:
// a message may quote the client's own input back, and hostile input is
// full of them.)
const INTERNALS = /SQLSTATE|MariaDB|MySQL|mysqld|Connector\/C\+\+|cppconn|std::|what\(\)|\.cpp\b|\.h:\d|0x[0-9a-f]{8,}|#\d+ 0x|Traceback|Segmentation/;

function checkEnvelope(record, body, validate, problems) {
  if (!validate(body)) problems.push(...ajvErrors(validate));
  if (record.status >= 400 && INTERNALS.test(record.body ?? '')) {
    problems.push(`the error shows internals: ${INTERNALS.exec(record.body)[0]}`);
  }
  if (body && typeof body === 'object' && 'code' in body && body.code !== record.status) {
    problems.push(`envelope code ${body.code} differs from HTTP status ${record.status}`);
  }
}

// A header's value against its schema; integers arrive as text.
function checkHeader(name, header, record, problems) {
  const key = name.toLowerCase();
  if ((record.duplicate_headers ?? []).includes(key)) problems.push(`header ${name} is sent more than once`);
  if (!(key in (record.headers ?? {}))) {
    if (header.required) problems.push(`required header ${name} is missing`);
    return;
  }
  if (!header.schema) return;
  const raw = record.headers[key];
  const type = resolve(header.schema)?.type ?? header.schema.type;
  const value = type === 'integer' || type === 'number' ? (/^-?\d+$/.test(raw) ? Number(raw) : raw) : raw;
  const validate = validatorFor(header.schema);
  if (!validate(value)) problems.push(`header ${name}: "${raw}" ${ajvErrors(validate).join('; ')}`);
}

function checkDocumented(record, operation, problems) {
  const response = resolve(findResponse(operation.responses, record.status));
  if (!response) {
    problems.push(`status ${record.status} is not documented for this operation`);
    return;
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    checkHeader(name, resolve(header), record, problems);
  }
  if ((record.duplicate_headers ?? []).includes('content-type')) problems.push('Content-Type is sent more than once');
  if (record.method === 'HEAD' || !response.content) return;
  const contentType = (record.headers?.['content-type'] ?? '').split(';')[0].trim();
  const media = response.content[contentType];
  if (!media) {
    problems.push(`Content-Type "${contentType}" is not documented (documented: ${Object.keys(response.content).join(', ')})`);
    return;
  }
  if (contentType === 'text/event-stream') {
    if (!media['x-event-data']) {
      problems.push('the events media type names no x-event-data schema');
      return;
    }
    const validate = validatorFor(media['x-event-data']);
    if (!Array.isArray(record.events) || record.events.length === 0) {
      problems.push('the stream sent no message (the current state must come first)');
    }
    for (const [index, data] of (record.events ?? []).entries()) {
      let event;
      try {
        event = JSON.parse(data);
      } catch {
        problems.push(`event ${index}: data is not JSON`);
        continue;
      }
      if (!validate(event)) problems.push(...ajvErrors(validate).map((e) => `event ${index}: ${e}`));
    }
    return;
  }
  if (!media.schema) return;
  // A text body (the metrics) is checked as the string it is.
  if (contentType.startsWith('text/')) {
    const validate = validatorFor(media.schema);
    if (record.body_not_utf8) problems.push('body is not UTF-8');
    else if (!validate(record.body ?? '')) problems.push(...ajvErrors(validate));
    return;
  }
  const body = parseBody(record, problems);
  if (body !== undefined) checkEnvelope(record, body, validatorFor(media.schema), problems);
}

// An answer to something the document does not describe is still the error
// envelope.
function checkUndocumented(record, problems, why) {
  if (record.method === 'HEAD') return;
  const contentType = (record.headers?.['content-type'] ?? '').split(';')[0].trim();
  if (contentType !== 'application/json') {
    problems.push(`${why}: answered ${record.status} with Content-Type "${contentType}", not the JSON error envelope`);
    return;
  }
  const body = parseBody(record, problems);
  if (body !== undefined) checkEnvelope(record, body, errorEnvelope, problems);
  if (record.status < 400) problems.push(`${why}: answered ${record.status}, not an error`);
}

const coverage = new Map(); // "GET /path 200" -> count

function check(record) {
  const problems = [];
  if (record.unreadable) return [`log line unreadable: ${record.unreadable}`];
  const path = normalisePath(record.target ?? '');
  if (path !== '/api' && !path.startsWith('/api/')) return null; // pages, nginx internals
  const route = routes.find((r) => r.regex.test(path));
  if (!route) {
    checkUndocumented(record, problems, `no path in the document matches ${path}`);
    return problems;
  }
  const operation = route.item[record.method.toLowerCase()];
  if (!operation) {
    const why = `${record.method} is not an operation of ${route.template}`;
    checkUndocumented(record, problems, why);
    const earlier = [400, 413, 429, 503, 504];
    if (route.template.startsWith('/api/small/admin/')) earlier.push(401);
    if (record.status === 405) {
      if (!record.headers?.allow) problems.push('405 without an Allow header');
    } else if (!earlier.includes(record.status)) {
      problems.push(`${why}: answered ${record.status}, not 405`);
    }
    return problems;
  }
  const key = `${record.method} ${route.template} ${record.status}`;
  coverage.set(key, (coverage.get(key) ?? 0) + 1);
  checkDocumented(record, operation, problems);
  return problems;
}

// ---- Run ------------------------------------------------------------------

const records = readLog(args['log-dir']);
if (records.length === 0) {
  console.error(`no exchanges recorded in ${args['log-dir']}: run the integration suites (ctest -L integration)`);
  process.exit(1);
}

let checked = 0;
const failures = [];
for (const record of records) {
  const problems = check(record);
  if (problems === null) continue;
  checked += 1;
  if (problems.length > 0) failures.push({ record, problems });
}

const documented = [];
for (const route of routes) {
  for (const method of METHODS) {
    const operation = route.item[method];
    if (!operation) continue;
    for (const status of Object.keys(operation.responses ?? {})) {
      documented.push(`${method.toUpperCase()} ${route.template} ${status}`);
    }
  }
}
const unexercised = documented.filter((key) => !coverage.has(key));

console.log(`contract: ${records.length} answers logged, ${checked} under /api/ checked against ${args.openapi}`);
if (checked === 0) {
  console.error('contract: no API answer among them: nothing was checked');
  process.exit(1);
}
console.log(`contract: ${coverage.size} of ${documented.length} documented (operation, status) pairs seen`);
if (args.verbose) {
  for (const [key, count] of [...coverage].sort()) console.log(`  seen ${String(count).padStart(6)}  ${key}`);
  for (const key of unexercised) console.log(`  not exercised  ${key}`);
}

if (failures.length > 0) {
  console.error(`\ncontract: ${failures.length} answers do not match the document:`);
  for (const { record, problems } of failures.slice(0, MAX_FAILURES_SHOWN)) {
    const body = record.body === undefined ? '' : `\n    body: ${record.body.slice(0, 400)}`;
    console.error(`\n  ${record.method} ${record.target} -> ${record.status}  [${record.test || '?'}; ${record.source}]`);
    for (const problem of problems) console.error(`    - ${problem}`);
    if (body) console.error(body);
  }
  if (failures.length > MAX_FAILURES_SHOWN) console.error(`\n  ... and ${failures.length - MAX_FAILURES_SHOWN} more`);
  process.exit(1);
}
console.log('contract: every answer matches the document');
