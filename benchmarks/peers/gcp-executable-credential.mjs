// google-auth-library loads the credential configuration named by GOOGLE_APPLICATION_CREDENTIALS (an executable-sourced
// one written by `oidc-token exchange gcp --credential-source executable`), gets an access token, waits past its
// expiry, and gets another. It prints only SHA-256 hashes of the two tokens (never a token) as one JSON line.
// Usage: node gcp-executable-credential.mjs WAIT_MILLISECONDS
// Needs GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1, or the library refuses to run the command.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExternalAccountClient } from 'google-auth-library';

const wait = Number(process.argv[2] ?? '0');
const hash = (token) => createHash('sha256').update(token).digest('hex');
// The client straight from the file: GoogleAuth would also look the project up at Cloud Resource Manager.
const client = ExternalAccountClient.fromJSON(JSON.parse(readFileSync(process.env.GOOGLE_APPLICATION_CREDENTIALS, 'utf8')));
client.scopes = ['https://www.googleapis.com/auth/cloud-platform'];
const first = (await client.getAccessToken()).token;
await new Promise((resolve) => setTimeout(resolve, wait));
const second = (await client.getAccessToken()).token;
console.log(JSON.stringify({ first: hash(first), second: hash(second) }));
