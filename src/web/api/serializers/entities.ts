import type { FastifyInstance } from 'fastify';
import { accountProperties } from './account.ts';
import { notificationEntity } from './notification.ts';
import { relationshipEntity } from './relationship.ts';
import { entity, obj } from './schema.ts';
import { boostedStatusEntity, statusEntity } from './status.ts';
import { tagEntity } from './tag.ts';

// The entities many answers carry, each added once to the app as a shared schema: response schemas
// refer to them (`ref('Account')`), fast-json-stringify serializes through them, and the API description
// lists them once under their names (components/schemas) instead of a copy in each operation.

const ENTITIES = [
  entity('Account', obj(accountProperties)),
  entity('Status', statusEntity),
  entity('BoostedStatus', boostedStatusEntity),
  entity('Relationship', relationshipEntity),
  entity('Tag', tagEntity),
  entity('Notification', notificationEntity),
];

/** Adds the entities to the app's root, before any scope registers a route that refers to them. */
export function registerEntitySchemas(app: FastifyInstance): void {
  for (const schema of ENTITIES) app.addSchema(schema);
}
