import { WEB_APPS } from '../../src/http/web.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, openTestEnv, registeredRoutes, staffToken, type TestEnv } from './helpers.js';

type Json = any;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The keywords of an OpenAPI 3.0 Schema Object (a subset of JSON Schema draft 5, with its own additions). */
const SCHEMA_KEYWORDS = new Set([
  'title', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type', 'allOf', 'oneOf',
  'anyOf', 'not', 'items', 'properties', 'additionalProperties', 'description', 'format', 'default', 'nullable',
  'discriminator', 'readOnly', 'writeOnly', 'xml', 'externalDocs', 'example', 'deprecated', '$ref',
]);
const SCHEMA_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/**
 * Checks a document against the OpenAPI 3.0 specification's structural rules (the parts a
 * generator can get wrong): required fields, path templating, parameters, responses, security
 * references, $refs, and that every schema uses only OpenAPI 3.0 Schema Object keywords.
 * Returns the problems found, each with where it is.
 */
function openApi30Problems(doc: Json): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string): void => {
    problems.push(`${where}: ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

  function resolve(ref: string): Json {
    if (!ref.startsWith('#/')) return undefined;
    return ref.slice(2).split('/').reduce((node: Json, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  }
  function schema(s: Json, where: string): void {
    if (!isObject(s)) return problem(where, 'schema is not an object');
    if ('$ref' in s) {
      if (typeof s.$ref !== 'string' || resolve(s.$ref) === undefined) problem(where, `unresolvable $ref ${s.$ref}`);
      return;
    }
    for (const key of Object.keys(s)) if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) problem(where, `keyword "${key}" is not OpenAPI 3.0`);
    if ('type' in s && !(typeof s.type === 'string' && SCHEMA_TYPES.has(s.type))) problem(where, `type ${JSON.stringify(s.type)} is not an OpenAPI 3.0 type`);
    if (s.type === 'array' && !('items' in s)) problem(where, 'an array schema needs items');
    for (const k of ['exclusiveMinimum', 'exclusiveMaximum', 'nullable', 'uniqueItems', 'readOnly', 'writeOnly', 'deprecated']) {
      if (k in s && typeof s[k] !== 'boolean') problem(where, `${k} must be a boolean in OpenAPI 3.0`);
    }
    for (const k of ['minimum', 'maximum', 'multipleOf']) if (k in s && typeof s[k] !== 'number') problem(where, `${k} must be a number`);
    for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
      if (k in s && !(Number.isInteger(s[k]) && s[k] >= 0)) problem(where, `${k} must be a non-negative integer`);
    }
    if ('pattern' in s) {
      try {
        new RegExp(s.pattern, 'u');
      } catch {
        problem(where, `pattern ${s.pattern} is not a regular expression`);
      }
    }
    if ('required' in s && !(Array.isArray(s.required) && s.required.length > 0 && s.required.every((r: unknown) => typeof r === 'string'))) {
      problem(where, 'required must be a non-empty array of names');
    }
    if ('enum' in s && !(Array.isArray(s.enum) && s.enum.length > 0)) problem(where, 'enum must be a non-empty array');
    if (Array.isArray(s.required) && isObject(s.properties)) {
      for (const r of s.required) if (!(r in s.properties) && s.additionalProperties === false) problem(where, `required "${r}" is not among the properties`);
    }
    if (isObject(s.properties)) for (const [k, v] of Object.entries(s.properties)) schema(v, `${where}.properties.${k}`);
    if ('items' in s) schema(s.items, `${where}.items`);
    if (isObject(s.additionalProperties)) schema(s.additionalProperties, `${where}.additionalProperties`);
    for (const k of ['allOf', 'oneOf', 'anyOf']) {
      if (k in s) {
        if (!Array.isArray(s[k]) || s[k].length === 0) problem(where, `${k} must be a non-empty array`);
        else s[k].forEach((sub: Json, i: number) => schema(sub, `${where}.${k}[${i}]`));
      }
    }
    if ('not' in s) schema(s.not, `${where}.not`);
  }
  function content(c: Json, where: string) {
    if (!isObject(c) || Object.keys(c).length === 0) return problem(where, 'content must map media types');
    for (const [type, media] of Object.entries(c)) {
      if (!/^[a-z*]+\/[a-z0-9.+*-]+$/i.test(type)) problem(where, `media type ${type}`);
      if (!isObject(media)) problem(`${where}.${type}`, 'media type object expected');
      else if ('schema' in media) schema(media.schema, `${where}.${type}.schema`);
    }
  }

  if (typeof doc?.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problem('openapi', `version ${doc?.openapi} is not 3.0.x`);
  if (!isObject(doc.info) || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') problem('info', 'title and version are required');
  if (!isObject(doc.paths)) {
    problem('paths', 'required');
    return problems;
  }
  const schemes = isObject(doc.components?.securitySchemes) ? doc.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!['apiKey', 'http', 'oauth2', 'openIdConnect'].includes((scheme as Json).type)) problem(`components.securitySchemes.${name}`, 'bad type');
    if ((scheme as Json).type === 'http' && typeof (scheme as Json).scheme !== 'string') problem(`components.securitySchemes.${name}`, 'http needs scheme');
  }
  for (const [k, v] of Object.entries(isObject(doc.components?.schemas) ? doc.components.schemas : {})) schema(v, `components.schemas.${k}`);
  const checkSecurity = (sec: Json, where: string) => {
    if (!Array.isArray(sec)) return problem(where, 'security must be an array');
    for (const req of sec) for (const name of Object.keys(req)) if (!(name in schemes)) problem(where, `unknown security scheme ${name}`);
  };
  if ('security' in doc) checkSecurity(doc.security, 'security');
  const operationIds = new Set<string>();

  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    if (!path.startsWith('/')) problem(path, 'a path must start with /');
    if (/:[A-Za-z]/.test(path)) problem(path, 'a path parameter must be written {name}, not :name');
    if (!isObject(item)) {
      problem(path, 'path item must be an object');
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!HTTP_METHODS.includes(method)) {
        if (!['parameters', 'summary', 'description', 'servers', '$ref'].includes(method)) problem(where, 'unknown path item field');
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) problem(where, `duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const params: Json[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const seen = new Set<string>();
      for (const p of params) {
        if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(p.in)) problem(where, `bad parameter ${JSON.stringify(p)}`);
        if (seen.has(`${p.in}:${p.name}`)) problem(where, `duplicate parameter ${p.name}`);
        seen.add(`${p.in}:${p.name}`);
        if (p.in === 'path' && p.required !== true) problem(where, `path parameter ${p.name} must be required`);
        if (p.in === 'path' && !templated.includes(p.name)) problem(where, `path parameter ${p.name} is not in the path`);
        if (!('schema' in p) && !('content' in p)) problem(where, `parameter ${p.name} needs a schema`);
        if ('schema' in p) schema(p.schema, `${where} parameter ${p.name}`);
      }
      for (const name of templated) if (!params.some((p) => p.in === 'path' && p.name === name)) problem(where, `{${name}} has no path parameter`);
      if ('requestBody' in op) {
        if (!isObject(op.requestBody)) problem(where, 'requestBody must be an object');
        else content(op.requestBody.content, `${where} requestBody`);
      }
      if ((method === 'get' || method === 'head') && 'requestBody' in op) problem(where, 'GET has a request body');
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
        problem(where, 'responses are required');
        continue;
      }
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        if (!/^([1-5][0-9]{2}|[1-5]XX|default)$/.test(status)) problem(where, `response key ${status}`);
        if (!isObject(response)) problem(where, `response ${status} must be an object`);
        else {
          if (typeof response.description !== 'string') problem(`${where} ${status}`, 'description is required');
          if ('content' in response) content(response.content, `${where} ${status}`);
        }
      }
      if ('security' in op) checkSecurity(op.security, where);
    }
  }
  return problems;
}

