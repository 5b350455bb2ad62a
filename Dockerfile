# One image for all three functions; each Knative Service picks its function with its command
# (node dist/<function>/main.js), so a release builds, scans and pins a single digest.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY functions functions
COPY shared shared
COPY openapi openapi
COPY scripts scripts
RUN node_modules/.bin/tsx scripts/build.ts && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# The bundles hold the code; node_modules keeps only production dependencies (Swagger UI's assets are read from it).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The official image's unprivileged user; the manifests also enforce runAsNonRoot.
USER 1000:1000
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/send-mail/main.js"]
