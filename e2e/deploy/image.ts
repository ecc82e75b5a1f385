import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What the Dockerfile's last stage puts in the image and how it starts it, as read from the Dockerfile itself. */
export interface RuntimeStage {
  workdir: string;
  /** `COPY --from=<stage> <source> <destination>`: sources are paths in the build stage's /app, i.e. this checkout. */
  copies: { source: string; destination: string }[];
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
}

/** Joins continued lines and returns the instructions of the Dockerfile's last stage. */
function lastStage(dockerfile: string): string[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const from = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines.slice(from + 1);
}

export function readRuntimeStage(file = 'Dockerfile'): RuntimeStage {
  const stage: RuntimeStage = { workdir: '/', copies: [], env: {}, cmd: [], healthcheck: [] };
  for (const line of lastStage(readFileSync(file, 'utf8'))) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction!.toUpperCase()) {
      case 'WORKDIR':
        stage.workdir = args;
        break;
      case 'ENV':
        for (const [, name, value] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[name!] = value!;
        break;
      case 'COPY': {
        const operands = rest.filter((word) => !word.startsWith('--'));
        if (!rest.some((word) => word.startsWith('--from='))) throw new Error(`COPY from the build context is not modelled: ${line}`);
        stage.copies.push({ source: operands[0]!, destination: operands[1]! });
        break;
      }
      case 'CMD':
        stage.cmd = JSON.parse(args) as string[];
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
        break;
    }
  }
  return stage;
}

/**
 * Lays out the image's files in `root` (standing for the image's WORKDIR), copying from this
 * checkout exactly what the runtime stage copies from the build stage (whose WORKDIR, /app, is
 * this checkout after `npm run build`). Symlinks stay symlinks, as COPY keeps them.
 */
export function assembleImage(stage: RuntimeStage, root: string, buildWorkdir = '/app'): void {
  for (const { source, destination } of stage.copies) {
    const from = path.relative(buildWorkdir, source);
    const to = path.join(root, path.relative(stage.workdir, path.resolve(stage.workdir, destination)));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
}