describe('the OpenAPI 3.0 checker itself', () => {
  it('finds the mistakes it is there to find', () => {
    const bad = {
      openapi: '3.1.0',
      info: { title: 't' },
      paths: {
        '/a/:id': { get: { responses: { '200': { content: { 'application/json': { schema: { type: ['string', 'null'], const: 1 } } } } } } },
        '/b/{id}': { post: { security: [{ nope: [] }], responses: { ok: { description: 'x' } } } },
      },
    };
    const problems = openApi30Problems(bad);
    for (const expected of ['version 3.1.0', 'title and version', 'not :name', 'description is required', 'keyword "const"', 'type ["string","null"]', '{id} has no path parameter', 'unknown security scheme nope', 'response key ok']) {
      expect(problems.join('\n')).toContain(expected);
    }
  });
});

// The app's own description of itself, and its health check, on every store.
describe.each(STORE_NAMES)('meta routes on %s', (storeName) => {
  let env: TestEnv;
  let doc: Json;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    const res = await call(env.base, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('/healthz answers ok with the store kind', async () => {
    const res = await call(env.base, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', store: storeName });
  });

  it('/openapi.json is a valid OpenAPI 3.0 document', () => {
    expect(openApi30Problems(doc)).toEqual([]);
    expect(doc.components.securitySchemes.staffToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents exactly the routes the app registers (but itself and the docs UI)', () => {
    const registered = registeredRoutes(env.server.app)
      .filter((r) => r.method !== 'HEAD' && r.url !== '/openapi.json' && r.url !== '/docs' && !r.url.startsWith('/docs/'))
      // The web apps' pages are not API routes.
      .filter((r) => r.url !== '/' && !WEB_APPS.some((name) => r.url === `/${name}` || r.url.startsWith(`/${name}/`) || r.url === `/${name}*`))
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Json>)
      .flatMap(([path, item]) => Object.keys(item).filter((m) => HTTP_METHODS.includes(m)).map((m) => `${m} ${path}`))
      .sort();
    expect(registered.length).toBeGreaterThanOrEqual(8);
    expect(documented).toEqual(registered);
  });

  // Public by design: the key set wallets verify merchant codes with, sign-up, device requests,
  // sign-in, and merchant applications (each rate-limited per address).
  const PUBLIC_V1 = [
    'get /v1/qr/keys',
    'post /v1/consumers',
    'post /v1/consumers/devices',
    'post /v1/consumers/devices/{deviceId}/verify-identity',
    'post /v1/consumers/passkey/options',
    'post /v1/consumers/passkey',
    'post /v1/consumers/devices/passkey/options',
    'post /v1/consumers/devices/passkey',
    'post /v1/sessions/challenge',
    'post /v1/sessions',
    'post /v1/merchants',
  ];
  /** Who may call a /v1 path: staff on /v1/ops and /v1/ledger, wallets on /v1/wallet, merchants on theirs. */
  function expectedSecurity(path: string): Json[] {
    if (path.startsWith('/v1/ops/') || path.startsWith('/v1/ledger/')) return [{ staffToken: [] }];
    if (path.startsWith('/v1/wallet') || path === '/v1/sessions/logout') return [{ consumerSession: [] }];
    if (path.startsWith('/v1/merchant') || path.startsWith('/v1/orders') || path.startsWith('/v1/payments')) return [{ merchantKey: [] }];
    throw new Error(`no audience known for ${path}`);
  }

  it('documents for every operation a success schema and its error responses in the error format', () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        const where = `${method} ${path}`;
        const success = ['200', '201', '204'].find((s) => s in op.responses);
        expect(success, `${where} success response`).toBeDefined();
        if (success !== '204') {
          const content = op.responses[success!].content ?? {};
          const json = content['application/json']?.schema;
          if (json) {
            expect(json.type, where).toBe('object');
            expect(Object.keys(json.properties ?? {}).length, where).toBeGreaterThan(0);
          } else {
            // Posters are SVG, live events a stream; nothing else leaves without a JSON schema.
            expect(Object.keys(content).some((t) => t === 'image/svg+xml' || t === 'text/event-stream'), `${where} content ${Object.keys(content)}`).toBe(true);
          }
        }
        const errors = Object.keys(op.responses).filter((s) => /^[45]/.test(s));
        expect(errors.length, `${where} error responses`).toBeGreaterThan(0);
        if (!path.startsWith('/v1/')) continue;
        if (PUBLIC_V1.includes(`${method} ${path}`)) {
          expect(errors, where).toEqual(expect.arrayContaining(['429', '503']));
          expect(op.security ?? [], where).toEqual([]);
          continue;
        }
        // Every other /v1 route sits behind a credential, the rate limit and the overload guard.
        const expected = ['401', '429', '503', ...(method === 'post' && op.requestBody ? ['400', '413'] : []), ...(/\{[a-zA-Z]*[iI]d\}/.test(path) ? ['404'] : [])];
        expect(errors, where).toEqual(expect.arrayContaining(expected));
        for (const status of errors) {
          const s = op.responses[status].content['application/json'].schema;
          expect(s.required, `${where} ${status}`).toEqual(['error']);
          expect(s.properties.error.required, `${where} ${status}`).toEqual(['type', 'code', 'message']);
        }
        expect(op.security, where).toEqual(expectedSecurity(path));
      }
    }
  });

  it('documents limits as the server enforces them', () => {
    const body = doc.paths['/v1/ledger/transfers'].post.requestBody.content['application/json'].schema;
    const item = body.properties.transfers.items;
    expect(body.properties.transfers.maxItems).toBe(8190);
    expect(item.properties.amountMinor).toMatchObject({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
    expect(item.additionalProperties).toBe(false);
    expect(item.properties.id).toMatchObject({ maxLength: 64 });
  });

  it('/docs serves the docs page as HTML with a content security policy', async () => {
    const res = await call(env.base, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Its assets are served too.
    const init = await call(env.base, 'GET', '/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
  });

  it('/healthz says unavailable with 503 when the database is gone', async () => {
    const broken = await openTestEnv(storeName);
    try {
      const token = await staffToken(broken.platform, 'admin');
      await broken.platform.store.close();
      const res = await call(broken.base, 'GET', '/healthz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', store: storeName });
      // And the API answers 5xx in the error format, not with a hang or a dropped connection.
      const api = await call(broken.base, 'GET', '/v1/ledger/verify', { token, timeoutMs: 10_000 });
      expect(api.status).toBeGreaterThanOrEqual(500);
      expect(Object.keys(api.body)).toEqual(['error']);
    } finally {
      // The store was closed above: closing it again may fail; the database is dropped anyway.
      await broken.close().catch(() => undefined);
    }
  });
});
