// Prints an ID token for the audience in argv[2] using @actions/core, exactly as a JavaScript action would.
// Reads ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN from the environment.
// @actions/core itself writes "::add-mask::<token>" to stdout first; the token is the last stdout line.
import * as core from '@actions/core';

try {
  const token = await core.getIDToken(process.argv[2]);
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`get-id-token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
