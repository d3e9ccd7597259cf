// @ts-check
/**
 * Checks one exchange with the Secrets Store API (a request and, when one went out, its answer)
 * against test/contract/secrets-store.schema.yaml, the API as Cloudflare's published schema
 * states it. Each violation is one line naming the operation, the field and the rule broken.
 *
 * The fake (test/fake-cloudflare/server.js) runs every exchange it serves through check(), so
 * the integration and contract tests hold the client and the fake to the published schema.
 * Plain ESM JavaScript, like the fake, which `node` runs as it is.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const SCHEMA_FILE = new URL('./secrets-store.schema.yaml', import.meta.url);

/**
 * @typedef {object} Exchange
 * @property {string} method
 * @property {string} path Below the API root (/client/v4), without the query.
 * @property {Record<string, string | string[]>} query Repeated keys as arrays.
 * @property {unknown} body Parsed JSON, the raw text when not JSON, undefined when empty.
 * @property {boolean} bodyIsJson
 * @property {{ status: number, body: string } | undefined} response Undefined: not checked.
 *
 * @typedef {object} CheckOptions
 * @property {readonly string[]} [knownScopes] Scopes the API being played knows beyond the
 *   schema's enum (a newer API): not a violation where a scope is expected.
 *
 * @typedef {{ name: string, in: string, required?: boolean, explode?: boolean, schema: any }} Parameter
 * @typedef {{ method: string, template: string, pattern: RegExp, names: string[], parameters: Parameter[], body: any, responses: Record<string, any> }} Operation
 */

