/** Where the browser tests' servers listen: loopback only, ports unlikely to clash with `npm run dev`. */
const fakePort = 4310;
const appPort = 3310;
const offlinePort = 3311;

export const E2E = {
  fakePort,
  appPort,
  offlinePort,
  fakeUrl: `http://127.0.0.1:${fakePort}/v1`,
  fakeControlUrl: `http://127.0.0.1:${fakePort}/__fake/requests`,
  appUrl: `http://127.0.0.1:${appPort}`,
  offlineUrl: `http://127.0.0.1:${offlinePort}`,
};
