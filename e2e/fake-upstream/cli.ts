import { startFakeUpstream } from './server';

/** Runs the fake upstream on its own: `npm run fake-upstream -- --port 4010`. */
async function main() {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 4010; // 0: any free port
  const fake = await startFakeUpstream({ port });
  console.log(`fake-upstream listening on ${fake.url}`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
