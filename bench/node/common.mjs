// Shared by the benchmark's Node clients: settings from the environment, and the modes.
//
// loop N: N GETs one after another (after 100 warm-up ones), prints {"us_per_req": ..};
// parallel N: N GETs, 8 in flight at a time (what Promise.all over a page of work does),
// prints {"us_per_req": ..}.

export function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`error: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

export const IN_FLIGHT = 8;

/** Runs the mode in argv with `getOnce` (one GET, resolves to the HTTP status). */
export async function main(getOnce, argv) {
  const [mode, count] = argv.slice(2);
  const n = Number.parseInt(count ?? '', 10);
  const one = async () => {
    const status = await getOnce();
    if (status !== 200) {
      console.error(`unexpected answer ${status}`);
      process.exit(1);
    }
  };
  const run = async (total, width) => {
    for (let done = 0; done < total; done += width) {
      await Promise.all(Array.from({ length: Math.min(width, total - done) }, one));
    }
  };
  if (!['loop', 'parallel'].includes(mode) || !Number.isInteger(n) || n < 1) {
    console.error('usage: SCRIPT loop N | parallel N');
    process.exit(2);
  }
  const width = mode === 'loop' ? 1 : IN_FLIGHT;
  await run(100, width);
  const started = process.hrtime.bigint();
  await run(n, width);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e3;
  console.log(JSON.stringify({ us_per_req: elapsed / n, n }));
}
