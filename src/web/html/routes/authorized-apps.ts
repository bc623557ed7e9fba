import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/index.ts';
import { authorizedAppsPage } from '../views/authorized-apps-page.ts';
import { pageContext, sendPage } from '../views/page-context.ts';

const appParams = { params: { type: 'object', properties: { appId: { type: 'string', pattern: '^[0-9]{1,19}$' } } } } as const;

/** `/settings/apps`: the apps a person authorized, and revoking each (effective at the next request). */
export function registerAuthorizedApps(app: FastifyInstance, core: Core): void {
  app.get<{ Querystring: { revoked?: string } }>('/settings/apps', async (request, reply) => {
    if (!request.account) return reply.redirect('/auth/sign_in?return_to=%2Fsettings%2Fapps', 303);
    const apps = await core.oauth.listAuthorizedApps(request.account.id);
    return sendPage(reply, authorizedAppsPage({ ...pageContext(request, reply), current: 'settings' }, apps, { revoked: request.query.revoked === '1' }));
  });

  app.post<{ Params: { appId: string } }>('/settings/apps/:appId/revoke', { schema: appParams, preHandler: app.csrfProtection }, async (request, reply) => {
    if (!request.account) return reply.redirect('/auth/sign_in?return_to=%2Fsettings%2Fapps', 303);
    const revoked = await core.oauth.revokeAuthorizedApp(request.account.id, request.params.appId);
    request.log.info({ appId: request.params.appId, revoked }, 'oauth app access revoked');
    return reply.redirect('/settings/apps?revoked=1', 303);
  });
}
