import { startFakeOpenAI } from './server';

/** Runs the fake upstream on its own: `npm run fake-openai -- --port 4010`. */
async function main() {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 4010; // 0: any free port
  const fake = await startFakeOpenAI({ port });
  console.log(`fake-openai listening on ${fake.url}`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
