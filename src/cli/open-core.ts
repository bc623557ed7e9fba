import { buildCore, loadConfig, type BuildCoreOptions, type Core } from '../core/index.ts';

/** Runs `task` on a core built from the environment, and closes the core whatever happens. */
export async function withCore<T>(task: (core: Core) => Promise<T>, options?: BuildCoreOptions): Promise<T> {
  const core = await buildCore(loadConfig(), { role: 'command', ...options });
  try {
    return await task(core);
  } finally {
    await core.close();
  }
}