class Contract {
  /** @param {any} document An OpenAPI 3.0 document (the parsed YAML). */
  constructor(document) {
    this.document = document;
    this.ajv = new Ajv({ allErrors: true, verbose: true });
    // Times as the API writes them: ISO 8601, any number of fraction digits.
    this.ajv.addFormat(
      'date-time',
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
    );
    this.ajv.addSchema(rewriteRefs({ $id: 'contract', definitions: document.components.schemas }));
    /** Validators by schema object: each is compiled once per process. */
    /** @type {WeakMap<object, import('ajv').ValidateFunction>} */
    this.compiled = new WeakMap();
    /** @type {Operation[]} */
    this.operations = [];
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(/** @type {Record<string, any>} */ (item))) {
        /** @type {string[]} */
        const names = [];
        const source = template.replace(/\{(\w+)\}/g, (_, name) => {
          names.push(name);
          return '([^/]+)';
        });
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source}$`),
          names,
          parameters: (op.parameters ?? []).map((/** @type {any} */ p) => this.resolve(p)),
          body: op.requestBody?.content?.['application/json']?.schema,
          responses: Object.fromEntries(
            Object.entries(op.responses).map(([status, r]) => [
              status,
              this.resolve(r).content?.['application/json']?.schema,
            ]),
          ),
        });
      }
    }
  }

  /** `METHOD /template` of every operation, e.g. `GET /accounts/{account_id}/secrets_store/quota`. */
  endpoints() {
    return this.operations.map((op) => `${op.method} ${op.template}`);
  }

  /**
   * The violations of `exchange`, one line each; none when it conforms.
   * @param {Exchange} exchange
   * @param {CheckOptions} [options]
   * @returns {string[]}
   */
  check(exchange, options = {}) {
    const method = exchange.method.toUpperCase();
    const candidates = this.operations.filter((op) => op.pattern.test(exchange.path));
    const op = candidates.find((candidate) => candidate.method === method);
    if (!op) {
      const why = candidates.length
        ? `the contract has no ${method} here (only ${candidates.map((c) => c.method).join(', ')})`
        : 'no path of the contract matches';
      return [`${method} ${exchange.path}: ${why}`];
    }
    const where = `${method} ${op.template}`;
    const known = options.knownScopes ?? [];
    /** @type {string[]} */
    const found = [];
    const report = (
      /** @type {string} */ part,
      /** @type {any} */ schema,
      /** @type {unknown} */ value,
    ) => {
      for (const line of this.validate(schema, value, known))
        found.push(`${where}: ${part}${line}`);
    };

    const values = /** @type {RegExpExecArray} */ (op.pattern.exec(exchange.path));
    op.names.forEach((name, i) => {
      const param = op.parameters.find((p) => p.in === 'path' && p.name === name);
      report(`path ${name}`, param?.schema ?? {}, decodeURIComponent(values[i + 1] ?? ''));
    });
    for (const [key, raw] of Object.entries(exchange.query)) {
      const param = op.parameters.find((p) => p.in === 'query' && p.name === key);
      if (!param) {
        found.push(`${where}: query ${key}: not a parameter of this operation`);
        continue;
      }
      if (Array.isArray(raw) && param.explode === false) {
        found.push(
          `${where}: query ${key}: sent as repeated keys; the schema joins its values with commas (explode: false)`,
        );
        continue;
      }
      for (const one of [raw].flat())
        report(`query ${key}`, param.schema, fromQuery(one, param.schema));
    }

    if (op.body) {
      if (exchange.body === undefined) found.push(`${where}: request body: missing (required)`);
      else if (!exchange.bodyIsJson) found.push(`${where}: request body: not JSON`);
      else report('request body', op.body, exchange.body);
    } else if (exchange.body !== undefined) {
      found.push(`${where}: request body: this operation takes none`);
    }

    const response = exchange.response;
    if (response) {
      const { status } = response;
      const key = String(status) in op.responses ? String(status) : `${String(status)[0]}XX`;
      if (!(key in op.responses)) {
        const listed = Object.keys(op.responses).join(', ');
        found.push(
          `${where}: status ${status}: not an answer of this operation (it answers ${listed})`,
        );
      } else {
        let parsed;
        try {
          parsed = JSON.parse(response.body);
        } catch {
          found.push(`${where}: answer ${status}: body is not JSON`);
        }
        if (parsed !== undefined) report(`answer ${status} body`, op.responses[key], parsed);
      }
    }
    return found;
  }

  /**
   * ` /pointer: message (keyword)` (no pointer at the top) for each error of `value` against `schema`.
   * @param {any} schema @param {unknown} value @param {readonly string[]} knownScopes
   */
  validate(schema, value, knownScopes) {
    const validator = this.compiled.get(schema) ?? this.ajv.compile(rewriteRefs(schema));
    this.compiled.set(schema, validator);
    if (validator(value)) return [];
    const errors = /** @type {import('ajv').ErrorObject[]} */ (validator.errors ?? []);
    return errors
      .filter(
        (e) =>
          !(e.keyword === 'enum' && isScope(e.schemaPath) && knownScopes.includes(String(e.data))),
      )
      .filter((e) => !(e.keyword === 'allOf' || e.keyword === 'if'))
      .map((e) => `${e.instancePath ? ` ${e.instancePath}` : ''}: ${e.message} (${e.keyword})`);
  }

  /** Follows a local `$ref` to a parameter or response. @param {any} node */
  resolve(node) {
    const ref = node?.$ref;
    if (typeof ref !== 'string') return node;
    return ref
      .slice(2)
      .split('/')
      .reduce((/** @type {any} */ at, /** @type {string} */ key) => at[key], this.document);
  }
}

/** A query string value as the type its schema says. @param {string} raw @param {any} schema */
function fromQuery(raw, schema) {
  switch (schema?.type) {
    case 'integer':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      return raw.split(',');
    default:
      return raw;
  }
}

/** A schema whose component refs point into the `contract` schema Ajv holds. @param {any} schema */
function rewriteRefs(schema) {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', '"contract#/definitions/'),
  );
}

/** Whether an error's schema path is the enum of a scope. @param {string} schemaPath */
function isScope(schemaPath) {
  return schemaPath === 'contract#/definitions/scope/enum';
}

/** @type {Contract | undefined} */
let loaded;

/** The contract of secrets-store.schema.yaml, read and compiled once per process. */
export function contract() {
  loaded ??= new Contract(parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return loaded;
}
