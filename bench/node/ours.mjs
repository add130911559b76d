// The benchmark's Node client through libdinero (bindings/node): one GET per call, the body
// read, the response freed.

import { authenticate } from '../../bindings/node/src/index.js';
import { env, main } from './common.mjs';

const client = await authenticate(env('DINERO_CLIENT_ID'), env('DINERO_CLIENT_SECRET'), env('DINERO_API_KEY'), {
  organizationId: env('DINERO_ORGANIZATION_ID'),
  authUrl: env('DINERO_AUTH_URL'),
  apiUrl: env('DINERO_API_URL'),
  rateLimitPerMinute: 0,
});
const path = env('BENCH_PATH');

await main(async () => {
  const response = await client.request('GET', path);
  const status = response.body.length === 0 ? 0 : response.status;
  response.close();
  return status;
}, process.argv);
await client.close();
