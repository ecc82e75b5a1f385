import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repo's nginx configuration, the one compose mounts. */
export const NGINX_CONFIG = 'deploy/nginx/runnel.conf';
const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export interface Nginx {
  url: string;
  stop(): Promise<void>;
}

/**
 * The repo's nginx configuration with only its addresses changed: nginx listens on `port` (on
 * 127.0.0.1) instead of 80, and sends to `upstreams` instead of compose's `app:3000`. Any other
 * drift in the file fails here, loudly, rather than testing something else.
 */
export function configForTest(port: number, upstreams: string[]): string {
  let config = readFileSync(NGINX_CONFIG, 'utf8');
  const replace = (pattern: RegExp, replacement: string) => {
    if ((config.match(pattern) ?? []).length !== 1) throw new Error(`${NGINX_CONFIG}: expected exactly one ${pattern}`);
    config = config.replace(pattern, replacement);
  };
  replace(/listen 80;/g, `listen 127.0.0.1:${port};`);
  replace(/server app:3000;/g, upstreams.map((upstream) => `server ${upstream};`).join('\n  '));
  return config;
}

/**
 * Debian's nginx in the foreground with a main configuration like the nginx image's (mime types,
 * sendfile, keep-alive) that includes the repo's server configuration, rewritten for ports.
 */
export async function startNginx(options: { port: number; upstreams: string[]; workers?: number }): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'runnel-nginx-'));
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, temp));
  writeFileSync(path.join(dir, 'runnel.conf'), configForTest(options.port, options.upstreams));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
worker_processes ${options.workers ?? 1};
worker_rlimit_nofile 16384;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/runnel.conf;
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (data: Buffer) => (errors += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${errors}${readLog(dir)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${options.port}`,
    stop: async () => {
      child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      child.kill('SIGKILL');
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
