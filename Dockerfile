# syntax=docker/dockerfile:1
# Runnel's production image: Next's standalone server, the static assets, the migrations and the
# CLIs, on Node 22 (Debian slim), run as the unprivileged `node` user.
#   docker build -t runnel .
#   docker run -p 3000:3000 -e AUTH_SECRET=... -v runnel-data:/data runnel
# e2e/container.spec.ts assembles exactly what the runtime stage copies and starts it as CMD does.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# Dependencies first, so that a change to the code alone reuses this layer.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
# next build (with output: 'standalone') and the CLIs bundled into .next/cli.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    RUNNEL_DATA_DIR=/data
# The embedded database (used when DATABASE_URL is unset) lives in /data: mount a volume there.
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/public ./public
# Read at run time, so not traced into the standalone output (meta/_journal.json is needed too).
COPY --from=build --chown=node:node /app/lib/db/migrations ./lib/db/migrations
# The embedded database's own thread, loaded by path like the migrations.
COPY --from=build --chown=node:node /app/lib/db/pglite-worker.mjs ./lib/db/pglite-worker.mjs
# node cli/keys.cjs create --name ci-bot | list | revoke <prefix>; node cli/migrate.cjs
COPY --from=build --chown=node:node /app/.next/cli ./cli
USER node
EXPOSE 3000
VOLUME ["/data"]
# Liveness: the process and its database. A model provider being down is not a reason to restart.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, so it drains (RUNNEL_SHUTDOWN_GRACE_MS).
CMD ["node", "server.js"]
