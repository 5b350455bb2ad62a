# One image for every function; each Knative Service picks its function with its command
# (node dist/<function>/main.js), so a release builds, scans and pins a single digest.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The base image's Node must be the major the project declares once, in .nvmrc (make and CI use it too).
COPY .nvmrc ./
RUN test "$(node -p 'process.versions.node.split(".")[0]')" = "$(cat .nvmrc)" \
  || { echo "the base image runs Node $(node --version), .nvmrc declares $(cat .nvmrc): change FROM" >&2; exit 1; }
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY functions functions
COPY shared shared
COPY openapi openapi
COPY scripts scripts
COPY migrations migrations
RUN node_modules/.bin/tsx scripts/build.ts && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# jemalloc instead of glibc's malloc: under steady load glibc's arenas fragment (mostly around the
# asynchronous log writes), and memory outside the V8 heap crept ~2.5 MiB a minute without levelling off;
# under jemalloc it stayed flat (docs/performance.md, the soak). A bare file name, so the loader finds it
# on any architecture; the compile-cache step below fails the build if it is not loaded.
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/*
ENV LD_PRELOAD=libjemalloc.so.2
# NODE_COMPILE_CACHE: Node 24 reads each bundle's compiled V8 code from there instead of compiling it at
# every cold start. Source maps are not enabled by default: reading them costs a cold start about 60 ms
# (the dev overlay turns them on with NODE_OPTIONS; the .map files ship for mapping stacks offline).
ENV NODE_ENV=production NODE_COMPILE_CACHE=/app/.node-compile-cache
WORKDIR /app
# The bundles hold the code; node_modules keeps only production dependencies (Swagger UI's assets are read from it).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Fill the compile cache by starting and stopping each function once (also a smoke test of the image);
# the pods' root filesystem is read-only, so the cache ships readable and is only read at run time.
COPY --from=build /app/scripts/warm-compile-cache.sh scripts/
RUN sh scripts/warm-compile-cache.sh && chmod -R a+rX "$NODE_COMPILE_CACHE"
# The official image's unprivileged user; the manifests also enforce runAsNonRoot.
USER 1000:1000
EXPOSE 8080
CMD ["node", "dist/send-mail/main.js"]
