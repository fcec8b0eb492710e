// A private stack (MariaDB, the pool, nginx) for one browser test file,
// started through scripts/stack exactly like the C++ integration tests do:
// its own port and its own state directory under the build directory, wiped
// at start, stopped at the end.
//
//   const stack = await startStack('storefront', 18190);
//   stack.baseUrl                       'http://127.0.0.1:18190'
//   stack.createToken('owner')          a fresh admin token
//   stack.sql('UPDATE goods SET ...')   privileged SQL on the shop's database
//   await stack.api('POST', '/api/small/cart', {...})  -> {status, body}
//   stack.stop()
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = process.env.UMKM_ROOT ?? resolve(fileURLToPath(import.meta.url), '../../../..');
export const BUILD_DIR = process.env.UMKM_BUILD_DIR ?? join(ROOT, 'build');

// Runs a command with its output in a file, never a pipe: the daemons that
// `scripts/stack start` launches inherit stdout/stderr and would hold a pipe
// (and this process) open for as long as they live.
function run(args, { env, input, timeoutMs = 120_000 } = {}) {
  const logPath = join(BUILD_DIR, 'browser', `command-${process.pid}.log`);
  mkdirSync(join(BUILD_DIR, 'browser'), { recursive: true });
  const fd = openSync(logPath, 'w');
  let result;
  try {
    result = spawnSync(args[0], args.slice(1), {
      env: { ...process.env, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', fd, fd],
      input,
      timeout: timeoutMs,
    });
  } finally {
    closeSync(fd);
  }
  const output = readFileSync(logPath, 'utf8');
  rmSync(logPath, { force: true });
  if (result.error || result.status !== 0) {
    throw new Error(`${args.join(' ')} failed (${result.error ?? `exit ${result.status}`}):\n${output}`);
  }
  return output;
}

export async function startStack(name, port) {
  const stateDir = join(BUILD_DIR, 'test-stacks', `browser-${name}`);
  const env = {
    UMKM_STATE_DIR: stateDir,
    UMKM_HTTP_PORT: String(port),
    UMKM_BUILD_DIR: BUILD_DIR,
    UMKM_WORKERS: '2',
  };
  const stack = join(ROOT, 'scripts', 'stack');
  // A stack left running by an aborted earlier run is stopped by its pids.
  run([stack, 'stop'], { env });
  rmSync(stateDir, { recursive: true, force: true });
  run([stack, 'start'], { env });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    stateDir,
    stop() {
      if (process.env.UMKM_TEST_KEEP_STACK) return;
      run([stack, 'stop'], { env });
    },
    createToken(tokenName) {
      const output = run([join(ROOT, 'scripts', 'admin-token'), tokenName], { env });
      const lines = output.trim().split('\n');
      return lines[lines.length - 1].trim();
    },
    sql(statement) {
      return run([stack, 'sql'], { env, input: statement });
    },
    // The API without a browser, for setting a scene or checking an outcome.
    async api(method, path, body, token) {
      const headers = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      const response = await fetch(baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}
