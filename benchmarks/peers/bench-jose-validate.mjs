// Validation throughput of jose (jwtVerify), the Node peer of GitHubOidcTokenValidator.ValidateAsync.
//
// Usage: node bench-jose-validate.mjs CORPUS.json [seconds=3] [warmupPasses=2]
// CORPUS.json is written by `OidcToken.Benchmarks --write-validation-corpus FILE`: the same distinct, valid, RS256
// tokens (one 2048-bit key) the .NET benchmarks validate, the public JWK and the checks.
//
// One thread (the event loop), warm key (importJWK once), cycling through the tokens in order, each one awaited before
// the next. The same checks as OidcToken's validator in the benchmark: RS256 only, issuer, audience, exp (required)
// and nbf with a 60 s clock tolerance at the corpus's fixed instant, then the policy in JS: repository_id equal to
// the expected id and sub matching 'repo:octo-org/octo-repo:ref:refs/heads/*' (the prefix, then a non-empty rest).
// A token that fails any check stops the run with an error, so the figure only ever counts successful validations.
// The result is a human summary on stderr and, as the last line on stdout, one JSON object:
//   {"tool":"jose","version":…,"node":…,"tokens":…,"validations":…,"seconds":…,"tokensPerSecond":…,"usPerToken":…,
//    "cpuPerWallSecond":…,"tokensPerCpuSecond":…}
import { readFileSync } from 'node:fs';
import { importJWK, jwtVerify } from 'jose';

const corpusPath = process.argv[2];
const seconds = Number.parseFloat(process.argv[3] ?? '3');
const warmupPasses = Number.parseInt(process.argv[4] ?? '2', 10);
if (!corpusPath || !(seconds > 0) || !Number.isInteger(warmupPasses) || warmupPasses < 0) {
  process.stderr.write('usage: node bench-jose-validate.mjs CORPUS.json [seconds>0] [warmupPasses>=0]\n');
  process.exit(2);
}

const version = JSON.parse(readFileSync(new URL('./node_modules/jose/package.json', import.meta.url), 'utf8')).version;
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));
const { tokens, issuer, audience, repositoryId, subjectPrefix } = corpus;
const key = await importJWK(corpus.jwk, 'RS256');
const options = {
  algorithms: ['RS256'],
  issuer,
  audience,
  clockTolerance: corpus.clockSkewSeconds,
  currentDate: new Date(corpus.now * 1000),
  requiredClaims: ['exp'],
};

async function validate(token) {
  const { payload } = await jwtVerify(token, key, options);
  if (payload.repository_id !== repositoryId) {
    throw new Error(`policy: repository_id was ${payload.repository_id}`);
  }

  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length <= subjectPrefix.length || !sub.startsWith(subjectPrefix)) {
    throw new Error(`policy: sub was ${sub}`);
  }
}

for (let pass = 0; pass < warmupPasses; pass++) {
  for (const token of tokens) {
    await validate(token);
  }
}

// Timed: whole passes over the corpus until the time is up (checked every 256 tokens).
let validations = 0;
let i = 0;
const budget = BigInt(Math.round(seconds * 1e9));
const start = process.hrtime.bigint();
let elapsed = 0n;
const cpuStart = process.cpuUsage();
for (;;) {
  await validate(tokens[i]);
  validations++;
  i = i + 1 === tokens.length ? 0 : i + 1;
  if ((validations & 255) === 0) {
    elapsed = process.hrtime.bigint() - start;
    if (elapsed >= budget) {
      break;
    }
  }
}

const cpu = process.cpuUsage(cpuStart);
const elapsedSeconds = Number(elapsed) / 1e9;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const result = {
  tool: 'jose',
  version,
  node: process.version,
  tokens: tokens.length,
  validations,
  seconds: Math.round(elapsedSeconds * 1000) / 1000,
  tokensPerSecond: Math.round(validations / elapsedSeconds),
  usPerToken: Math.round((elapsedSeconds / validations) * 1e6 * 100) / 100,
  // CPU time of the whole process (every thread: WebCrypto runs each verify on libuv's thread pool) per wall second.
  cpuPerWallSecond: Math.round((cpuSeconds / elapsedSeconds) * 1000) / 1000,
  tokensPerCpuSecond: Math.round(validations / cpuSeconds),
};
process.stderr.write(`jose ${version}: ${result.tokensPerSecond} tokens/s (${result.usPerToken} us/token) over ${validations} validations of ${tokens.length} distinct tokens\n`);
console.log(JSON.stringify(result));
