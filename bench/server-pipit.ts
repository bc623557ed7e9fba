import { buildCore, loadConfig } from '../src/core/index.ts';
import { startWeb } from '../src/web/server.ts';
import { serveUntilStopped } from './child-lifecycle.ts';

// The server under test, exactly as `pipit web` runs it: buildCore + startWeb, configured from the
// environment bench/run.ts gives it (DATA_DIR or DATABASE_URL, HOST=127.0.0.1, PORT=0, LOG_LEVEL).

const config = loadConfig(process.env, { dotenvPath: null });
const core = await buildCore(config);
const web = await startWeb(core);
serveUntilStopped(web.address, async () => {
  await web.close();
  await core.close();
});
