import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Forbidden, type Config } from '../../core/index.ts';

// State-changing requests must come from this site's own pages. Browsers say where a request comes
// from (Sec-Fetch-Site, Origin); when they say "another site", the request is refused before its body
// is read, whatever cookies it carries. Old clients that send neither still need a valid CSRF token,
// so this adds to the token check rather than replacing it. A route that must take cross-site posts
// (one-click unsubscribe, RFC 8058) says so with `config: { crossSite: 'allowed' }`.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `allowed`: this state-changing route accepts requests from other sites (its own credential decides). */
    crossSite?: 'allowed';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// `none`: typed, bookmarked or resubmitted by the user themselves.
const OWN_SITE = new Set(['same-origin', 'none']);

function originOf(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).origin : undefined;
}

/** Refuses unsafe-method requests that browsers mark as coming from another site (403 page). */
export function registerCrossSiteGuard(app: FastifyInstance, config: Config): void {
  const publicOrigin = new URL(config.publicUrl).origin;
  const refuse = () =>
    new Forbidden(`This form was sent from another website, so it was refused. If you meant to do this, open ${config.publicUrl} and use the form there.`);
  const ownOrigin = (request: FastifyRequest, origin: string) => {
    const given = originOf(origin);
    return given !== undefined && (given === publicOrigin || given === originOf(`${request.protocol}://${request.host}`));
  };

  app.addHook('onRequest', async (request) => {
    if (SAFE_METHODS.has(request.method) || request.routeOptions.config?.crossSite === 'allowed') return;
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && !OWN_SITE.has(String(site))) throw refuse();
    const origin = request.headers.origin;
    // "null" says nothing: browsers send it for our own forms too, since our Referrer-Policy is
    // no-referrer (Fetch standard), and for sandboxed frames. Sec-Fetch-Site, which they send along
    // with it, has already decided; without it, the CSRF token does.
    if (origin !== undefined && origin !== 'null' && !ownOrigin(request, origin)) throw refuse();
  });
}
