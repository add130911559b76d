// The benchmark's Node peer: Node's own fetch (undici, connections kept alive), with the token
// fetched once from the token endpoint, as a hand-written integration would.

import { env, main } from './common.mjs';

const basic = Buffer.from(`${env('DINERO_CLIENT_ID')}:${env('DINERO_CLIENT_SECRET')}`).toString('base64');
const key = env('DINERO_API_KEY');
const answer = await fetch(env('DINERO_AUTH_URL'), {
  method: 'POST',
  headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'password', scope: 'read write', username: key, password: key }),
});
if (answer.status !== 200) {
  console.error('token request failed');
  process.exit(1);
}
const { access_token: token } = await answer.json();
const url = env('BENCH_URL');
const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };

await main(async () => {
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  return body.byteLength === 0 ? 0 : response.status;
}, process.argv);
