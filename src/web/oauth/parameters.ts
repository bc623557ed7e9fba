import type { FastifyRequest } from 'fastify';

// OAuth clients send parameters every way there is: a JSON body (Elk, Ice Cubes), a form (Tusky,
// Phanpy), or the query string (old Ice Cubes builds). They are merged as Rails does: body over query.

export type Parameters = Record<string, unknown>;

function asObject(value: unknown): Parameters {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Parameters) : {};
}

/** The query and body parameters of a request, merged (the body wins). */
export function parametersOf(request: FastifyRequest): Parameters {
  return { ...asObject(request.query), ...asObject(request.body) };
}

/** A parameter as a single string: `undefined` when absent, empty or not a string. */
export function stringParameter(parameters: Parameters, name: string): string | undefined {
  const value = parameters[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Booleans as clients write them: `true`, `1`, `on`, `yes` (Elk sends `force_login=false` as a string). */
export function booleanParameter(parameters: Parameters, name: string): boolean {
  const value = parameters[name];
  if (value === true) return true;
  return typeof value === 'string' && ['true', '1', 'on', 'yes'].includes(value.toLowerCase());
}

export interface ClientCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Both HTTP Basic and body credentials were given, and they disagree. */
  conflicting: boolean;
}

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then base64) or from the parameters. */
export function clientCredentials(request: FastifyRequest, parameters: Parameters): ClientCredentials {
  const fromBody = { clientId: stringParameter(parameters, 'client_id'), clientSecret: stringParameter(parameters, 'client_secret') };
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1000})\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!basic) return { ...fromBody, conflicting: false };
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = formDecode(colon < 0 ? decoded : decoded.slice(0, colon));
  const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
  const conflicting = (fromBody.clientId !== undefined && fromBody.clientId !== id) || (fromBody.clientSecret !== undefined && fromBody.clientSecret !== secret);
  return { clientId: id || undefined, clientSecret: secret || undefined, conflicting };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
