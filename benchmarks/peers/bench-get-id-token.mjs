// In-process latency of @actions/core's getIDToken, the peer of GitHubOidcClient.GetTokenAsync(aud, Fresh).
//
// Usage: node bench-get-id-token.mjs [audience=aud] [iterations=300] [warmup=30]
// Reads ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN from the environment (run oidc-token-mock).
//
// Warms up, then awaits `iterations` sequential core.getIDToken(audience) calls, timing each with
// process.hrtime.bigint(). @actions/core writes "::debug::" and "::add-mask::<token>" to stdout on every call, as it
// does in a real action; that cost is part of the peer, so the lines are left alone: send stdout to /dev/null or a file.
// The result is a human summary on stderr and, as the last line on stdout, one JSON object:
//   {"tool":"@actions/core","version":…,"node":…,"audience":…,"iterations":…,"warmup":…,
//    "meanUs":…,"medianUs":…,"p95Us":…,"minUs":…,"maxUs":…,
//    "heapUsedBytes":…,"heapUsedAfterGcBytes":…|null,"rssBytes":…,"maxRssBytes":…}
// heapUsedAfterGcBytes is filled when node runs with --expose-gc.
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';

const audience = process.argv[2] ?? 'aud';
const iterations = Number.parseInt(process.argv[3] ?? '300', 10);
const warmup = Number.parseInt(process.argv[4] ?? '30', 10);
if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(warmup) || warmup < 0) {
  process.stderr.write('usage: node bench-get-id-token.mjs [audience] [iterations>=1] [warmup>=0]\n');
  process.exit(2);
}

const version = JSON.parse(
  readFileSync(new URL('./node_modules/@actions/core/package.json', import.meta.url), 'utf8'),
).version;

async function once() {
  const token = await core.getIDToken(audience);
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new Error('getIDToken returned something that is not a JWT');
  }
}

try {
  for (let i = 0; i < warmup; i++) {
    await once();
  }

  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await once();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000; // microseconds
  }

  const memory = process.memoryUsage();
  let heapUsedAfterGcBytes = null;
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    heapUsedAfterGcBytes = process.memoryUsage().heapUsed;
  }

  const sorted = Array.from(samples).sort((a, b) => a - b);
  const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const median = sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const round = (x) => Math.round(x * 10) / 10;
  const result = {
    tool: '@actions/core',
    version,
    node: process.version,
    audience,
    iterations,
    warmup,
    meanUs: round(sorted.reduce((sum, x) => sum + x, 0) / sorted.length),
    medianUs: round(median),
    p95Us: round(quantile(0.95)),
    minUs: round(sorted[0]),
    maxUs: round(sorted[sorted.length - 1]),
    heapUsedBytes: memory.heapUsed,
    heapUsedAfterGcBytes,
    rssBytes: memory.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };

  process.stderr.write(
    `core.getIDToken(${JSON.stringify(audience)}) x ${iterations} (after ${warmup} warmup): ` +
      `mean ${result.meanUs} us, median ${result.medianUs} us, p95 ${result.p95Us} us; ` +
      `heap used ${(result.heapUsedBytes / 1048576).toFixed(1)} MiB, max RSS ${(result.maxRssBytes / 1048576).toFixed(1)} MiB\n`,
  );
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`bench-get-id-token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
